#include "acquire/android/adb_services.h"

#include <fmt/format.h>

#include <cstring>

namespace kanshiki::adb {
namespace {

uint32_t le32(const unsigned char* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
uint64_t le64(const unsigned char* p) { return uint64_t(le32(p)) | uint64_t(le32(p + 4)) << 32; }
std::string u32le(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[static_cast<size_t>(i)] = static_cast<char>(v >> (8 * i));
  return s;
}

// stat_v2 fields after the 4-byte id: error, dev, ino, mode, nlink, uid, gid, size, atime, mtime, ctime (68
// bytes).
FileStat parse_stat_v2(const unsigned char* p) {
  FileStat st;
  st.error = le32(p);
  st.mode = le32(p + 20);
  st.uid = le32(p + 28);
  st.gid = le32(p + 32);
  st.size = le64(p + 36);
  st.atime = static_cast<int64_t>(le64(p + 44));
  st.mtime = static_cast<int64_t>(le64(p + 52));
  st.ctime = static_cast<int64_t>(le64(p + 60));
  st.exists = st.error == 0 && st.mode != 0;
  return st;
}

}  // namespace

ShellResult shell(Connection& c, const std::string& command) {
  ShellResult r;
  if (c.has_feature("shell_v2")) {
    auto s = c.open("shell,v2,raw:" + command);
    unsigned char head[5];
    for (;;) {
      size_t first = s->read(head, 1);
      if (first == 0) break;
      s->read_exact(head + 1, 4);
      uint32_t len = le32(head + 1);
      std::string data(len, '\0');
      if (len) s->read_exact(data.data(), len);
      if (head[0] == 1)
        r.out += data;
      else if (head[0] == 2)
        r.err += data;
      else if (head[0] == 3 && !data.empty())
        r.exit_code = static_cast<unsigned char>(data[0]);
      if (head[0] == 3) break;
    }
    return r;
  }
  auto s = c.open("shell:" + command);
  char buf[65536];
  while (size_t n = s->read(buf, sizeof buf)) r.out.append(buf, n);
  return r;
}

uint64_t exec_stream(Connection& c, const std::string& command,
                     const std::function<void(const char*, size_t)>& sink) {
  auto s = c.open("exec:" + command);
  std::vector<char> buf(256 * 1024);
  uint64_t total = 0;
  while (size_t n = s->read(buf.data(), buf.size())) {
    sink(buf.data(), n);
    total += n;
  }
  return total;
}

SyncSession::SyncSession(Connection& c) : c_(c), s_(c.open("sync:")) {
  stat_v2_ = c.has_feature("stat_v2");
  ls_v2_ = c.has_feature("ls_v2");
}

SyncSession::~SyncSession() {
  try {
    if (s_ && !s_->closed()) s_->write(std::string("QUIT") + u32le(0));
  } catch (...) {
    // The connection may be gone already; closing is best effort.
  }
}

void SyncSession::request(const char id[4], const std::string& path) {
  if (path.size() > 1024) throw AdbError(Failure::device_error, "path longer than 1024 bytes: " + path);
  s_->write(std::string(id, 4) + u32le(static_cast<uint32_t>(path.size())) + path);
}

FileStat SyncSession::stat(const std::string& path) {
  if (stat_v2_) {
    request("LST2", path);
    unsigned char buf[72];
    s_->read_exact(buf, sizeof buf);
    if (std::memcmp(buf, "LST2", 4) != 0)
      throw AdbError(Failure::protocol, c_.describe() + ": unexpected reply to LST2 for " + path);
    return parse_stat_v2(buf + 4);
  }
  request("STAT", path);
  unsigned char buf[16];
  s_->read_exact(buf, sizeof buf);
  if (std::memcmp(buf, "STAT", 4) != 0)
    throw AdbError(Failure::protocol, c_.describe() + ": unexpected reply to STAT for " + path);
  FileStat st;
  st.mode = le32(buf + 4);
  st.size = le32(buf + 8);
  st.mtime = le32(buf + 12);
  st.exists = st.mode != 0;  // v1 cannot tell "missing" from mode 0
  return st;
}

std::vector<DirEntry> SyncSession::list(const std::string& path) {
  std::vector<DirEntry> out;
  request(ls_v2_ ? "LIS2" : "LIST", path);
  for (;;) {
    if (ls_v2_) {
      unsigned char buf[76];
      s_->read_exact(buf, sizeof buf);
      if (std::memcmp(buf, "DONE", 4) == 0) break;
      if (std::memcmp(buf, "DNT2", 4) != 0)
        throw AdbError(Failure::protocol, c_.describe() + ": unexpected reply to LIS2 for " + path);
      DirEntry e;
      e.stat = parse_stat_v2(buf + 4);
      e.stat.exists = true;
      uint32_t len = le32(buf + 72);
      if (len > 4096) throw AdbError(Failure::protocol, c_.describe() + ": directory entry name too long");
      e.name.resize(len);
      s_->read_exact(e.name.data(), len);
      if (e.name != "." && e.name != "..") out.push_back(std::move(e));
    } else {
      unsigned char buf[20];
      s_->read_exact(buf, sizeof buf);
      if (std::memcmp(buf, "DONE", 4) == 0) break;
      if (std::memcmp(buf, "DENT", 4) != 0)
        throw AdbError(Failure::protocol, c_.describe() + ": unexpected reply to LIST for " + path);
      DirEntry e;
      e.stat.mode = le32(buf + 4);
      e.stat.size = le32(buf + 8);
      e.stat.mtime = le32(buf + 12);
      e.stat.exists = true;
      uint32_t len = le32(buf + 16);
      if (len > 4096) throw AdbError(Failure::protocol, c_.describe() + ": directory entry name too long");
      e.name.resize(len);
      s_->read_exact(e.name.data(), len);
      if (e.name != "." && e.name != "..") out.push_back(std::move(e));
    }
  }
  return out;
}

uint64_t SyncSession::recv(const std::string& path, const std::function<void(const char*, size_t)>& sink) {
  request("RECV", path);
  std::vector<char> buf(64 * 1024);
  uint64_t total = 0;
  for (;;) {
    unsigned char head[8];
    s_->read_exact(head, sizeof head);
    uint32_t len = le32(head + 4);
    if (std::memcmp(head, "DATA", 4) == 0) {
      if (len > 64 * 1024) throw AdbError(Failure::protocol, c_.describe() + ": sync DATA chunk over 64 KiB");
      s_->read_exact(buf.data(), len);
      sink(buf.data(), len);
      total += len;
    } else if (std::memcmp(head, "DONE", 4) == 0) {
      return total;
    } else if (std::memcmp(head, "FAIL", 4) == 0) {
      std::string msg(std::min<uint32_t>(len, 4096), '\0');
      s_->read_exact(msg.data(), msg.size());
      throw AdbError(Failure::device_error, fmt::format("{}: cannot read {}: {}", c_.describe(), path, msg));
    } else {
      throw AdbError(Failure::protocol, c_.describe() + ": unexpected sync reply while receiving " + path);
    }
  }
}

}  // namespace kanshiki::adb
