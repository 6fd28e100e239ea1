// One line per command group defined outside main.cpp (see cli/commands.h).
#include "cli/commands.h"

namespace kanshiki::cli {

void register_all_command_groups(CLI::App& app, Action& action) {
  register_export(app, action);
  register_digest(app, action);
  register_image(app, action);
  register_tag(app, action);
  register_acquire_android(app, action);
  register_acquire_ios(app, action);
  register_report(app, action);
  register_scan(app, action);
  register_batch(app, action);
  register_links(app, action);
  register_recover(app, action);
  register_decrypt_signal(app, action);
  register_hashset(app, action);
  register_thumbnails(app, action);
}

}  // namespace kanshiki::cli
