#include "acquire/ios/acquisition.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <libimobiledevice/afc.h>
#include <libimobiledevice/libimobiledevice.h>
#include <libimobiledevice/lockdown.h>
#include <libimobiledevice/mobilebackup2.h>
#include <libimobiledevice/notification_proxy.h>
#include <libimobiledevice/syslog_relay.h>
#include <plist/plist.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <usbmuxd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/case_db.h"
#include "hashing/multi_hash.h"

namespace kanshiki::ios_acquire {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr const char* kLabel = "kanshiki";
constexpr char kCodeFileData = 0x0C, kCodeSuccess = 0x00, kCodeErrorLocal = 0x06, kCodeErrorRemote = 0x0B;

struct Stop {
  Failure failure;
  std::string message;
};

struct PlistFree {
  void operator()(plist_t p) const { plist_free(p); }
};
using PlistPtr = std::unique_ptr<void, PlistFree>;

std::string plist_string(plist_t n) {
  if (!n) return "";
  switch (plist_get_node_type(n)) {
    case PLIST_STRING: {
      char* s = nullptr;
      plist_get_string_val(n, &s);
      std::string out = s ? s : "";
      free(s);
      return out;
    }
    case PLIST_BOOLEAN: {
      uint8_t b = 0;
      plist_get_bool_val(n, &b);
      return b ? "true" : "false";
    }
    case PLIST_UINT: {
      uint64_t v = 0;
      plist_get_uint_val(n, &v);
      return std::to_string(v);
    }
    default:
      return "";
  }
}

std::string dl_item_string(plist_t msg, uint32_t i) {
  return i < plist_array_get_size(msg) ? plist_string(plist_array_get_item(msg, i)) : "";
}

// The connection to one device: idevice + lockdownd session, freed in order.
struct Device {
  idevice_t dev = nullptr;
  lockdownd_client_t lockdown = nullptr;
  std::string udid;
  ~Device() {
    if (lockdown) lockdownd_client_free(lockdown);
    if (dev) idevice_free(dev);
  }
};

void message(const AcquireOptions& o, const std::string& m) {
  if (o.on_message) o.on_message(m);
}
void step(const AcquireOptions& o, Step s) {
  if (o.on_step) o.on_step(s);
}

// Connects and completes the lockdown handshake, pairing if needed with a clear Trust flow.
void connect(const AcquireOptions& o, Device& d, AcquireResult& r) {
  std::string udid = o.udid;
  if (udid.empty()) {
    auto all = list_devices();
    if (all.empty())
      throw Stop{Failure::no_device,
                 "no iPhone/iPad found through usbmuxd (is it plugged in?) / 端末が見つかりません"};
    if (all.size() > 1)
      throw Stop{Failure::no_device,
                 fmt::format("{} devices attached; choose one with --udid / 複数の端末が接続されています",
                             all.size())};
    udid = all.front();
  }
  if (!o.pair_record_file.empty()) {
    // A seized computer's lockdown record: lets us in without a new Trust prompt (the device must still know
    // it).
    std::ifstream in(o.pair_record_file, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), {});
    if (data.empty())
      throw Stop{Failure::host_error, "cannot read pair record " + o.pair_record_file.string()};
    if (usbmuxd_save_pair_record(udid.c_str(), data.data(), static_cast<uint32_t>(data.size())) != 0)
      throw Stop{Failure::host_error, "usbmuxd refused the pair record " + o.pair_record_file.string()};
    step(o, {"pair record loaded", "ok", {{"file", fs::absolute(o.pair_record_file).string()}}});
  }
  if (idevice_new_with_options(&d.dev, udid.c_str(), IDEVICE_LOOKUP_USBMUX) != IDEVICE_E_SUCCESS)
    throw Stop{Failure::no_device, "device " + udid + " not found through usbmuxd / 端末が見つかりません"};
  d.udid = udid;

  auto deadline = Clock::now() + std::chrono::seconds(o.trust_wait_s);
  bool told = false;
  for (;;) {
    lockdownd_error_t e = lockdownd_client_new_with_handshake(d.dev, &d.lockdown, kLabel);
    if (e == LOCKDOWN_E_SUCCESS) break;
    if (e == LOCKDOWN_E_USER_DENIED_PAIRING)
      throw Stop{
          Failure::trust_refused,
          "the device refused to trust this computer (\"Don't Trust\" was tapped); unplug, re-plug and tap "
          "Trust / 端末で「信頼しない」が選択されました"};
    bool waiting = e == LOCKDOWN_E_PAIRING_DIALOG_RESPONSE_PENDING || e == LOCKDOWN_E_PASSWORD_PROTECTED;
    if (!waiting)
      throw Stop{Failure::no_device,
                 fmt::format("lockdownd handshake failed (error {})", static_cast<int>(e))};
    if (!told) {
      message(o,
              e == LOCKDOWN_E_PASSWORD_PROTECTED
                  ? "Unlock the phone with its passcode, then tap \"Trust\" / "
                    "端末のロックを解除し「信頼」をタップしてください"
                  : "Tap \"Trust\" on the phone and enter its passcode / 端末で「信頼」をタップしてください");
      told = true;
    }
    if (Clock::now() > deadline)
      throw Stop{e == LOCKDOWN_E_PASSWORD_PROTECTED ? Failure::locked : Failure::trust_pending,
                 e == LOCKDOWN_E_PASSWORD_PROTECTED
                     ? "the device stayed locked (passcode) / 端末がロックされたままです"
                     : "the Trust dialog was not answered in time / 「信頼」の応答がありません"};
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }

