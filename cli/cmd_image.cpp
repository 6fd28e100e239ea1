// `kanshiki image info IMAGE`: what a disk image holds before (or without) ingesting it: the container and
// its segment files, partitions named as the phone names them, file systems, encryption, and the media hashes
// computed now beside those the container stored. Reads the image only (no case, nothing written).
#include <fmt/format.h>

#include <iostream>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "core/evidence/source.h"
#include "core/image/container.h"
#include "core/image/file_systems.h"
#include "core/image/image_info.h"

namespace kanshiki::cli {
namespace {

int cmd_image_info(const fs::path& path, bool verify) {
  SourceKind kind = detect_source_kind(path);
  image::ContainerFormat format;
  switch (kind) {
    case SourceKind::raw_image:
      format = image::ContainerFormat::raw;
      break;
    case SourceKind::ewf:
      format = image::ContainerFormat::ewf;
      break;
    case SourceKind::android_sparse:
      format = image::ContainerFormat::android_sparse;
      break;
    default:
      throw Error(
          ExitCode::unknown_format,
          fmt::format("{} is a {}, not a disk image (raw, e01, simg) / ディスクイメージではありません",
                      path.string(), source_kind_name(kind)));
  }
  auto container = image::open_container(path, format);
  image::ImageFileSystems systems(*container);
  json out{{"image", path.string()},
           {"container", image::describe_container(*container)},
           {"layout", image::describe_layout(systems.layout())}};

  say(fmt::format("イメージ Image: {}", path.string()));
  say(fmt::format("コンテナ Container: {}; media {} ({} bytes)", container->description(),
                  human_bytes(container->media_size()), container->media_size()));
  for (const auto& f : container->files()) say("  file " + f.string());
  const image::ImageLayout& layout = systems.layout();
  say(fmt::format("パーティション Partitions ({}):", layout.volume_system));
  for (const image::Volume& v : layout.volumes) {
    say(fmt::format("  {:<12} offset {:>12}  {:>10}  {}{}", v.name.empty() ? "(whole)" : v.name, v.offset,
                    human_bytes(v.length),
                    v.file_system.empty() ? "no file system recognised" : v.file_system,
                    v.encrypted ? "  [暗号化 ENCRYPTED: keys needed]" : ""));
    for (const std::string& w : v.warnings) say("    ! " + w);
  }
  for (const std::string& w : layout.warnings) say("  ! " + w);

  int rc = 0;
  bool warnings = !layout.warnings.empty();
  for (const image::Volume& v : layout.volumes) warnings = warnings || !v.warnings.empty();
  if (verify) {
    image::MediaVerification v = image::verify_media(*container);
    out["media_hashes"] = image::describe_verification(v);
    image::StoredHashes stored = container->stored_hashes();
    say("ハッシュ Hashes (media, computed now / stored in the container):");
    say(fmt::format("  MD5     {}  stored {}", v.md5, stored.md5.value_or("(none)")));
    say(fmt::format("  SHA-1   {}  stored {}", v.sha1, stored.sha1.value_or("(none)")));
    say(fmt::format("  SHA-256 {}", v.sha256));
    for (const std::string& e : v.errors) std::cerr << "error: " << e << "\n";
    if (!v.ok())
      rc = static_cast<int>(ExitCode::verification_failed);
    else if (stored.md5 || stored.sha1)
      say("  検証 Verified: the stored hashes match the media");
  }
  if (rc == 0 && warnings) rc = static_cast<int>(ExitCode::completed_with_warnings);
  emit_json(out);
  return rc;
}

}  // namespace

void register_image(CLI::App& app, Action& action) {
  auto* image = app.add_subcommand("image", "Disk images (raw, split raw, E01, Android sparse)");
  image->require_subcommand(1);
  auto* info = image->add_subcommand(
      "info", "Container, partitions, file systems, and stored vs computed media hashes of an image");
  static std::string path;
  static bool no_verify = false;
  info->add_option("IMAGE", path, "Image file (first segment of a split or E01 set)")->required();
  info->add_flag("--no-verify", no_verify, "Skip hashing the whole media (fast; no stored-hash check)");
  info->callback([&action] { action = [] { return cmd_image_info(path, !no_verify); }; });
}

}  // namespace kanshiki::cli
