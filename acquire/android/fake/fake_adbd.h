#pragma once
// A fake Android device speaking the real ADB protocol on 127.0.0.1 (TCP), for tests and benchmarks without a
// phone. It serves a folder as the device's file system (sync:), canned shell replies (shell v1/v2, exec:),
// getprop from a property table, and a canned .ab for backup:. Switches: protocol version, max payload, auth
// mode, features, split WRTE payloads, and faults (drop the connection mid-file, bad checksums on the old
// protocol, slow device). Debian's real `adb` accepts it (tests/test_acquire_android.cpp, fidelity test).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "acquire/android/adb_protocol.h"

namespace kanshiki::adb::fake {

struct ShellReply {
  std::string out, err;
  int exit_code = 0;
};

struct FakeDevice {
  std::filesystem::path root;                  // the device's "/" (an extracted sample tree)
  std::map<std::string, std::string> props;    // getprop
  std::map<std::string, ShellReply> commands;  // exact command line -> reply
  std::filesystem::path backup_file;           // streamed for backup:... (empty: the service is refused)
  std::string product = "kanshiki_fake", model = "Pixel 7", device = "panther";
};

enum class AuthMode {
  none,        // ro.adb.secure=0: CNXN right away
  known_keys,  // signature checked against known_keys; an unknown key is offered and the user accepts it
  reject,      // the user denies the prompt: the connection is closed after RSAPUBLICKEY
  no_answer,   // the prompt is never answered (the host should time out)
};

struct FakeOptions {
  uint32_t version = kVersionSkipChecksum;
  uint32_t max_payload = kMaxPayload;
  AuthMode auth = AuthMode::none;
  std::vector<std::string> known_keys;  // adbkey.pub lines
  std::vector<std::string> features = {"shell_v2", "cmd", "stat_v2", "ls_v2"};
  size_t split_writes = 0;  // > 0: WRTE payloads cut into pseudo-random pieces of at most this size
  int64_t drop_after_file_bytes = -1;  // >= 0: close the connection after sending that many RECV bytes
  bool bad_checksum = false;           // corrupt data_check on every message (matters on version 0x01000000)
  std::chrono::milliseconds delay{0};  // sleep before every message sent (a slow device)
};

class FakeAdbd {
 public:
  FakeAdbd(FakeDevice device, FakeOptions options = {});
  ~FakeAdbd();
  FakeAdbd(const FakeAdbd&) = delete;
  FakeAdbd& operator=(const FakeAdbd&) = delete;

  uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // Options for connections accepted from now on.
  void set_options(FakeOptions options);
  FakeOptions options() const;
  int connections() const { return connections_.load(); }
  void stop();

 private:
  void accept_loop();
  void serve(int fd);

  FakeDevice device_;
  mutable std::mutex mu_;
  FakeOptions options_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  std::vector<std::thread> workers_;
  std::vector<int> open_fds_;
};

// A device populated from a folder: props and canned replies for getprop, pm list packages -f, dumpsys,
// content query (sms, call_log, contacts) built from `root`'s sample data where present.
FakeDevice sample_device(const std::filesystem::path& root);

}  // namespace kanshiki::adb::fake
