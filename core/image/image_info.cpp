#include "core/image/image_info.h"

namespace kanshiki::image {

using nlohmann::json;

json describe_container(const ImageContainer& c) {
  json files = json::array();
  for (const auto& f : c.files()) files.push_back(f.string());
  StoredHashes stored = c.stored_hashes();
  return json{{"format", container_format_name(c.format())},
              {"description", c.description()},
              {"files", files},
              {"media_size", c.media_size()},
              {"sector_size", c.sector_size()},
              {"stored_md5", stored.md5 ? json(*stored.md5) : json(nullptr)},
              {"stored_sha1", stored.sha1 ? json(*stored.sha1) : json(nullptr)}};
}

json describe_layout(const ImageLayout& layout) {
  json volumes = json::array();
  for (const Volume& v : layout.volumes) {
    volumes.push_back(json{{"number", v.number},
                           {"name", v.name},
                           {"table_entry", v.table_entry},
                           {"offset", v.offset},
                           {"length", v.length},
                           {"file_system", v.file_system},
                           {"block_size", v.block_size},
                           {"file_system_bytes", v.fs_bytes},
                           {"encrypted", v.encrypted},
                           {"warnings", v.warnings}});
  }
  return json{{"volume_system", layout.volume_system}, {"volumes", volumes}, {"warnings", layout.warnings}};
}

json describe_verification(const MediaVerification& v) {
  auto match = [](const std::optional<std::string>& stored, bool matches) -> json {
    if (!stored) return "not stored";
    return matches ? "match" : "MISMATCH";
  };
  return json{{"complete", v.complete},
              {"media_bytes_read", v.size},
              {"md5", v.md5},
              {"sha1", v.sha1},
              {"sha256", v.sha256},
              {"md5_vs_stored", match(v.stored.md5, v.md5_matches)},
              {"sha1_vs_stored", match(v.stored.sha1, v.sha1_matches)},
              {"errors", v.errors},
              {"ok", v.ok()}};
}

}  // namespace kanshiki::image
