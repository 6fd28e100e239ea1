#include "acquire/android/acquisition.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "acquire/android/adb_services.h"
#include "core/case_db.h"
#include "hashing/multi_hash.h"

namespace kanshiki::adb {
namespace fs = std::filesystem;
using json = nlohmann::json;

const std::vector<std::pair<std::string, std::string>>& content_queries() {
  // Explicit, colon-separated projections (Content.java splits on ':'), so the output parser knows the
  // columns.
  static const std::vector<std::pair<std::string, std::string>> q = {
      {"content_sms",
       "content query --uri content://sms --projection _id:thread_id:address:date:date_sent:type:read:body"},
      {"content_mms", "content query --uri content://mms --projection _id:thread_id:date:msg_box:sub"},
      {"content_call_log",
       "content query --uri content://call_log/calls --projection "
       "_id:number:date:duration:type:name:countryiso"},
      {"content_contacts",
       "content query --uri content://com.android.contacts/data/phones --projection "
       "_id:raw_contact_id:display_name:data1"},
      {"content_calendar",
       "content query --uri content://com.android.calendar/events --projection "
       "_id:title:dtstart:dtend:eventLocation"},
  };
  return q;
}

std::map<std::string, std::string> parse_getprop(const std::string& text) {
  std::map<std::string, std::string> props;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    // [key]: [value]
    size_t k1 = line.find('['), k2 = line.find("]: [");
    if (k1 != 0 || k2 == std::string::npos || line.back() != ']') continue;
    props[line.substr(1, k2 - 1)] = line.substr(k2 + 4, line.size() - k2 - 5);
  }
  return props;
}

namespace {

std::string tsv_escape(std::string_view s) {
  std::string out;
  for (char ch : s) {
    if (ch == '\t')
      out += "\\t";
    else if (ch == '\n')
      out += "\\n";
    else if (ch == '\\')
      out += "\\\\";
    else
      out += ch;
  }
  return out;
}
std::string tsv_unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      char n = s[++i];
      out += n == 't' ? '\t' : n == 'n' ? '\n' : n;
    } else {
      out += s[i];
    }
  }
  return out;
}

struct ManifestEntry {
  uint64_t size = 0;
  std::string sha256, device_path, source;
  int64_t device_mtime = -1;
};

