// Command groups of the `kanshiki` CLI. Each group lives in its own cli/cmd_<group>.cpp and adds its
// subcommands to the app; a subcommand's callback sets `action`, which main() runs after parsing.
// To add a group: write cli/cmd_<group>.cpp with one register_ function, declare it here, and add one
// line to cli/command_registry.cpp and to cli/CMakeLists.txt.
#pragma once
#include "cli/cli_common.h"

namespace kanshiki::cli {

void register_all_command_groups(CLI::App& app, Action& action);

void register_export(CLI::App& app, Action& action);  // cli/cmd_export.cpp
void register_tag(CLI::App& app, Action& action);     // cli/cmd_tag.cpp (tag, untag, tags, case set, evidence set)

}  // namespace kanshiki::cli
