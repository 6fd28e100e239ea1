#include "engine/parse_protocol.h"

#include <fmt/format.h>

#include <cstring>
#include <type_traits>

#include "parsers/typedstream.h"

namespace kanshiki::parse_protocol {
namespace {

// One field list per struct, shared by the encoder and the decoder so the two cannot drift apart.
template <class V>
void fields(V& v, Timestamp& t) {
  v(t.raw), v(t.kind), v(t.utc_us);
}
template <class V>
void fields(V& v, Provenance& p) {
  v(p.evidence_id), v(p.item_id), v(p.item_path), v(p.item_sha256), v(p.source_table), v(p.source_rowid),
      v(p.source_offset), v(p.source_detail), v(p.parser_id), v(p.parser_version), v(p.recovered);
}
template <class V>
void fields(V& v, Attachment& a) {
  v(a.path), v(a.name), v(a.mime_type), v(a.sha256), v(a.size);
}
template <class V>
void fields(V& v, Message& m) {
  v(m.app), v(m.account), v(m.thread_key), v(m.sender), v(m.sender_name), v(m.recipients), v(m.direction),
      v(m.time), v(m.text), v(m.status), v(m.kind), v(m.edited), v(m.deleted), v(m.expires_in_s),
      v(m.attachments);
}
template <class V>
void fields(V& v, Thread& t) {
  v(t.app), v(t.account), v(t.thread_key), v(t.name), v(t.is_group), v(t.last_activity);
}
template <class V>
void fields(V& v, Participant& p) {
  v(p.app), v(p.thread_key), v(p.identifier), v(p.name), v(p.role);
}
template <class V>
void fields(V& v, Call& c) {
  v(c.app), v(c.account), v(c.number), v(c.number_e164), v(c.name), v(c.direction), v(c.time),
      v(c.duration_s), v(c.video), v(c.country_iso);
}
template <class V>
void fields(V& v, Contact& c) {
  v(c.app), v(c.account), v(c.name), v(c.phones), v(c.emails), v(c.organization), v(c.note),
      v(c.last_contacted), v(c.times_contacted);
}
template <class V>
void fields(V& v, WebVisit& w) {
  v(w.browser), v(w.url), v(w.title), v(w.time), v(w.visit_count), v(w.typed_count), v(w.transition);
}
template <class V>
void fields(V& v, LocationPoint& l) {
  v(l.latitude), v(l.longitude), v(l.accuracy_m), v(l.altitude_m), v(l.time), v(l.kind), v(l.source),
      v(l.label);
}
template <class V>
void fields(V& v, MediaItem& m) {
  v(m.path), v(m.sha256), v(m.mime_type), v(m.size), v(m.captured), v(m.latitude), v(m.longitude), v(m.make),
      v(m.model), v(m.software);
}
template <class V>
void fields(V& v, Account& a) {
  v(a.app), v(a.username), v(a.identifier), v(a.display_name);
}
template <class V>
void fields(V& v, InstalledApp& a) {
  v(a.identifier), v(a.name), v(a.version), v(a.installed);
}
template <class V>
void fields(V& v, DeviceFact& f) {
  v(f.key), v(f.value);
}
template <class V>
void fields(V& v, Warning& w) {
  v(w.severity), v(w.evidence_id), v(w.item_id), v(w.item_path), v(w.parser_id), v(w.source_table),
      v(w.source_rowid), v(w.message);
}
template <class V>
void fields(V& v, ParseInput& in) {
  v(in.evidence_id), v(in.item_id), v(in.item_path), v(in.item_sha256), v(in.working_copy),
      v(in.recover_deleted);
}

// Highest valid value of each enum carried on the wire.
template <class E>
constexpr uint8_t enum_max();
template <>
constexpr uint8_t enum_max<EpochKind>() {
  return static_cast<uint8_t>(EpochKind::mac1904_s);  // the last EpochKind (core/timestamp.h)
}
template <>
constexpr uint8_t enum_max<Direction>() {
  return static_cast<uint8_t>(Direction::outgoing);
}
template <>
constexpr uint8_t enum_max<CallDirection>() {
  return static_cast<uint8_t>(CallDirection::blocked);
}
template <>
constexpr uint8_t enum_max<Severity>() {
  return static_cast<uint8_t>(Severity::error);
}

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

class Encoder {
 public:
  explicit Encoder(std::string& out) : out_(out) {}
  template <class T>
  void operator()(const T& value) {
    if constexpr (std::is_same_v<T, bool>) {
      out_.push_back(value ? 1 : 0);
    } else if constexpr (std::is_enum_v<T>) {
      out_.push_back(static_cast<char>(static_cast<uint8_t>(value)));
    } else if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, double>) {
      char b[8];
      std::memcpy(b, &value, 8);  // x86-64 and arm64 are little-endian; the worker is the same binary anyway
      out_.append(b, 8);
    } else if constexpr (std::is_same_v<T, std::string>) {
      u32(static_cast<uint32_t>(value.size()));
      out_.append(value);
    } else if constexpr (std::is_same_v<T, std::filesystem::path>) {
      (*this)(value.string());
    } else if constexpr (is_optional<T>::value) {
      out_.push_back(value ? 1 : 0);
      if (value) (*this)(*value);
    } else if constexpr (is_vector<T>::value) {
      u32(static_cast<uint32_t>(value.size()));
      for (const auto& e : value) (*this)(e);
    } else {
      fields(*this, const_cast<T&>(value));  // fields() only reads through an Encoder
    }
  }
  void u32(uint32_t v) {
    char b[4];
    std::memcpy(b, &v, 4);
    out_.append(b, 4);
  }