// The container folder and its append-only manifest.
class Container {
 public:
  explicit Container(fs::path dir) : dir_(std::move(dir)) {
    fs::create_directories(dir_);
    fs::path m = dir_ / "manifest.tsv";
    bool existed = fs::exists(m);
    if (existed) {
      std::ifstream in(m);
      std::string line;
      while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#' || line.rfind("path\t", 0) == 0) continue;
        std::vector<std::string> f;
        size_t s = 0;
        for (size_t i = 0; i <= line.size(); ++i)
          if (i == line.size() || line[i] == '\t') {
            f.push_back(line.substr(s, i - s));
            s = i + 1;
          }
        if (f.size() < 6 || f[2].size() != 64) continue;  // a line cut by a crash: that file is fetched again
        ManifestEntry e{std::stoull(f[1]), f[2], tsv_unescape(f[3]), tsv_unescape(f[5])};
        e.device_mtime = f[4].empty() ? -1 : std::stoll(f[4]);
        entries_[tsv_unescape(f[0])] = e;
      }
    }
    manifest_.open(m, std::ios::app | std::ios::binary);
    if (!manifest_) throw Error(ExitCode::case_error, "cannot write " + m.string());
    if (!existed)
      manifest_ << "# Kanshiki Android acquisition manifest (hashes computed while receiving)\n"
                << "path\tsize\tsha256\tdevice_path\tdevice_mtime\tsource\n"
                << std::flush;
  }
  const fs::path& dir() const { return dir_; }

  // True when rel is in the manifest, matches the device's size/mtime, and its bytes on disk still hash
  // right.
  bool verified(const std::string& rel, std::optional<uint64_t> size = {},
                std::optional<int64_t> mtime = {}) {
    auto it = entries_.find(rel);
    if (it == entries_.end()) return false;
    if (size && *size != it->second.size) return false;
    if (mtime && *mtime != it->second.device_mtime) return false;
    std::error_code ec;
    if (!fs::is_regular_file(dir_ / rel, ec) || fs::file_size(dir_ / rel, ec) != it->second.size)
      return false;
    return hash_file(dir_ / rel).sha256 == it->second.sha256;
  }

  class Writer {
   public:
    Writer(Container& c, std::string rel) : c_(c), rel_(std::move(rel)) {
      fs::path final_path = c_.dir_ / rel_;
      fs::create_directories(final_path.parent_path());
      partial_ = final_path;
      partial_ += ".partial";
      out_.open(partial_, std::ios::binary | std::ios::trunc);
      if (!out_) throw Error(ExitCode::case_error, "cannot create " + partial_.string());
    }
    void write(const char* p, size_t n) {
      hasher_.update(p, n);
      size_ += n;
      out_.write(p, static_cast<std::streamsize>(n));
      if (!out_) throw Error(ExitCode::disk_full, "cannot write " + partial_.string() + " (disk full?)");
    }
    // Closes, renames into place and appends the manifest line (flushed: a crash after this keeps it).
    Digests commit(const std::string& device_path, int64_t device_mtime, const std::string& source) {
      out_.close();
      if (out_.fail()) throw Error(ExitCode::disk_full, "cannot write " + partial_.string());
      Digests d;
      d.sha256 = hasher_.hex_final();
      d.size = size_;
      fs::rename(partial_, c_.dir_ / rel_);
      c_.manifest_ << tsv_escape(rel_) << '\t' << d.size << '\t' << d.sha256 << '\t'
                   << tsv_escape(device_path) << '\t'
                   << (device_mtime >= 0 ? std::to_string(device_mtime) : "") << '\t' << tsv_escape(source)
                   << '\n'
                   << std::flush;
      c_.entries_[rel_] = ManifestEntry{d.size, d.sha256, device_path, source, device_mtime};
      committed_ = true;
      return d;
    }
    ~Writer() {
      if (!committed_) {
        // An interrupted file stays as .partial: never in the manifest, never mistaken for a complete one.
        out_.close();
      }
    }

   private:
    Container& c_;
    std::string rel_;
    fs::path partial_;
    std::ofstream out_;
    // SHA-256 on the way in (SHA-NI fast, so the transfer is not slowed); ingest then computes MD5, SHA-1 and
    // SHA-256 of every file in a second, independent read, and the CLI checks that SHA-256 against this one.
    Digest hasher_{HashAlgo::sha256};
    uint64_t size_ = 0;
    bool committed_ = false;
  };

  const std::map<std::string, ManifestEntry>& entries() const { return entries_; }

 private:
  fs::path dir_;
  std::map<std::string, ManifestEntry> entries_;
  std::ofstream manifest_;
};

void write_status(const fs::path& dir, const json& j) {
  fs::path tmp = dir / "acquisition.json.partial";
  std::ofstream(tmp) << j.dump(2) << "\n";
  fs::rename(tmp, dir / "acquisition.json");
}

// IMEI from `service call iphonesubinfo 1 ...`: a Parcel dump whose quoted columns hold UTF-16 chars.
std::string imei_from_parcel(const std::string& out) {
  std::string digits;
  for (size_t p = out.find('\''); p != std::string::npos; p = out.find('\'', p + 1)) {
    size_t e = out.find('\'', p + 1);
    if (e == std::string::npos) break;
    for (size_t i = p + 1; i < e; ++i)
      if (out[i] >= '0' && out[i] <= '9') digits += out[i];
    p = e;
  }
  return digits.size() >= 14 && digits.size() <= 16 ? digits : std::string();
}

class Acquirer {
 public:
  Acquirer(Connection& c, const AcquireOptions& o) : c_(c), o_(o), box_(o.container) {}

  AcquireResult run() {
    res_.manifest = box_.dir() / "manifest.tsv";
    status_ = {{"tool", "kanshiki acquire android"},
               {"transport", c_.describe()},
               {"banner", c_.banner()},
               {"protocol_version", fmt::format("0x{:08x}", c_.version())},
               {"max_payload", c_.max_payload()},
               {"options", {{"sdcard", o_.sdcard}, {"backup", o_.backup}, {"root", o_.root}}},
               {"status", "in_progress"},
               {"started_utc", now_utc_iso()}};
    write_status(box_.dir(), status_);
    try {
      device_facts();
      logical();
      if (o_.sdcard)
        for (const auto& root : o_.sdcard_roots) pull_tree(root);
      if (o_.backup) backup();
      if (o_.root) root_tar();
      res_.complete = true;
    } catch (const AdbError& e) {
      res_.error = e.what();
      res_.failure = e.failure();
    }
    status_["status"] = res_.complete ? "complete" : "incomplete";
    status_["ended_utc"] = now_utc_iso();
    status_["facts"] = res_.facts;
    status_["notes"] = res_.notes;
    status_["error"] = res_.error;
    status_["files_written"] = res_.files;
    status_["bytes_written"] = res_.bytes;
    status_["skipped_verified"] = res_.skipped_verified;
    write_status(box_.dir(), status_);
    return res_;
  }