  // Device facts: the whole lockdown root domain, plus backup encryption.
  plist_t root = nullptr;
  if (lockdownd_get_value(d.lockdown, nullptr, nullptr, &root) == LOCKDOWN_E_SUCCESS && root) {
    PlistPtr keep(root);
    plist_dict_iter it = nullptr;
    plist_dict_new_iter(root, &it);
    for (;;) {
      char* key = nullptr;
      plist_t val = nullptr;
      plist_dict_next_item(root, it, &key, &val);
      if (!key) break;
      std::string v = plist_string(val);
      if (!v.empty()) r.facts[key] = v;
      free(key);
    }
    free(it);
  }
  plist_t will = nullptr;
  if (lockdownd_get_value(d.lockdown, "com.apple.mobile.backup", "WillEncrypt", &will) ==
          LOCKDOWN_E_SUCCESS &&
      will) {
    r.encrypted = plist_string(will) == "true";
    plist_free(will);
  }
  r.facts["WillEncrypt"] = r.encrypted ? "true" : "false";
  r.facts["UniqueDeviceID"] = udid;
  step(o, {"device facts", "ok", r.facts});
}

// Device-named backup paths ("<UDID>/ab/abcd…") inside the container's backup folder; anything that could
// climb out (absolute, "..") is refused.
fs::path local_path(const fs::path& root, const std::string& udid, const std::string& device_path) {
  std::string p = device_path;
  if (p.rfind(udid + "/", 0) == 0)
    p = p.substr(udid.size() + 1);
  else if (p == udid)
    p.clear();
  fs::path rel = fs::path(p).lexically_normal();
  if (rel.is_absolute() || (!rel.empty() && *rel.begin() == ".."))
    throw Stop{Failure::protocol_error, "device named a path outside the backup: " + device_path};
  return rel.empty() || rel == "." ? root : root / rel;
}

std::string tsv(std::string_view s) {
  std::string out;
  for (char c : s) out += (c == '\t' || c == '\n') ? ' ' : c;
  return out;
}

class BackupSession {
 public:
  BackupSession(const AcquireOptions& o, Device& d, AcquireResult& r) : o_(o), d_(d), r_(r) {}
  ~BackupSession() {
    if (mb2_) mobilebackup2_client_free(mb2_);
    if (np_) np_client_free(np_);
  }

  void run() {
    r_.backup_dir = o_.container / "backup";
    fs::create_directories(r_.backup_dir);
    r_.manifest = o_.container / "manifest.tsv";
    bool fresh = !fs::exists(r_.manifest);
    manifest_.open(r_.manifest, std::ios::app | std::ios::binary);
    if (!manifest_) throw Stop{Failure::host_error, "cannot write " + r_.manifest.string()};
    if (fresh) manifest_ << "path\tsize\tmd5\tsha1\tsha256\treceived_utc\n";

    lockdownd_service_descriptor_t svc = nullptr;
    if (lockdownd_start_service(d_.lockdown, NP_SERVICE_NAME, &svc) == LOCKDOWN_E_SUCCESS && svc) {
      np_client_new(d_.dev, svc, &np_);
      if (np_) np_post_notification(np_, NP_SYNC_WILL_START);
    }
    if (svc) lockdownd_service_descriptor_free(svc);
    svc = nullptr;
    lockdownd_error_t le =
        lockdownd_start_service_with_escrow_bag(d_.lockdown, MOBILEBACKUP2_SERVICE_NAME, &svc);
    if (le != LOCKDOWN_E_SUCCESS || !svc || !svc->port) {
      if (svc) lockdownd_service_descriptor_free(svc);
      throw Stop{
          Failure::service_refused,
          fmt::format(
              "the device refused the backup service com.apple.mobilebackup2 (lockdown error {}); unlock "
              "it and try again / バックアップサービスが拒否されました",
              static_cast<int>(le))};
    }
    mobilebackup2_error_t me = mobilebackup2_client_new(d_.dev, svc, &mb2_);
    lockdownd_service_descriptor_free(svc);
    if (me != MOBILEBACKUP2_E_SUCCESS)
      throw Stop{Failure::protocol_error,
                 fmt::format("mobilebackup2 connect failed ({})", static_cast<int>(me))};
    double versions[2] = {2.0, 2.1}, remote = 0;
    if (mobilebackup2_version_exchange(mb2_, versions, 2, &remote) != MOBILEBACKUP2_E_SUCCESS)
      throw Stop{Failure::protocol_error, "mobilebackup2 protocol version exchange failed"};
    step(o_, {"backup service", "ok", {{"protocol_version", fmt::format("{:.1f}", remote)}}});

    if (o_.temporary_password) set_temporary_encryption();
    struct Restore {  // encryption goes back off whatever happens during the backup
      BackupSession& s;
      ~Restore() {
        if (s.r_.temporary_encryption && !s.restore_tried_) s.restore_encryption();
      }
    } restore{*this};

    write_info_plist();
    PlistPtr opts(plist_new_dict());
    plist_dict_set_item(opts.get(), "ForceFullBackup", plist_new_bool(1));
    if (mobilebackup2_send_request(mb2_, "Backup", d_.udid.c_str(), d_.udid.c_str(), opts.get()) !=
        MOBILEBACKUP2_E_SUCCESS)
      throw Stop{Failure::service_refused, "the device did not accept the backup request"};
    step(o_, {"backup requested",
              "ok",
              {{"full", "true"}, {"encrypted_by_device", r_.encrypted ? "true" : "false"}}});
    loop();
    if (np_) np_post_notification(np_, NP_SYNC_DID_FINISH);
    if (r_.temporary_encryption) restore_encryption();
  }

