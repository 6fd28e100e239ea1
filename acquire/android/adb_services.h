#pragma once
// ADB services used for acquisition: shell (v2 with exit code and separate stderr, or v1), sync
// (STAT/LIST/RECV and their v2 forms) and backup. Byte framing inside a stream is parsed from a reassembly
// buffer (AdbStream), so frames split across or packed into WRTE payloads are handled.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "acquire/android/adb_protocol.h"

namespace kanshiki::adb {

struct ShellResult {
  std::string out, err;
  int exit_code = -1;  // -1: unknown (shell v1 has no exit status)
};

// Runs a command. Uses shell v2 when the device supports it (exit code, stderr apart), else `shell:` v1.
ShellResult shell(Connection& c, const std::string& command);
// Streams stdout of a command (exec: — binary-safe, no pty) to `sink`; returns the byte count.
uint64_t exec_stream(Connection& c, const std::string& command,
                     const std::function<void(const char*, size_t)>& sink);

struct FileStat {
  bool exists = false;
  uint32_t mode = 0, uid = 0, gid = 0;
  uint64_t size = 0;
  int64_t atime = 0, mtime = 0, ctime = 0;
  uint32_t error = 0;  // errno from the device (v2)
  bool is_dir() const { return (mode & 0170000) == 0040000; }
  bool is_regular() const { return (mode & 0170000) == 0100000; }
  bool is_link() const { return (mode & 0170000) == 0120000; }
};

struct DirEntry {
  std::string name;
  FileStat stat;
};

// One `sync:` session.
class SyncSession {
 public:
  explicit SyncSession(Connection& c);
  ~SyncSession();
  FileStat stat(const std::string& path);  // lstat: STA2/LST2 when supported, else STAT (32-bit size)
  std::vector<DirEntry> list(const std::string& path);  // LIS2 or LIST, without "." and ".."
  // RECV: streams the file to sink; returns bytes received. Throws AdbError(device_error) on FAIL.
  uint64_t recv(const std::string& path, const std::function<void(const char*, size_t)>& sink);
  bool v2() const { return stat_v2_; }

 private:
  void request(const char id[4], const std::string& path);
  Connection& c_;
  std::unique_ptr<AdbStream> s_;
  bool stat_v2_ = false, ls_v2_ = false;
};

}  // namespace kanshiki::adb