 private:
  void record(DeviceCommand d) {
    if (o_.on_command) o_.on_command(d);
  }
  void progress(const std::string& current) {
    prog_.current = current;
    if (o_.on_progress) o_.on_progress(prog_);
  }

  // Runs a shell command into logical/<name>.txt (stdout; stderr and exit code go to the custody entry).
  ShellResult logical_command(const std::string& name, const std::string& command,
                              bool keep_existing = true) {
    std::string rel = "logical/" + name + ".txt";
    if (keep_existing && box_.verified(rel)) {
      ++res_.skipped_verified;
      std::ifstream in(box_.dir() / rel, std::ios::binary);
      return ShellResult{std::string(std::istreambuf_iterator<char>(in), {}), "", 0};
    }
    DeviceCommand d{"shell: " + command, "ok", rel, "", 0, -1, ""};
    ShellResult r;
    try {
      r = shell(c_, command);
    } catch (const AdbError& e) {
      d.status = "failed";
      d.error = e.what();
      record(d);
      throw;
    }
    Container::Writer w(box_, rel);
    w.write(r.out.data(), r.out.size());
    Digests dg = w.commit("", -1, "shell: " + command);
    ++res_.files;
    res_.bytes += dg.size;
    d.sha256 = dg.sha256;
    d.bytes = dg.size;
    d.exit_code = r.exit_code;
    if (r.exit_code > 0 || r.err.find("Permission Denial") != std::string::npos ||
        r.err.find("Error while accessing provider") != std::string::npos) {
      d.status = "unavailable";
      d.error = r.err.substr(0, 500);
      res_.notes.push_back(fmt::format("'{}' gave no data (exit {}): {}", command, r.exit_code,
                                       r.err.substr(0, r.err.find('\n'))));
      ++res_.problems;
    }
    record(d);
    return r;
  }

  void device_facts() {
    auto props = parse_getprop(logical_command("getprop", "getprop").out);
    auto pick = [&](std::initializer_list<const char*> keys) {
      for (const char* k : keys)
        if (auto it = props.find(k); it != props.end() && !it->second.empty()) return it->second;
      return std::string();
    };
    auto& f = res_.facts;
    f["manufacturer"] = pick({"ro.product.manufacturer"});
    f["model"] = pick({"ro.product.model"});
    if (f["model"].empty()) f["model"] = c_.banner_property("ro.product.model");
    f["device"] = pick({"ro.product.device"});
    f["serial"] = pick({"ro.serialno", "ro.boot.serialno"});
    f["android_version"] = pick({"ro.build.version.release"});
    f["sdk"] = pick({"ro.build.version.sdk"});
    f["security_patch"] = pick({"ro.build.version.security_patch"});
    f["build_fingerprint"] = pick({"ro.build.fingerprint"});
    f["timezone"] = pick({"persist.sys.timezone"});
    f["encryption_state"] = pick({"ro.crypto.state"});
    ShellResult imei =
        logical_command("imei_iphonesubinfo", "service call iphonesubinfo 1 s16 com.android.shell");
    f["imei"] = imei_from_parcel(imei.out);
    if (f["imei"].empty()) {
      f["imei"] = "not readable over adb shell on this device";
      res_.notes.push_back(
          "IMEI not readable: `service call iphonesubinfo` is refused to the shell user on modern "
          "Android; read it from the device label or *#06#");
    }
    status_["facts"] = f;
    write_status(box_.dir(), status_);
  }

  void logical() {
    logical_command("packages", "pm list packages -f");
    logical_command("dumpsys_account", "dumpsys account");
    logical_command("dumpsys_package", "dumpsys package packages");
    for (const auto& [name, cmd] : content_queries()) logical_command(name, cmd);
  }

  struct RemoteFile {
    std::string path;
    FileStat st;
  };

  void walk(SyncSession& s, const std::string& dir, std::vector<RemoteFile>& out, int depth) {
    if (depth > 64) {
      res_.notes.push_back("not descended (over 64 levels deep): " + dir);
      return;
    }
    for (auto& e : s.list(dir + "/")) {
      std::string p = dir + "/" + e.name;
      if (e.stat.is_dir())
        walk(s, p, out, depth + 1);
      else if (e.stat.is_regular())
        out.push_back({p, e.stat});
      else {
        res_.notes.push_back(
            fmt::format("not pulled ({}): {}", e.stat.is_link() ? "symbolic link" : "special file", p));
        ++res_.problems;
      }
    }
  }