  // ChangePassword answers with a DLMessageProcessMessage; returns its ErrorCode (or throws when gone).
  uint64_t change_password(const char* key, const std::string& password) {
    PlistPtr opts(plist_new_dict());
    plist_dict_set_item(opts.get(), key, plist_new_string(password.c_str()));
    if (mobilebackup2_send_message(mb2_, "ChangePassword", opts.get()) != MOBILEBACKUP2_E_SUCCESS)
      throw Stop{Failure::disconnected, "cannot send ChangePassword to the device"};
    auto start = Clock::now();
    for (;;) {
      plist_t raw = nullptr;
      char* name = nullptr;
      mobilebackup2_error_t e = mobilebackup2_receive_message(mb2_, &raw, &name);
      PlistPtr msg(raw);
      std::string dl = name ? name : "";
      free(name);
      if (e == MOBILEBACKUP2_E_SUCCESS && dl == "DLMessageProcessMessage") {
        plist_t body = plist_array_get_item(raw, 1);
        plist_t n = body ? plist_dict_get_item(body, "ErrorCode") : nullptr;
        uint64_t code = 0;
        if (n && plist_get_node_type(n) == PLIST_UINT) plist_get_uint_val(n, &code);
        return code;
      }
      // The phone may ask for its passcode first: keep waiting while the examiner enters it.
      if (Clock::now() - start > std::chrono::seconds(o_.trust_wait_s))
        throw Stop{Failure::device_error, "the device did not answer the backup password change in time"};
    }
  }

  void set_temporary_encryption() {
    if (r_.encrypted) {
      r_.notes.push_back(
          "the device already encrypts its backups: no temporary password set (its own password is needed)");
      step(o_, {"temporary backup encryption",
                "warnings",
                {{"note", "device already encrypts backups; nothing changed"}}});
      return;
    }
    message(o_,
            "Turning backup encryption on with a temporary password; the phone may ask for its passcode / "
            "一時パスワードでバックアップ暗号化を有効にします（端末でパスコード入力が必要な場合があります）");
    uint64_t code = change_password("NewPassword", *o_.temporary_password);
    if (code != 0) {
      step(o_, {"temporary backup encryption", "failed", {{"device_error_code", std::to_string(code)}}});
      throw Stop{
          Failure::device_error,
          fmt::format(
              "the device refused to turn backup encryption on (ErrorCode {}) / 暗号化の設定が拒否されました",
              code)};
    }
    r_.temporary_encryption = true;
    r_.encrypted = true;
    r_.facts["WillEncrypt"] = "true (temporary password set by the examiner for this acquisition)";
    step(o_, {"temporary backup encryption",
              "ok",
              {{"state_before", "WillEncrypt false"},
               {"state_after", "WillEncrypt true"},
               {"password", "not recorded"}}});
  }

  void restore_encryption() {
    restore_tried_ = true;
    try {
      uint64_t code = change_password("OldPassword", *o_.temporary_password);
      r_.encryption_restored = code == 0;
      step(o_, {"backup encryption restored",
                code == 0 ? "ok" : "failed",
                {{"state_after", code == 0 ? "WillEncrypt false (as before)"
                                           : "still encrypted with the temporary password"},
                 {"device_error_code", std::to_string(code)}}});
    } catch (const Stop& s) {
      step(o_, {"backup encryption restored", "failed", {{"error", s.message}}});
    }
    if (!r_.encryption_restored) {
      r_.notes.push_back(
          "backup encryption could NOT be turned off again: the phone keeps the temporary password");
      message(o_,
              "WARNING: backup encryption is still on with the temporary password; turn it off with "
              "`idevicebackup2 encryption off` / 警告: 一時パスワードによる暗号化が残っています");
    }
  }

 private:
  void write_info_plist() {
    // The host writes Info.plist (the device does not send it), from lockdown values, as iTunes does.
    PlistPtr info(plist_new_dict());
    auto put = [&](const char* key, const std::string& fact) {
      auto it = r_.facts.find(fact);
      if (it != r_.facts.end()) plist_dict_set_item(info.get(), key, plist_new_string(it->second.c_str()));
    };
    put("Build Version", "BuildVersion");
    put("Device Name", "DeviceName");
    put("Display Name", "DeviceName");
    put("ICCID", "IntegratedCircuitCardIdentity");
    put("IMEI", "InternationalMobileEquipmentIdentity");
    put("MEID", "MobileEquipmentIdentifier");
    put("Phone Number", "PhoneNumber");
    put("Product Type", "ProductType");
    put("Product Version", "ProductVersion");
    put("Serial Number", "SerialNumber");
    put("Target Identifier", "UniqueDeviceID");
    put("Unique Identifier", "UniqueDeviceID");
    plist_dict_set_item(info.get(), "Target Type", plist_new_string("Device"));
    auto now = std::chrono::system_clock::now();
    int64_t unix_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    plist_dict_set_item(info.get(), "Last Backup Date",
                        plist_new_date(static_cast<int32_t>(unix_s - 978307200), 0));
    char* xml = nullptr;
    uint32_t len = 0;
    plist_to_xml(info.get(), &xml, &len);
    land("Info.plist", [&](const std::function<void(const char*, size_t)>& write) { write(xml, len); });
    free(xml);
  }

