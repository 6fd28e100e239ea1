#pragma once
// For parsers that read a file themselves (not SQLite): fills the whole Provenance and Warning from the
// ParseInput, so each such parser only states the format, the place inside the file and the byte offset.
#include <optional>
#include <string>
#include <utility>

#include "parsers/parser.h"

namespace kanshiki::parsers {

class FileEmitter {
 public:
  FileEmitter(const ParseInput& in, const ParserInfo& info, ArtifactSink& sink, std::string source_table)
      : in_(in), info_(info), sink_(sink), source_table_(std::move(source_table)) {}

  // `detail`: where in the file (a JSON pointer, an EXIF tag path); `offset`: byte offset when known.
  void emit(ArtifactData data, std::string detail, std::optional<int64_t> offset = std::nullopt) {
    Provenance p;
    p.evidence_id = in_.evidence_id;
    p.item_id = in_.item_id;
    p.item_path = in_.item_path;
    p.item_sha256 = in_.item_sha256;
    p.source_table = source_table_;
    p.source_offset = offset;
    p.source_detail = std::move(detail);
    p.parser_id = info_.id;
    p.parser_version = info_.version;
    sink_.emit(Record{std::move(p), std::move(data)});
    ++emitted_;
  }

  void warn(std::string message, Severity severity = Severity::warning) {
    Warning w;
    w.severity = severity;
    w.evidence_id = in_.evidence_id;
    w.item_id = in_.item_id;
    w.item_path = in_.item_path;
    w.parser_id = info_.id;
    w.source_table = source_table_;
    w.message = std::move(message);
    sink_.warn(std::move(w));
  }

  size_t emitted() const { return emitted_; }
  const ParseInput& input() const { return in_; }

 private:
  const ParseInput& in_;
  const ParserInfo& info_;
  ArtifactSink& sink_;
  std::string source_table_;
  size_t emitted_ = 0;
};

}  // namespace kanshiki::parsers