  void pull_tree(const std::string& root) {
    auto session = std::make_unique<SyncSession>(c_);
    std::vector<RemoteFile> files;
    std::string base = root;
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    walk(*session, base, files, 0);
    for (const auto& f : files) prog_.bytes_total += f.st.size;
    prog_.files_total += files.size();
    uint64_t pulled = 0, pulled_bytes = 0;
    for (const auto& f : files) {
      std::string rel = "files" + f.path;
      if (box_.verified(rel, f.st.size, f.st.mtime)) {
        ++res_.skipped_verified;
        ++prog_.files_done;
        prog_.bytes_done += f.st.size;
        progress(f.path);
        continue;
      }
      progress(f.path);
      try {
        Container::Writer w(box_, rel);
        session->recv(f.path, [&](const char* p, size_t n) {
          w.write(p, n);
          prog_.bytes_done += n;
          if ((prog_.bytes_done & 0xFFFFF) < n) progress(f.path);
        });
        Digests d = w.commit(f.path, f.st.mtime, "sync: RECV");
        ++res_.files;
        res_.bytes += d.size;
        ++pulled;
        pulled_bytes += d.size;
        if (d.size != f.st.size) {
          res_.notes.push_back(fmt::format("{}: {} bytes received, {} listed (file changed while pulled?)",
                                           f.path, d.size, f.st.size));
          ++res_.problems;
        }
      } catch (const AdbError& e) {
        if (e.failure() != Failure::device_error) {
          record({"sync: RECV " + f.path, "failed", "", "", 0, -1, e.what()});
          throw;
        }
        // One unreadable file: noted, and the sync service (ended by FAIL) is opened again.
        res_.notes.push_back(fmt::format("not pulled: {}", e.what()));
        ++res_.problems;
        record({"sync: RECV " + f.path, "failed", "", "", 0, -1, e.what()});
        session = std::make_unique<SyncSession>(c_);
      }
      ++prog_.files_done;
      progress(f.path);
    }
    record({fmt::format("sync: LIS2/RECV of {} ({} files listed, {} pulled, {} already verified)", root,
                        files.size(), pulled, files.size() - pulled),
            "ok", "manifest.tsv", "", pulled_bytes, -1, ""});
  }

  void stream_to(const std::string& rel, const std::string& service, const std::string& label) {
    if (box_.verified(rel)) {
      ++res_.skipped_verified;
      return;
    }
    DeviceCommand d{service, "ok", rel, "", 0, -1, ""};
    try {
      auto s = c_.open(service);
      Container::Writer w(box_, rel);
      std::vector<char> buf(256 * 1024);
      while (size_t n = s->read(buf.data(), buf.size())) {
        w.write(buf.data(), n);
        prog_.bytes_done += n;
        progress(label);
      }
      Digests dg = w.commit("", -1, service);
      ++res_.files;
      res_.bytes += dg.size;
      d.sha256 = dg.sha256;
      d.bytes = dg.size;
      if (dg.size == 0) {
        d.status = "unavailable";
        res_.notes.push_back(service + " returned no data");
      }
    } catch (const AdbError& e) {
      d.status = "failed";
      d.error = e.what();
      record(d);
      throw;
    }
    record(d);
  }

  void backup() {
    if (o_.on_message)
      o_.on_message(
          "Confirm the backup on the phone (\"Back up my data\"); leave the password empty or note it / "
          "端末で「データをバックアップ」をタップしてください");
    c_.set_timeout(std::chrono::minutes(10));
    stream_to("backup/backup.ab", "backup:" + o_.backup_args, "adb backup");
    c_.set_timeout(std::chrono::seconds(30));
  }

  void root_tar() {
    ShellResult id = logical_command("su_id", "su -c id", false);
    if (id.out.find("uid=0") == std::string::npos) {
      res_.notes.push_back(
          "--root: the device is not rooted (`su -c id` did not give uid 0); /data not acquired");
      ++res_.problems;
      return;
    }
    stream_to("root/data.tar", "exec:su -c 'tar -cf - /data'", "su tar /data");
  }

  Connection& c_;
  const AcquireOptions& o_;
  Container box_;
  AcquireResult res_;
  AcquireProgress prog_;
  json status_;
};

}  // namespace

AcquireResult acquire_logical(Connection& c, const AcquireOptions& options) {
  return Acquirer(c, options).run();
}

}  // namespace kanshiki::adb