  // Writes one file to <backup>/<rel>.partial while hashing it, then renames it and records it in
  // manifest.tsv.
  template <typename Body>
  void land(const fs::path& rel, Body&& body) {
    fs::path final_path = r_.backup_dir / rel;
    fs::create_directories(final_path.parent_path());
    fs::path partial = final_path;
    partial += ".partial";
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out) throw Stop{Failure::host_error, "cannot create " + partial.string()};
    MultiHasher hasher;
    body([&](const char* data, size_t n) {
      out.write(data, static_cast<std::streamsize>(n));
      if (!out) throw Stop{Failure::host_error, "cannot write " + partial.string() + " (disk full?)"};
      hasher.update(data, n);
    });
    out.close();
    if (!out) throw Stop{Failure::host_error, "cannot write " + partial.string() + " (disk full?)"};
    Digests dg = hasher.finish();
    fs::rename(partial, final_path);
    manifest_ << tsv(rel.string()) << '\t' << dg.size << '\t' << dg.md5 << '\t' << dg.sha1 << '\t'
              << dg.sha256 << '\t' << now_utc_iso() << '\n';
    manifest_.flush();
    ++r_.files;
    r_.bytes += dg.size;
  }

  // Raw bytes from the device; a dead connection is a disconnect.
  void read_raw(char* buf, uint32_t n) {
    uint32_t got = 0;
    auto last = Clock::now();
    while (got < n) {
      uint32_t r = 0;
      mobilebackup2_error_t e = mobilebackup2_receive_raw(mb2_, buf + got, n - got, &r);
      if (e != MOBILEBACKUP2_E_SUCCESS && e != MOBILEBACKUP2_E_RECEIVE_TIMEOUT)
        throw Stop{Failure::disconnected,
                   "the device stopped sending (cable pulled?) / 端末との接続が切れました"};
      if (r == 0) {
        if (Clock::now() - last > std::chrono::seconds(o_.io_timeout_s))
          throw Stop{Failure::disconnected,
                     "the device stopped sending (cable pulled?) / 端末との接続が切れました"};
        continue;
      }
      got += r;
      last = Clock::now();
    }
  }
  uint32_t read_be32() {
    uint32_t be = 0;
    read_raw(reinterpret_cast<char*>(&be), 4);
    return ntohl(be);
  }
  void send_raw(const void* data, uint32_t n) {
    uint32_t sent = 0;
    if (mobilebackup2_send_raw(mb2_, static_cast<const char*>(data), n, &sent) != MOBILEBACKUP2_E_SUCCESS ||
        sent != n)
      throw Stop{Failure::disconnected,
                 "cannot send to the device (cable pulled?) / 端末との接続が切れました"};
  }
  void status(int code, const char* desc, plist_t extra = nullptr) {
    PlistPtr empty(extra ? nullptr : plist_new_dict());
    mobilebackup2_send_status_response(mb2_, code, desc, extra ? extra : empty.get());
  }

  void progress(plist_t msg, uint32_t index) {
    if (index < plist_array_get_size(msg)) {
      plist_t n = plist_array_get_item(msg, index);
      if (plist_get_node_type(n) == PLIST_REAL) plist_get_real_val(n, &prog_.device_percent);
    }
    if (o_.on_progress) o_.on_progress(prog_);
  }

  void receive_files(plist_t msg) {
    if (plist_array_get_size(msg) > 3 && plist_get_node_type(plist_array_get_item(msg, 3)) == PLIST_UINT)
      plist_get_uint_val(plist_array_get_item(msg, 3), &prog_.bytes_total);
    std::vector<char> buf(1 << 16);
    for (;;) {
      uint32_t dlen = read_be32();
      if (dlen == 0) break;  // end of the list
      if (dlen > 4096) throw Stop{Failure::protocol_error, "device sent an over-long directory name"};
      std::string dname(dlen, '\0');
      read_raw(dname.data(), dlen);
      uint32_t flen = read_be32();
      if (flen == 0 || flen > 4096) throw Stop{Failure::protocol_error, "device sent a bad file name length"};
      std::string fname(flen, '\0');
      read_raw(fname.data(), flen);
      fs::path rel = fs::relative(local_path(r_.backup_dir, d_.udid, fname), r_.backup_dir);
      prog_.current = rel.string();
      std::string remote_error;
      land(rel, [&](const std::function<void(const char*, size_t)>& write) {
        char last_code = 0;
        for (;;) {
          uint32_t blen = read_be32();
          if (blen == 0) throw Stop{Failure::protocol_error, "device ended a file without a status code"};
          char code = 0;
          read_raw(&code, 1);
          uint32_t left = blen - 1;
          if (code == kCodeFileData) {
            while (left > 0) {
              uint32_t n = std::min<uint32_t>(left, static_cast<uint32_t>(buf.size()));
              read_raw(buf.data(), n);
              write(buf.data(), n);
              left -= n;
              prog_.bytes_done += n;
            }
            if (o_.on_progress) o_.on_progress(prog_);
            last_code = code;
            continue;
          }
          std::string text(left, '\0');
          if (left) read_raw(text.data(), left);
          // 0x0B right after data is the device's normal end marker, not an error (idevicebackup2 agrees).
          if (code == kCodeErrorRemote && last_code != kCodeFileData)
            remote_error = text;
          else if (code != kCodeSuccess && code != kCodeErrorRemote)
            remote_error = fmt::format("unknown status code 0x{:02x}", static_cast<unsigned>(code));
          break;
        }
      });
      if (!remote_error.empty()) r_.notes.push_back(rel.string() + ": the device reported: " + remote_error);
      ++prog_.files_done;
    }
    status(0, nullptr);
  }

  void send_files(plist_t msg) {
    // The device asks for files of an earlier backup (incremental). We always take full backups into a fresh
    // folder, so each one is answered "not found"; the device then sends everything.
    plist_t paths = plist_array_get_size(msg) > 1 ? plist_array_get_item(msg, 1) : nullptr;
    PlistPtr errors(plist_new_dict());
    uint32_t n = paths && plist_get_node_type(paths) == PLIST_ARRAY ? plist_array_get_size(paths) : 0;
    for (uint32_t i = 0; i < n; ++i) {
      std::string path = plist_string(plist_array_get_item(paths, i));
      uint32_t be = htonl(static_cast<uint32_t>(path.size()));
      send_raw(&be, 4);
      send_raw(path.data(), static_cast<uint32_t>(path.size()));
      const std::string text = "No such file or directory";
      be = htonl(static_cast<uint32_t>(text.size() + 1));
      send_raw(&be, 4);
      send_raw(&kCodeErrorLocal, 1);
      send_raw(text.data(), static_cast<uint32_t>(text.size()));
      plist_t e = plist_new_dict();
      plist_dict_set_item(e, "DLFileErrorString", plist_new_string(text.c_str()));
      plist_dict_set_item(e, "DLFileErrorCode", plist_new_uint(static_cast<uint64_t>(-6)));
      plist_dict_set_item(errors.get(), path.c_str(), e);
    }
    uint32_t zero = 0;
    send_raw(&zero, 4);
    if (n)
      status(-13, "Multi status", errors.get());
    else
      status(0, nullptr);
  }

  void loop() {
    auto last = Clock::now();
    for (;;) {
      plist_t raw = nullptr;
      char* name = nullptr;
      mobilebackup2_error_t e = mobilebackup2_receive_message(mb2_, &raw, &name);
      PlistPtr msg(raw);
      std::string dl = name ? name : "";
      free(name);
      if (e != MOBILEBACKUP2_E_SUCCESS || !raw) {
        if ((e == MOBILEBACKUP2_E_RECEIVE_TIMEOUT || e == MOBILEBACKUP2_E_PLIST_ERROR) &&
            Clock::now() - last < std::chrono::seconds(o_.io_timeout_s))
          continue;  // the device is still preparing the snapshot
        throw Stop{Failure::disconnected,
                   fmt::format("the device stopped answering during the backup (error {}; cable pulled?) / "
                               "バックアップ中に端末との接続が切れました",
                               static_cast<int>(e))};
      }
      last = Clock::now();
      if (dl == "DLMessageUploadFiles") {
        progress(raw, 2);
        receive_files(raw);
      } else if (dl == "DLMessageDownloadFiles") {
        progress(raw, 3);
        send_files(raw);
      } else if (dl == "DLMessageGetFreeDiskSpace") {
        struct statvfs st {};
        uint64_t free_bytes = 0;
        int rc = statvfs(r_.backup_dir.c_str(), &st);
        if (rc == 0) free_bytes = static_cast<uint64_t>(st.f_bavail) * st.f_bsize;
        PlistPtr v(plist_new_uint(free_bytes));
        mobilebackup2_send_status_response(mb2_, rc, nullptr, v.get());
      } else if (dl == "DLMessageCreateDirectory") {
        std::error_code ec;
        fs::create_directories(local_path(r_.backup_dir, d_.udid, dl_item_string(raw, 1)), ec);
        status(ec ? -1 : 0, ec ? ec.message().c_str() : nullptr);
      } else if (dl == "DLContentsOfDirectory") {
        PlistPtr list(plist_new_dict());
        std::error_code ec;
        for (fs::directory_iterator it(local_path(r_.backup_dir, d_.udid, dl_item_string(raw, 1)), ec), end;
             !ec && it != end; it.increment(ec)) {
          plist_t f = plist_new_dict();
          plist_dict_set_item(
              f, "DLFileType",
              plist_new_string(it->is_directory() ? "DLFileTypeDirectory" : "DLFileTypeRegular"));
          plist_dict_set_item(f, "DLFileSize", plist_new_uint(it->is_regular_file() ? it->file_size() : 0));
          plist_dict_set_item(list.get(), it->path().filename().c_str(), f);
        }
        mobilebackup2_send_status_response(mb2_, 0, nullptr, list.get());
      } else if (dl == "DLMessageMoveFiles" || dl == "DLMessageMoveItems") {
        progress(raw, 3);
        plist_t moves = plist_array_get_item(raw, 1);
        plist_dict_iter it = nullptr;
        plist_dict_new_iter(moves, &it);
        int code = 0;
        for (;;) {
          char* from = nullptr;
          plist_t to = nullptr;
          plist_dict_next_item(moves, it, &from, &to);
          if (!from) break;
          std::error_code ec;
          fs::path dst = local_path(r_.backup_dir, d_.udid, plist_string(to));
          fs::remove_all(dst, ec);
          fs::rename(local_path(r_.backup_dir, d_.udid, from), dst, ec);
          if (ec) code = -1;
          r_.notes.push_back(fmt::format("device moved {} to {}", from, plist_string(to)));
          free(from);
        }
        free(it);
        status(code, code ? "move failed" : nullptr);
      } else if (dl == "DLMessageRemoveFiles" || dl == "DLMessageRemoveItems") {
        progress(raw, 3);
        plist_t items = plist_array_get_item(raw, 1);
        for (uint32_t i = 0; items && i < plist_array_get_size(items); ++i) {
          std::error_code ec;
          std::string p = plist_string(plist_array_get_item(items, i));
          fs::remove_all(local_path(r_.backup_dir, d_.udid, p), ec);
          r_.notes.push_back("device removed " + p);
        }
        status(0, nullptr);
      } else if (dl == "DLMessageCopyItem") {
        std::error_code ec;
        fs::copy(local_path(r_.backup_dir, d_.udid, dl_item_string(raw, 1)),
                 local_path(r_.backup_dir, d_.udid, dl_item_string(raw, 2)), fs::copy_options::recursive, ec);
        status(ec ? -1 : 0, ec ? ec.message().c_str() : nullptr);
      } else if (dl == "DLMessageProcessMessage") {
        plist_t body = plist_array_get_item(raw, 1);
        uint64_t code = 0;
        plist_t n = body ? plist_dict_get_item(body, "ErrorCode") : nullptr;
        if (n && plist_get_node_type(n) == PLIST_UINT) plist_get_uint_val(n, &code);
        if (code != 0) {
          std::string desc = body ? plist_string(plist_dict_get_item(body, "ErrorDescription")) : "";
          throw Stop{Failure::device_error, fmt::format("the device reported backup failure ErrorCode {}: {} "
                                                        "/ 端末がバックアップ失敗を報告しました",
                                                        code, desc)};
        }
        return;
      } else if (dl == "DLMessageDisconnect") {
        throw Stop{Failure::disconnected, "the device ended the backup session before reporting a result"};
      } else {
        r_.notes.push_back("unknown DeviceLink message " + dl + " answered with an error");
        status(-1, "unsupported");
      }
    }
  }

  bool restore_tried_ = false;
  const AcquireOptions& o_;
  Device& d_;
  AcquireResult& r_;
  mobilebackup2_client_t mb2_ = nullptr;
  np_client_t np_ = nullptr;
  std::ofstream manifest_;
  AcquireProgress prog_;
};

