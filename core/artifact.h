#pragma once
// The typed artifact model. Parsers build these; the case database stores them; reports read them back.
// Every record carries a Provenance so each finding can be traced to evidence, item, table and row.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/timestamp.h"

namespace kanshiki {

// Where a finding came from. The framework fills evidence/item/parser fields; the parser fills the
// per-row fields (source_table, source_rowid or source_offset, recovered, source_detail).
struct Provenance {
  int64_t evidence_id = 0;
  int64_t item_id = 0;
  std::string item_path;       // logical path inside the evidence (backups: Domain/relativePath)
  std::string item_sha256;
  std::string source_table;    // SQLite table (or "plist", "json", ...)
  std::optional<int64_t> source_rowid;
  std::optional<int64_t> source_offset;  // byte offset in the item, for carved/recovered data
  std::string source_detail;   // e.g. "WAL frame 12", "freelist page 7"; empty for live rows
  std::string parser_id;
  std::string parser_version;
  bool recovered = false;      // false: live record; true: recovered deleted record
};

enum class Direction { unknown, incoming, outgoing };
std::string_view direction_name(Direction d);

struct Attachment {
  std::string path;         // path in the extraction (or app-relative path as stored)
  std::string name;         // original file name when the app keeps one (e.g. iOS transfer_name)
  std::string mime_type;
  std::string sha256;       // when the file is present in the evidence
  std::optional<int64_t> size;
};

struct Message {
  std::string app;          // "sms", "imessage", "whatsapp", "line", ...
  std::string account;      // the device owner's account on that app, when known
  std::string thread_key;   // app-specific conversation id, stable within the item
  std::string sender;       // raw identifier (phone number, JID, handle); empty when outgoing from owner
  std::string sender_name;
  std::vector<std::string> recipients;
  Direction direction = Direction::unknown;
  Timestamp time;
  std::string text;
  std::string status;       // app status as text (read, delivered, failed, draft, ...)
  std::string kind;         // sms, mms, imessage, text, image, service, call, ...
  bool edited = false;
  bool deleted = false;     // app marked it deleted ("this message was deleted")
  std::optional<int64_t> expires_in_s;  // disappearing / self-destruct timer
  std::vector<Attachment> attachments;
};

struct Thread {
  std::string app;
  std::string account;
  std::string thread_key;
  std::string name;
  bool is_group = false;
  Timestamp last_activity;
};

struct Participant {
  std::string app;
  std::string thread_key;
  std::string identifier;
  std::string name;
  std::string role;         // member, admin, owner
};

enum class CallDirection { unknown, incoming, outgoing, missed, rejected, blocked };
std::string_view call_direction_name(CallDirection d);

struct Call {
  std::string app;          // "phone", "facetime", "whatsapp", ...
  std::string account;
  std::string number;       // raw peer identifier
  std::string number_e164;  // normalised when possible
  std::string name;         // cached name from the call log
  CallDirection direction = CallDirection::unknown;
  Timestamp time;
  std::optional<int64_t> duration_s;
  bool video = false;
  std::string country_iso;
};

struct Contact {
  std::string app;          // "contacts", "whatsapp", ...
  std::string account;
  std::string name;
  std::vector<std::string> phones;
  std::vector<std::string> emails;
  std::string organization;
  std::string note;
  Timestamp last_contacted;
  std::optional<int64_t> times_contacted;
};

struct WebVisit {
  std::string browser;      // "chrome", "safari", ...
  std::string url;
  std::string title;
  Timestamp time;
  std::optional<int64_t> visit_count;
  std::optional<int64_t> typed_count;
  std::string transition;
};

struct LocationPoint {
  double latitude = 0;
  double longitude = 0;
  std::optional<double> accuracy_m;
  std::optional<double> altitude_m;
  Timestamp time;
  std::string kind;         // gps, visit, wifi, cell, photo
  std::string source;       // app or subsystem
  std::string label;
};

struct MediaItem {
  std::string path;
  std::string sha256;
  std::string mime_type;
  std::optional<int64_t> size;
  Timestamp captured;
  std::optional<double> latitude, longitude;
  std::string make, model, software;
};

struct Account {
  std::string app;
  std::string username;
  std::string identifier;
  std::string display_name;
};

struct InstalledApp {
  std::string identifier;   // package name / bundle id
  std::string name;
  std::string version;
  Timestamp installed;
};

struct DeviceFact {
  std::string key;          // e.g. "ProductType", "SerialNumber", "IMEI"
  std::string value;
};

using ArtifactData = std::variant<Message, Thread, Participant, Call, Contact, WebVisit, LocationPoint, MediaItem,
                                  Account, InstalledApp, DeviceFact>;

// The type name used in the case database, exports and reports ("message", "call", ...).
std::string_view artifact_type_name(const ArtifactData& data);

struct Record {
  Provenance provenance;
  ArtifactData data;
};

enum class Severity { info, warning, error };
std::string_view severity_name(Severity s);

// A problem met while reading evidence. Stored in the case and printed in reports; never silently dropped.
struct Warning {
  Severity severity = Severity::warning;
  int64_t evidence_id = 0;
  int64_t item_id = 0;
  std::string item_path;
  std::string parser_id;
  std::string source_table;
  std::optional<int64_t> source_rowid;
  std::string message;
};

// Where parsers send what they find. The case database implements it; tests collect into memory.
class ArtifactSink {
 public:
  virtual ~ArtifactSink() = default;
  virtual void emit(Record record) = 0;
  virtual void warn(Warning warning) = 0;
};

class CollectingSink final : public ArtifactSink {
 public:
  void emit(Record record) override { records.push_back(std::move(record)); }
  void warn(Warning warning) override { warnings.push_back(std::move(warning)); }

  template <typename T>
  std::vector<std::pair<Provenance, T>> of_type() const {
    std::vector<std::pair<Provenance, T>> out;
    for (const auto& r : records)
      if (const T* p = std::get_if<T>(&r.data)) out.emplace_back(r.provenance, *p);
    return out;
  }

  std::vector<Record> records;
  std::vector<Warning> warnings;
};

}  // namespace kanshiki
