// Output grammar: aosp-mirror/platform_frameworks_base
// cmds/content/src/com/android/commands/content/Content.java (QueryCommand.onExecute): "Row: <i> <col>=<val>,
// <col>=<val>, ..."; NULL prints as "NULL", blobs as "BLOB". The acquisition always passes an explicit
// colon-separated --projection, so the column order is known and the ambiguous text is split by looking for
// ", <next column>=" in that order (formats-and-protocols.md 1.6). Old devices printed INTEGER columns with
// getInt: millisecond dates are then truncated to 32 bits; such times are flagged with a warning.
#include "parsers/android_content_query.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "core/phone.h"
#include "parsers/android_provider_types.h"
#include "parsers/file_emitter.h"

namespace kanshiki::parsers::android_content_query {
namespace {

const std::vector<std::string> kSmsColumns = {"_id",       "thread_id", "address", "date",
                                              "date_sent", "type",      "read",    "body"};
const std::vector<std::string> kCallColumns = {"_id",  "number", "date",      "duration",
                                               "type", "name",   "countryiso"};
const std::vector<std::string> kPhoneColumns = {"_id", "raw_contact_id", "display_name", "data1"};

std::optional<int64_t> as_int(const std::optional<std::string>& v) {
  if (!v || v->empty()) return std::nullopt;
  try {
    size_t used = 0;
    long long x = std::stoll(*v, &used);
    if (used != v->size()) return std::nullopt;
    return x;
  } catch (...) {
    return std::nullopt;
  }
}
std::string text(const PrintedRow& r, const std::string& col) {
  auto it = r.values.find(col);
  return it == r.values.end() || !it->second ? std::string() : *it->second;
}
std::optional<std::string> value(const PrintedRow& r, const std::string& col) {
  auto it = r.values.find(col);
  return it == r.values.end() ? std::nullopt : it->second;
}

// A millisecond time; a value that fits 32 bits cannot be a real ms date (getInt truncation on old devices).
Timestamp ms_time(const PrintedRow& r, const std::string& col, FileEmitter& out) {
  auto v = as_int(value(r, col));
  if (!v) return {};
  if (*v != 0 && *v > -2147483649LL && *v < 2147483648LL)
    out.warn(fmt::format(
        "row {}: {}={} looks truncated to 32 bits (old Android printed INTEGER columns with getInt)", r.index,
        col, *v));
  return Timestamp::from_int(*v, EpochKind::unix_ms);
}

std::string sms_status(int64_t type, std::optional<int64_t> read) {
  if (type == 1) return read == 0 ? "unread" : "read";
  std::string_view box = android_provider::sms_box_name(type);
  return box.empty() ? fmt::format("type {}", type) : std::string(box);
}

// Line-oriented shell outputs: each line is read with its byte offset.
template <typename F>
void for_each_line(const std::string& data, F&& f) {
  size_t pos = 0;
  while (pos < data.size()) {
    size_t eol = data.find('\n', pos);
    size_t end = eol == std::string::npos ? data.size() : eol;
    f(std::string_view(data.data() + pos, end - pos), pos);
    pos = end + 1;
  }
}

// Device properties worth a finding of their own (the rest stay in the file).
const std::vector<std::pair<std::string, std::string>> kDeviceProps = {
    {"ro.product.manufacturer", "Manufacturer"},
    {"ro.product.model", "Model"},
    {"ro.product.device", "Device"},
    {"ro.serialno", "SerialNumber"},
    {"ro.build.version.release", "AndroidVersion"},
    {"ro.build.version.security_patch", "SecurityPatch"},
    {"ro.build.fingerprint", "BuildFingerprint"},
    {"persist.sys.timezone", "TimeZone"},
    {"gsm.operator.alpha", "Operator"},
    {"ro.crypto.state", "EncryptionState"}};

void facts(const ParseInput& in, ArtifactSink& sink, const std::string& name) {
  std::ifstream f(in.working_copy, std::ios::binary);
  if (!f) throw Error(ExitCode::evidence_unreadable, "cannot read " + in.item_path);
  std::string data((std::istreambuf_iterator<char>(f)), {});
  FileEmitter out(in, info(), sink,
                  name == "getprop.txt"    ? "getprop"
                  : name == "packages.txt" ? "pm list packages -f"
                                           : "dumpsys account");
  for_each_line(data, [&](std::string_view line, size_t offset) {
    auto off = static_cast<int64_t>(offset);
    if (name == "getprop.txt") {
      // [key]: [value]
      size_t k = line.find("]: [");
      if (line.size() < 6 || line[0] != '[' || k == std::string_view::npos || line.back() != ']') return;
      std::string key(line.substr(1, k - 1)), value(line.substr(k + 4, line.size() - k - 5));
      for (const auto& [prop, label] : kDeviceProps)
        if (prop == key && !value.empty()) out.emit(DeviceFact{label, value}, key, off);
    } else if (name == "packages.txt") {
      // package:<apk path>=<package name>   (the apk path may itself contain '=')
      if (line.rfind("package:", 0) != 0) return;
      size_t eq = line.rfind('=');
      if (eq == std::string_view::npos) return out.warn(fmt::format("unrecognised line at byte {}", offset));
      InstalledApp app;
      app.identifier = std::string(line.substr(eq + 1));
      app.name = app.identifier;
      out.emit(std::move(app), std::string(line.substr(8, eq - 8)), off);
    } else {
      // Account {name=<name>, type=<type>}
      size_t a = line.find("Account {name=");
      size_t t = line.rfind(", type=");
      if (a == std::string_view::npos || t == std::string_view::npos || t < a || line.back() != '}') return;
      Account acc;
      acc.username = std::string(line.substr(a + 14, t - a - 14));
      acc.app = std::string(line.substr(t + 7, line.size() - t - 8));
      acc.identifier = acc.username;
      out.emit(std::move(acc), "Account", off);
    }
  });
}

class ContentQueryParser final : public Parser {
 public:
  const ParserInfo& info() const override { return android_content_query::info(); }