// The AFC media area, file by file, into <container>/media, each file hashed as it lands (manifest.tsv lines
// "media/<path>"). Symbolic links are named, not followed.
struct TreeCount {
  uint64_t files = 0, bytes = 0;
};

TreeCount pull_afc_tree(const AcquireOptions& o, afc_client_t afc, const std::string& subdir,
                        AcquireResult& r);

void pull_media(const AcquireOptions& o, Device& d, AcquireResult& r) {
  afc_client_t afc = nullptr;
  if (afc_client_start_service(d.dev, &afc, kLabel) != AFC_E_SUCCESS || !afc)
    throw Stop{Failure::service_refused,
               "the device refused the media service com.apple.afc / メディアサービスが拒否されました"};
  std::unique_ptr<afc_client_private, afc_error_t (*)(afc_client_t)> keep(afc, afc_client_free);
  r.media_dir = o.container / "media";
  TreeCount n = pull_afc_tree(o, afc, "media", r);
  r.media_files = n.files;
  r.media_bytes = n.bytes;
  step(o, {"media", "ok", {{"files", std::to_string(n.files)}, {"bytes", std::to_string(n.bytes)}}});
}

// Crash reports: crashreportmover moves them into the copy area and answers "ping"; then AFC over
// crashreportcopymobile (as idevicecrashreport does). Nothing is deleted on the device.
void pull_crash_reports(const AcquireOptions& o, Device& d, AcquireResult& r) {
  lockdownd_service_descriptor_t svc = nullptr;
  if (lockdownd_start_service(d.lockdown, "com.apple.crashreportmover", &svc) != LOCKDOWN_E_SUCCESS || !svc)
    throw Stop{Failure::service_refused,
               "the device refused com.apple.crashreportmover / クラッシュレポートサービスが拒否されました"};
  idevice_connection_t conn = nullptr;
  bool pinged = false;
  if (idevice_connect(d.dev, svc->port, &conn) == IDEVICE_E_SUCCESS) {
    char ping[4] = {};
    uint32_t got = 0;
    for (int attempt = 0; attempt < 10 && got < 4; ++attempt) {
      uint32_t n = 0;
      idevice_connection_receive_timeout(conn, ping + got, 4 - got, &n, 2000);
      got += n;
    }
    pinged = got == 4 && std::memcmp(ping, "ping", 4) == 0;
    idevice_disconnect(conn);
  }
  lockdownd_service_descriptor_free(svc);
  if (!pinged) r.notes.push_back("crash reports: the mover did not answer \"ping\"; copying what is there");
  svc = nullptr;
  if (lockdownd_start_service(d.lockdown, "com.apple.crashreportcopymobile", &svc) != LOCKDOWN_E_SUCCESS ||
      !svc)
    throw Stop{Failure::service_refused, "the device refused com.apple.crashreportcopymobile"};
  afc_client_t afc = nullptr;
  afc_error_t ae = afc_client_new(d.dev, svc, &afc);
  lockdownd_service_descriptor_free(svc);
  if (ae != AFC_E_SUCCESS || !afc)
    throw Stop{Failure::service_refused, "cannot open the crash report copy service"};
  std::unique_ptr<afc_client_private, afc_error_t (*)(afc_client_t)> keep(afc, afc_client_free);
  r.crash_dir = o.container / "crash_reports";
  TreeCount n = pull_afc_tree(o, afc, "crash_reports", r);
  r.crash_files = n.files;
  step(o, {"crash reports", "ok", {{"files", std::to_string(n.files)}, {"bytes", std::to_string(n.bytes)}}});
}

