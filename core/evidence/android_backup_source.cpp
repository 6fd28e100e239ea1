// Android backup (.ab) evidence: the tar stream inside the file, decrypted and inflated on the fly, walked
// with the ordinary tar reader. The container hashes are those of the .ab file itself (computed by ingest);
// the decoded tar is a derived view whose size and hashes, and how it was obtained, are reported through
// derivation() once a full pass has read it.
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/evidence/android_backup.h"
#include "core/evidence/sources_impl.h"

namespace kanshiki::evidence_detail {
namespace {

namespace fs = std::filesystem;

class AndroidBackupSource final : public EvidenceSource {
 public:
  AndroidBackupSource(fs::path file, std::optional<std::string> password)
      : file_(std::move(file)), password_(std::move(password)) {
    // Checks the header and the password now (a wrong password fails fast, before any item is recorded).
    inner_ = make_tar_stream_source(file_, SourceKind::android_backup, [this] {
      last_ = std::make_shared<android_backup::TarStream>(file_, password_);
      return std::static_pointer_cast<ByteReader>(last_);
    });
  }
  SourceKind kind() const override { return SourceKind::android_backup; }
  const fs::path& root() const override { return file_; }

  void for_each_file(const Filter& filter, const FileHandler& on_file,
                     const ProblemHandler& on_problem) override {
    derivation_.clear();
    inner_->for_each_file(filter, on_file, on_problem);
    // libarchive stops at the tar end marker; read the rest so the view's hashes cover the whole decoded
    // stream and the cipher padding / zlib end are checked.
    std::shared_ptr<android_backup::TarStream> stream = last_;
    if (!stream) return;
    std::vector<char> sink(64 * 1024);
    while (stream->read(sink.data(), sink.size()) > 0) {
    }
    const auto& h = stream->header();
    Digests d = stream->tar_digests();
    nlohmann::json j{{"view", "tar stream inside the Android backup"},
                     {"derived_from", "the .ab container (evidence container hashes)"},
                     {"steps", nlohmann::json::array()},
                     {"ab_format_version", h.version},
                     {"compressed", h.compressed},
                     {"encryption", h.encryption},
                     {"tar_size", d.size},
                     {"tar_md5", d.md5},
                     {"tar_sha1", d.sha1},
                     {"tar_sha256", d.sha256}};
    if (h.encrypted()) {
      j["steps"].push_back("AES-256-CBC decrypted with the examiner-supplied password (PBKDF2-HMAC-SHA1, " +
                           std::to_string(h.rounds) + " rounds); master-key checksum matched using " +
                           stream->checksum_encoding());
    }
    if (h.compressed) j["steps"].push_back("zlib inflated");
    j["steps"].push_back("tar members read from the decoded stream");
    derivation_ = j.dump();
  }

  std::string derivation() const override { return derivation_; }

 private:
  fs::path file_;
  std::optional<std::string> password_;
  std::shared_ptr<android_backup::TarStream> last_;
  std::unique_ptr<EvidenceSource> inner_;
  std::string derivation_;
};

}  // namespace

std::unique_ptr<EvidenceSource> make_android_backup_source(const fs::path& file,
                                                           const std::optional<std::string>& password) {
  return std::make_unique<AndroidBackupSource>(file, password);
}

}  // namespace kanshiki::evidence_detail