  void parse(const ParseInput& in, ArtifactSink& sink) override {
    std::string name = std::filesystem::path(in.item_path).filename().string();
    const std::vector<std::string>* cols = nullptr;
    std::string table;
    if (name == "content_sms.txt")
      cols = &kSmsColumns, table = "content://sms";
    else if (name == "content_call_log.txt")
      cols = &kCallColumns, table = "content://call_log/calls";
    else if (name == "content_contacts.txt")
      cols = &kPhoneColumns, table = "content://com.android.contacts/data/phones";
    else if (name == "getprop.txt" || name == "packages.txt" || name == "dumpsys_account.txt")
      return facts(in, sink, name);
    else
      return;  // mms/calendar outputs are kept as evidence files; not turned into artifacts (limitation)
    std::ifstream f(in.working_copy, std::ios::binary);
    if (!f) throw Error(ExitCode::evidence_unreadable, "cannot read " + in.item_path);
    std::string data((std::istreambuf_iterator<char>(f)), {});
    FileEmitter out(in, info(), sink, table);
    auto rows = parse_rows(data, *cols);
    if (rows.empty() && data.find("No result found.") == std::string::npos && !data.empty())
      out.warn("no `Row:` lines: not content-query output, or an error message instead of rows");
    std::map<std::string, Contact> contacts;  // by raw_contact_id: one Contact with all its phones
    std::map<std::string, std::pair<int64_t, uint64_t>> contact_where;
    for (const auto& r : rows) {
      for (const auto& p : r.problems) out.warn(fmt::format("row {}: {}", r.index, p));
      std::string detail = fmt::format("Row: {} (_id={})", r.index, text(r, "_id"));
      if (cols == &kSmsColumns) {
        Message m;
        m.app = "sms";
        m.kind = "sms";
        m.thread_key = text(r, "thread_id");
        int64_t type = as_int(value(r, "type")).value_or(-1);
        m.direction = android_provider::sms_box_direction(type);
        m.time = ms_time(r, "date", out);
        m.text = text(r, "body");
        m.status = sms_status(type, as_int(value(r, "read")));
        std::string address = text(r, "address");
        if (m.direction == Direction::incoming)
          m.sender = address;
        else if (!address.empty())
          m.recipients.push_back(address);
        out.emit(std::move(m), detail, static_cast<int64_t>(r.offset));
      } else if (cols == &kCallColumns) {
        Call c;
        c.app = "phone";
        c.number = text(r, "number");
        c.number_e164 =
            normalize_phone_e164(c.number, text(r, "countryiso").empty() ? "JP" : text(r, "countryiso"));
        c.name = text(r, "name");
        c.direction = android_provider::call_direction(as_int(value(r, "type")).value_or(-1));
        c.time = ms_time(r, "date", out);
        c.duration_s = as_int(value(r, "duration"));
        c.country_iso = text(r, "countryiso");
        out.emit(std::move(c), detail, static_cast<int64_t>(r.offset));
      } else {
        std::string key = text(r, "raw_contact_id");
        Contact& c = contacts[key];
        c.app = "contacts";
        if (c.name.empty()) c.name = text(r, "display_name");
        if (!text(r, "data1").empty()) c.phones.push_back(text(r, "data1"));
        contact_where.try_emplace(key, r.index, r.offset);
      }
    }
    for (auto& [key, c] : contacts) {
      auto [index, offset] = contact_where[key];
      out.emit(std::move(c), fmt::format("raw_contact_id={} (first Row: {})", key, index),
               static_cast<int64_t>(offset));
    }
  }
};

}  // namespace

std::vector<PrintedRow> parse_rows(const std::string& text, const std::vector<std::string>& columns) {
  // 1. Group lines into rows: a row starts at a line "Row: <digits> "; other lines continue the previous row.
  struct Raw {
    int64_t index;
    uint64_t offset;
    std::string body;
  };
  std::vector<Raw> raws;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    size_t end = eol == std::string::npos ? text.size() : eol;
    std::string_view line(text.data() + pos, end - pos);
    bool starts_row = false;
    if (line.rfind("Row: ", 0) == 0) {
      size_t d = 5;
      while (d < line.size() && line[d] >= '0' && line[d] <= '9') ++d;
      if (d > 5 && d < line.size() && line[d] == ' ') {
        starts_row = true;
        raws.push_back(
            {std::stoll(std::string(line.substr(5, d - 5))), pos, std::string(line.substr(d + 1))});
      }
    }
    if (!starts_row && !raws.empty()) {
      raws.back().body += '\n';
      raws.back().body += line;
    }
    pos = end + 1;
  }
  // 2. Split each row by the expected columns in order.
  std::vector<PrintedRow> rows;
  for (auto& raw : raws) {
    PrintedRow r;
    r.index = raw.index;
    r.offset = raw.offset;
    const std::string& b = raw.body;
    size_t at = 0;
    for (size_t i = 0; i < columns.size(); ++i) {
      std::string head = columns[i] + "=";
      if (b.compare(at, head.size(), head) != 0) {
        r.problems.push_back("column '" + columns[i] + "' not where expected");
        break;
      }
      size_t start = at + head.size();
      size_t stop = b.size();
      if (i + 1 < columns.size()) {
        // The value ends at the first ", <next column>=" — later columns cannot appear inside it in a way
        // that is distinguishable, so this is the only reading the printed form allows.
        size_t next = b.find(", " + columns[i + 1] + "=", start);
        if (next == std::string::npos) {
          r.problems.push_back("column '" + columns[i + 1] + "' missing");
          stop = b.size();
        } else {
          stop = next;
        }
      }
      std::string v = b.substr(start, stop - start);
      if (v == "NULL")
        r.values[columns[i]] = std::nullopt;
      else
        r.values[columns[i]] = v;
      at = stop + 2;
      if (stop == b.size()) break;
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

const ParserInfo& info() {
  static const ParserInfo i{
      "android.content_query",
      "1.1.0",
      Platform::android,
      "Android content providers (adb logical)",
      "SMS, call log and contact phones from `content query` output, and device facts (getprop), installed "
      "packages (pm list packages -f) and accounts (dumpsys account), as saved by `kanshiki acquire android` "
      "(logical/*.txt)",
      {Locator{"**/logical/content_sms.txt"}, Locator{"**/logical/content_call_log.txt"},
       Locator{"**/logical/content_contacts.txt"}, Locator{"**/logical/getprop.txt"},
       Locator{"**/logical/packages.txt"}, Locator{"**/logical/dumpsys_account.txt"}},
      {
          "Text output: a body containing \", <next column>=\" cannot be told apart from a "
          "column boundary; such rows are split at the first occurrence.",
          "BLOB values print as the literal BLOB; their bytes are not available.",
          "MMS and calendar outputs are kept as files but not turned into artifacts.",
          "Deleted records are not available through content providers.",
      }};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<ContentQueryParser>(); }

}  // namespace kanshiki::parsers::android_content_query