TreeCount pull_afc_tree(const AcquireOptions& o, afc_client_t afc, const std::string& subdir,
                        AcquireResult& r) {
  TreeCount count;
  fs::create_directories(o.container / subdir);
  std::ofstream manifest(o.container / "manifest.tsv", std::ios::app | std::ios::binary);
  std::vector<char> buf(1 << 16);
  auto info_of = [&](const std::string& path) {
    std::map<std::string, std::string> kv;
    char** info = nullptr;
    if (afc_get_file_info(afc, path.c_str(), &info) != AFC_E_SUCCESS || !info) return kv;
    for (char** p = info; p[0] && p[1]; p += 2) kv[p[0]] = p[1];
    afc_dictionary_free(info);
    return kv;
  };
  std::vector<std::string> pending = {"/"};
  while (!pending.empty()) {
    std::string dir = pending.back();
    pending.pop_back();
    char** list = nullptr;
    if (afc_read_directory(afc, dir.c_str(), &list) != AFC_E_SUCCESS || !list) {
      r.notes.push_back(subdir + ": cannot list " + dir);
      continue;
    }
    std::vector<std::string> names;
    for (char** p = list; *p; ++p) names.emplace_back(*p);
    afc_dictionary_free(list);
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      if (name == "." || name == "..") continue;
      if (name.find('/') != std::string::npos || name.empty()) {
        r.notes.push_back(subdir + ": unsafe name in " + dir + " not pulled");
        continue;
      }
      std::string path = dir == "/" ? "/" + name : dir + "/" + name;
      auto kv = info_of(path);
      std::string type = kv.count("st_ifmt") ? kv["st_ifmt"] : "";
      if (type == "S_IFDIR") {
        pending.push_back(path);
        continue;
      }
      if (type != "S_IFREG") {
        r.notes.push_back(subdir + ": " + path + " is " + (type.empty() ? "unreadable" : type) +
                          "; not pulled");
        continue;
      }
      uint64_t handle = 0;
      if (afc_file_open(afc, path.c_str(), AFC_FOPEN_RDONLY, &handle) != AFC_E_SUCCESS) {
        r.notes.push_back(subdir + ": cannot open " + path);
        continue;
      }
      fs::path rel = fs::path(subdir) / path.substr(1);
      fs::path final_path = o.container / rel, partial = final_path;
      partial += ".partial";
      fs::create_directories(final_path.parent_path());
      std::ofstream out(partial, std::ios::binary | std::ios::trunc);
      MultiHasher hasher;
      for (;;) {
        uint32_t got = 0;
        afc_error_t e = afc_file_read(afc, handle, buf.data(), static_cast<uint32_t>(buf.size()), &got);
        if (e != AFC_E_SUCCESS) {
          afc_file_close(afc, handle);
          throw Stop{
              Failure::disconnected,
              "reading " + path + " from the device failed (cable pulled?) / 端末との接続が切れました"};
        }
        if (got == 0) break;
        out.write(buf.data(), got);
        hasher.update(buf.data(), got);
      }
      afc_file_close(afc, handle);
      out.close();
      if (!out) throw Stop{Failure::host_error, "cannot write " + partial.string() + " (disk full?)"};
      Digests dg = hasher.finish();
      if (kv.count("st_size") && std::to_string(dg.size) != kv["st_size"])
        r.notes.push_back(
            fmt::format("{}: {} read {} bytes, the device listed {}", subdir, path, dg.size, kv["st_size"]));
      fs::rename(partial, final_path);
      manifest << tsv(rel.string()) << '\t' << dg.size << '\t' << dg.md5 << '\t' << dg.sha1 << '\t'
               << dg.sha256 << '\t' << now_utc_iso() << '\n';
      ++count.files;
      count.bytes += dg.size;
    }
  }
  manifest.flush();
  return count;
}

