#pragma once
// A simulated iPhone for tests without a phone: a fake usbmuxd on a UNIX socket, behind it a fake lockdownd,
// notification_proxy and mobilebackup2 (DeviceLink) serving a backup folder (e.g. samples/ios_backup or an
// encrypted one from tests/make_encrypted_ios_backup.py). The unmodified Debian libusbmuxd 2.0.2 and
// libimobiledevice 1.3.0 talk to it when USBMUXD_SOCKET_ADDRESS=UNIX:<socket> is set: `ideviceinfo` and
// `idevicebackup2 backup` succeed against it (tests/test_acquire_ios.cpp).
//
// Protocol facts used (docs: ../shared/docs/formats-and-protocols.md §2.4): usbmuxd header u32 LE
// length/version 1/message 8/tag + XML plist, replies XML; Connect carries htons(port); lockdownd and
// services u32 BE length + plist; DeviceLink version 300 offered; EnableSessionSSL false (plaintext session).
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace kanshiki::ios_sim {

struct Faults {
  bool no_pair_record = false;          // usbmuxd has no record: the host must pair ("Trust this computer")
  bool refuse_trust = false;            // Pair answered UserDeniedPairing
  int trust_after_prompts = 0;          // Pair answered PairingDialogResponsePending this many times first
  bool refuse_mobilebackup2 = false;    // StartService of mobilebackup2 refused (e.g. device locked / MDM)
  int64_t disconnect_after_bytes = -1;  // close the backup connection after this many file bytes (unplug)
  uint64_t backup_error_code = 0;       // final DLMessageProcessMessage ErrorCode (0 = success)
  size_t chunk_bytes = 65536;           // UploadFiles data block size
};

struct Config {
  std::filesystem::path socket_path;    // the fake usbmuxd listens here
  std::filesystem::path backup;         // folder served by mobilebackup2 (files relative to it)
  std::filesystem::path media;          // folder served read-only by AFC as /var/mobile/Media (empty: no AFC)
  std::filesystem::path crash_reports;  // served by crashreportmover + crashreportcopymobile (empty: refused)
  std::vector<std::string> syslog_lines;  // streamed by syslog_relay (each NUL-terminated), then idle
  std::string udid =
      "00008030001a2b3c4d5e6f7000000000000000aa";  // 40 characters (idevicebackup2 -u wants 40)
  // Lockdown root values; defaults are filled from backup/Info.plist when present.
  std::map<std::string, std::string> values;
  bool will_encrypt = false;  // com.apple.mobile.backup WillEncrypt
  // ChangePassword support: the device "encrypts" by serving this pre-encrypted copy of `backup`
  // (tests/make_encrypted_ios_backup.py) once a NewPassword equal to encrypted_password is set.
  std::filesystem::path encrypted_backup;
  std::string encrypted_password;
  bool password_protected = true;
  Faults faults;
};

class Simulator {
 public:
  explicit Simulator(Config config);
  ~Simulator();  // stops
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  void start();
  void stop();
  // "UNIX:<socket path>", the value for USBMUXD_SOCKET_ADDRESS.
  std::string mux_address() const;
  const Config& config() const { return config_; }
  Config& mutable_config() { return config_; }

  // What happened, for tests: lockdown requests ("GetValue com.apple.mobile.backup/WillEncrypt", "Pair",
  // ...), services started, backup files sent.
  std::vector<std::string> log() const;
  bool paired() const { return paired_; }
  bool will_encrypt() const { return config_.will_encrypt; }

 private:
  void accept_loop();
  void serve_mux(int fd);
  void serve_lockdown(int fd);
  void serve_notification_proxy(int fd);
  void serve_mobilebackup2(int fd);
  void serve_afc(int fd, const std::filesystem::path& root);
  void serve_syslog(int fd);
  void note(std::string line);

  Config config_;
  int listen_fd_ = -1;
  std::atomic<bool> running_{false};
  std::atomic<bool> paired_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> workers_;
  std::vector<int> open_fds_;
  std::vector<std::string> log_;
  std::string buid_ = "5A1B2C3D-0000-4000-8000-00000000CAFE";
  std::string host_id_;
  std::string device_public_key_;
  std::filesystem::path plain_backup_;  // `backup` while the encrypted copy is served
  std::atomic<int> pending_answers_{0};
};

}  // namespace kanshiki::ios_sim
