// Physical and chip-off images (raw/split raw, E01, Android sparse) as evidence: the container layer gives
// the media, The Sleuth Kit its partitions and file systems, and each file becomes an item like a folder's.
// After the files, the whole media is hashed and compared with the hashes the container stored (E01), so a
// changed or damaged image is a recorded error, never silently accepted.
#include <fmt/format.h>

#include "core/error.h"
#include "core/evidence/sources_impl.h"
#include "core/image/container.h"
#include "core/image/file_systems.h"
#include "core/image/image_info.h"
#include "hashing/multi_hash.h"

namespace kanshiki::evidence_detail {
namespace {

namespace fs = std::filesystem;

image::ContainerFormat container_format_of(SourceKind kind) {
  switch (kind) {
    case SourceKind::ewf:
      return image::ContainerFormat::ewf;
    case SourceKind::android_sparse:
      return image::ContainerFormat::android_sparse;
    default:
      return image::ContainerFormat::raw;
  }
}

class ImageSource final : public EvidenceSource {
 public:
  ImageSource(fs::path path, SourceKind kind)
      : path_(std::move(path)),
        kind_(kind),
        container_(image::open_container(path_, container_format_of(kind))) {}
  SourceKind kind() const override { return kind_; }
  const fs::path& root() const override { return path_; }

  void for_each_file(const Filter& filter, const FileHandler& on_file,
                     const ProblemHandler& on_problem) override {
    auto problem = [&](std::string path, std::string message, bool fatal = false) {
      if (on_problem) on_problem(SourceProblem{std::move(path), std::move(message), fatal});
    };
    image::ImageFileSystems systems(*container_);
    const image::ImageLayout& layout = systems.layout();
    // A filtered pass (process copying out a few databases) is not a look at the whole image: the image-level
    // warnings were recorded at ingest, and the whole-media check would re-read every byte for a few files.
    const bool whole_image = !filter;
    if (whole_image) {
      for (const std::string& w : layout.warnings) problem("", w);
      for (const image::Volume& v : layout.volumes)
        for (const std::string& w : v.warnings) problem(v.name, w);
    }
    systems.for_each_file(filter, on_file, on_problem);
    if (!whole_image) return;

    nlohmann::json info{{"view", "media of a disk image, read through its container and The Sleuth Kit"},
                        {"container", image::describe_container(*container_)},
                        {"layout", image::describe_layout(layout)}};
    // A single raw file's media is the file itself, already hashed by ingest as the container; every other
    // container's media is a decoded view whose hashes only a full read gives (and E01 stores hashes to
    // check).
    bool media_is_the_file =
        container_->format() == image::ContainerFormat::raw && container_->files().size() == 1;
    if (!media_is_the_file) {
      image::MediaVerification v = image::verify_media(*container_);
      info["media_hashes"] = image::describe_verification(v);
      // Ingest hashes only the file it was given; a court expects each segment file's hashes too.
      if (container_->files().size() > 1) {
        nlohmann::json segments = nlohmann::json::array();
        for (const fs::path& f : container_->files()) {
          try {
            Digests d = hash_file(f);
            segments.push_back({{"file", f.string()},
                                {"size", d.size},
                                {"md5", d.md5},
                                {"sha1", d.sha1},
                                {"sha256", d.sha256}});
          } catch (const Error& e) {
            segments.push_back({{"file", f.string()}, {"error", e.what()}});
            v.errors.push_back(e.what());
          }
        }
        info["segment_files"] = segments;
      }
      derivation_ = info.dump();
      if (!v.ok()) {
        std::string all;
        for (const std::string& e : v.errors) all += (all.empty() ? "" : "; ") + e;
        std::string msg = fmt::format("image {} failed verification: {}", path_.string(), all);
        problem("", msg, true);
        throw Error(ExitCode::corrupt_input, msg);
      }
    } else {
      derivation_ = info.dump();
    }
  }

  std::string derivation() const override { return derivation_; }

 private:
  fs::path path_;
  SourceKind kind_;
  std::unique_ptr<image::ImageContainer> container_;
  std::string derivation_;
};

}  // namespace

std::unique_ptr<EvidenceSource> make_image_source(const fs::path& path, SourceKind kind) {
  return std::make_unique<ImageSource>(path, kind);
}

}  // namespace kanshiki::evidence_detail