// The live system log for a set time, bytes exactly as the relay sends them (NUL-separated lines), hashed.
void capture_syslog(const AcquireOptions& o, Device& d, AcquireResult& r) {
  syslog_relay_client_t sys = nullptr;
  if (syslog_relay_client_start_service(d.dev, &sys, kLabel) != SYSLOG_RELAY_E_SUCCESS || !sys)
    throw Stop{Failure::service_refused,
               "the device refused com.apple.syslog_relay / システムログサービスが拒否されました"};
  std::unique_ptr<syslog_relay_client_private, syslog_relay_error_t (*)(syslog_relay_client_t)> keep(
      sys, syslog_relay_client_free);
  r.syslog_file = o.container / "syslog.raw";
  fs::path partial = r.syslog_file;
  partial += ".partial";
  std::ofstream out(partial, std::ios::binary | std::ios::trunc);
  MultiHasher hasher;
  std::vector<char> buf(1 << 14);
  auto end = Clock::now() + std::chrono::seconds(o.syslog_seconds);
  message(o, fmt::format("Capturing the system log for {} s / システムログを{}秒間取得します",
                         o.syslog_seconds, o.syslog_seconds));
  while (Clock::now() < end) {
    uint32_t got = 0;
    syslog_relay_error_t e =
        syslog_relay_receive_with_timeout(sys, buf.data(), static_cast<uint32_t>(buf.size()), &got, 200);
    if (e != SYSLOG_RELAY_E_SUCCESS && e != SYSLOG_RELAY_E_TIMEOUT) {
      r.notes.push_back("syslog: the relay closed before the capture time was over");
      break;
    }
    if (got == 0) continue;
    out.write(buf.data(), got);
    hasher.update(buf.data(), got);
  }
  out.close();
  if (!out) throw Stop{Failure::host_error, "cannot write " + partial.string() + " (disk full?)"};
  Digests dg = hasher.finish();
  fs::rename(partial, r.syslog_file);
  std::ofstream manifest(o.container / "manifest.tsv", std::ios::app | std::ios::binary);
  manifest << "syslog.raw\t" << dg.size << '\t' << dg.md5 << '\t' << dg.sha1 << '\t' << dg.sha256 << '\t'
           << now_utc_iso() << '\n';
  r.syslog_bytes = dg.size;
  step(o, {"syslog capture",
           "ok",
           {{"seconds", std::to_string(o.syslog_seconds)},
            {"bytes", std::to_string(dg.size)},
            {"sha256", dg.sha256}}});
}