 private:
  std::string& out_;
};

class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}
  template <class T>
  void operator()(T& value) {
    if constexpr (std::is_same_v<T, bool>) {
      uint8_t b = byte("boolean");
      if (b > 1) fail("boolean out of range");
      value = b == 1;
    } else if constexpr (std::is_enum_v<T>) {
      uint8_t b = byte("enum");
      if (b > enum_max<T>()) fail(fmt::format("enum value {} out of range", b));
      value = static_cast<T>(b);
    } else if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, double>) {
      need(8, "number");
      std::memcpy(&value, in_.data() + pos_, 8);
      pos_ += 8;
    } else if constexpr (std::is_same_v<T, std::string>) {
      uint32_t n = u32();
      need(n, "string");
      value.assign(in_.data() + pos_, n);
      pos_ += n;
    } else if constexpr (std::is_same_v<T, std::filesystem::path>) {
      std::string s;
      (*this)(s);
      value = s;
    } else if constexpr (is_optional<T>::value) {
      bool present = false;
      (*this)(present);
      if (present) {
        value.emplace();
        (*this)(*value);
      } else {
        value.reset();
      }
    } else if constexpr (is_vector<T>::value) {
      uint32_t n = u32();
      // Every element takes at least one byte: a count larger than what is left is a lie.
      if (n > in_.size() - pos_) fail("list count exceeds the frame");
      value.clear();
      value.reserve(n);
      for (uint32_t i = 0; i < n; ++i) (*this)(value.emplace_back());
    } else {
      fields(*this, value);
    }
  }
  uint8_t byte(const char* what) {
    need(1, what);
    return static_cast<uint8_t>(in_[pos_++]);
  }
  uint32_t u32() {
    need(4, "length");
    uint32_t v;
    std::memcpy(&v, in_.data() + pos_, 4);
    pos_ += 4;
    return v;
  }
  void finish() {
    if (pos_ != in_.size()) fail(fmt::format("{} unexpected bytes at the end", in_.size() - pos_));
  }
  [[noreturn]] void fail(const std::string& why) {
    throw Error(ExitCode::corrupt_input,
                fmt::format("malformed frame from the parse worker at byte {}: {}", pos_, why));
  }

 private:
  void need(size_t n, const char* what) {
    if (n > in_.size() - pos_) fail(fmt::format("{} runs past the end of the frame", what));
  }
  std::string_view in_;
  size_t pos_ = 0;
};

void begin_frame(std::string& out, FrameKind kind, size_t& length_at) {
  out.push_back(static_cast<char>(kind));
  length_at = out.size();
  out.append(4, '\0');
}
void end_frame(std::string& out, size_t length_at) {
  uint32_t n = static_cast<uint32_t>(out.size() - length_at - 4);
  std::memcpy(out.data() + length_at, &n, 4);
}

constexpr uint8_t kVariantCount = static_cast<uint8_t>(std::variant_size_v<ArtifactData>);

template <size_t I = 0>
void decode_alternative(Decoder& d, uint8_t index, ArtifactData& data) {
  if constexpr (I < std::variant_size_v<ArtifactData>) {
    if (index == I) {
      data.emplace<I>();
      d(std::get<I>(data));
      return;
    }
    decode_alternative<I + 1>(d, index, data);
  }
}

}  // namespace

std::string encode_request(const Request& r) {
  std::string out;
  Encoder e(out);
  e(r.parser_id), e(r.parser_version), e(r.input);
  return out;
}

Request decode_request(std::string_view bytes) {
  Request r;
  Decoder d(bytes);
  d(r.parser_id), d(r.parser_version), d(r.input);
  d.finish();
  return r;
}

void append_record(std::string& out, const Record& r) {
  size_t at;
  begin_frame(out, FrameKind::record, at);
  Encoder e(out);
  e(r.provenance);
  out.push_back(static_cast<char>(r.data.index()));
  std::visit([&](const auto& alt) { e(alt); }, r.data);
  end_frame(out, at);
}

void append_warning(std::string& out, const Warning& w) {
  size_t at;
  begin_frame(out, FrameKind::warning, at);
  Encoder encoder(out);
  encoder(w);
  end_frame(out, at);
}

void append_error(std::string& out, ExitCode code, std::string_view message) {
  size_t at;
  begin_frame(out, FrameKind::error, at);
  out.push_back(static_cast<char>(static_cast<uint8_t>(code)));
  out.append(message);
  end_frame(out, at);
}

void append_done(std::string& out) {
  size_t at;
  begin_frame(out, FrameKind::done, at);
  end_frame(out, at);
}

Record decode_record(std::string_view payload) {
  Record r;
  Decoder d(payload);
  d(r.provenance);
  uint8_t index = d.byte("artifact type");
  if (index >= kVariantCount) d.fail(fmt::format("unknown artifact type {}", index));
  decode_alternative(d, index, r.data);
  d.finish();
  return r;
}

Warning decode_warning(std::string_view payload) {
  Warning w;
  Decoder d(payload);
  d(w);
  d.finish();
  return w;
}

std::pair<ExitCode, std::string> decode_error(std::string_view payload) {
  if (payload.empty()) throw Error(ExitCode::corrupt_input, "malformed error frame from the parse worker");
  uint8_t code = static_cast<uint8_t>(payload[0]);
  if (code > static_cast<uint8_t>(ExitCode::completed_with_warnings))
    throw Error(ExitCode::corrupt_input, "malformed error frame from the parse worker (exit code)");
  std::string message(payload.substr(1, 4096));
  if (!typedstream::is_valid_utf8(message)) message = "(message not valid UTF-8)";
  return {static_cast<ExitCode>(code), message};
}

}  // namespace kanshiki::parse_protocol