void write_status(const AcquireOptions& o, const AcquireResult& r, const std::string& status) {
  json j{{"platform", "ios"},
         {"method", "mobilebackup2 full backup (libimobiledevice)"},
         {"status", status},
         {"updated_utc", now_utc_iso()},
         {"device_facts", r.facts},
         {"encrypted_by_device", r.encrypted},
         {"files", r.files},
         {"bytes", r.bytes},
         {"media_files", r.media_files},
         {"media_bytes", r.media_bytes},
         {"notes", r.notes}};
  if (!r.error.empty()) {
    j["error"] = r.error;
    j["failure"] = failure_name(r.failure);
  }
  std::ofstream out(o.container / "acquisition.json", std::ios::trunc);
  out << j.dump(2) << "\n";
}

AcquireResult run(const AcquireOptions& o, bool backup) {
  AcquireResult r;
  std::error_code ec;
  fs::create_directories(o.container, ec);
  try {
    Device d;
    connect(o, d, r);
    // Keep the pairing record with the case: it is what let this computer in.
    char* rec = nullptr;
    uint32_t len = 0;
    if (usbmuxd_read_pair_record(d.udid.c_str(), &rec, &len) == 0 && rec) {
      fs::path p = o.container / "pair_record.plist";
      int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);  // holds private keys
      if (fd >= 0) {
        ssize_t w = ::write(fd, rec, len);
        ::close(fd);
        step(o,
             {"pair record kept", w == static_cast<ssize_t>(len) ? "ok" : "failed", {{"file", p.string()}}});
      }
      free(rec);
    }
    if (!backup) {
      r.complete = true;
      return r;
    }
    write_status(o, r, "in_progress");
    BackupSession session(o, d, r);
    session.run();
    // The device wrote Status.plist last: the snapshot must say it finished.
    plist_t st = nullptr;
    {
      std::ifstream in(r.backup_dir / "Status.plist", std::ios::binary);
      std::string data((std::istreambuf_iterator<char>(in)), {});
      if (!data.empty()) plist_from_memory(data.data(), static_cast<uint32_t>(data.size()), &st);
    }
    PlistPtr keep(st);
    std::string state = st ? plist_string(plist_dict_get_item(st, "SnapshotState")) : "";
    if (state != "finished")
      throw Stop{Failure::device_error,
                 "backup ended but Status.plist SnapshotState is '" + state + "', not 'finished'"};
    step(o, {"backup", "ok", {{"files", std::to_string(r.files)}, {"bytes", std::to_string(r.bytes)}}});
    if (o.media) pull_media(o, d, r);
    if (o.crash_reports) pull_crash_reports(o, d, r);
    if (o.syslog_seconds > 0) capture_syslog(o, d, r);
    r.complete = true;
    write_status(o, r, "complete");
  } catch (const Stop& s) {
    r.failure = s.failure;
    r.error = s.message;
    step(o, {"backup", "failed", {{"failure", failure_name(s.failure)}, {"error", s.message}}});
    write_status(o, r, "incomplete");
  } catch (const std::exception& e) {
    r.failure = Failure::host_error;
    r.error = e.what();
    write_status(o, r, "incomplete");
  }
  return r;
}

}  // namespace

std::string failure_name(Failure f) {
  switch (f) {
    case Failure::none:
      return "none";
    case Failure::no_device:
      return "no_device";
    case Failure::locked:
      return "locked";
    case Failure::trust_refused:
      return "trust_refused";
    case Failure::trust_pending:
      return "trust_pending";
    case Failure::service_refused:
      return "service_refused";
    case Failure::disconnected:
      return "disconnected";
    case Failure::device_error:
      return "device_error";
    case Failure::host_error:
      return "host_error";
    case Failure::protocol_error:
      return "protocol_error";
  }
  return "unknown";
}

std::vector<std::string> list_devices() {
  std::vector<std::string> out;
  char** list = nullptr;
  int count = 0;
  if (idevice_get_device_list(&list, &count) != IDEVICE_E_SUCCESS) return out;
  for (int i = 0; i < count; ++i) out.emplace_back(list[i]);
  idevice_device_list_free(list);
  return out;
}

AcquireResult read_facts(const AcquireOptions& options) { return run(options, false); }
AcquireResult acquire_backup(const AcquireOptions& options) { return run(options, true); }

}  // namespace kanshiki::ios_acquire
