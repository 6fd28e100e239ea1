#include "acquire/android/fake/fake_adbd.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <fstream>
#include <optional>
#include <random>

namespace kanshiki::adb::fake {
namespace fs = std::filesystem;
namespace {

std::string u32le(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[static_cast<size_t>(i)] = static_cast<char>(v >> (8 * i));
  return s;
}
std::string u64le(uint64_t v) {
  return u32le(static_cast<uint32_t>(v)) + u32le(static_cast<uint32_t>(v >> 32));
}
uint32_t le32(const char* p) {
  auto u = reinterpret_cast<const unsigned char*>(p);
  return uint32_t(u[0]) | uint32_t(u[1]) << 8 | uint32_t(u[2]) << 16 | uint32_t(u[3]) << 24;
}

struct Dropped {};  // unwinds a connection that the fault switch cut

// One connection, device side.
class DeviceConnection {
 public:
  DeviceConnection(int fd, const FakeDevice& dev, FakeOptions opt)
      : t_(tcp_from_fd(fd, "fake device")), dev_(dev), opt_(std::move(opt)), rng_(42) {
    t_->set_timeout(std::chrono::seconds(120));
  }

  void run() {
    try {
      handshake();
      for (;;) {
        Message m = next();
        if (m.command == kOpen) serve_stream(m);
        // CLSE/OKAY/WRTE for streams already finished: ignore.
      }
    } catch (const Dropped&) {
    } catch (const std::exception&) {
      // Host went away: normal end of a connection.
    }
  }

 private:
  void send(uint32_t cmd, uint32_t a0, uint32_t a1, std::string payload = {}) {
    if (opt_.delay.count()) std::this_thread::sleep_for(opt_.delay);
    Message m{cmd, a0, a1, std::move(payload)};
    unsigned char h[kHeaderSize];
    encode_header(m, h, version_ < kVersionSkipChecksum || opt_.bad_checksum);
    if (opt_.bad_checksum && !m.payload.empty()) h[16] ^= 0x5A;
    t_->send(h, m.payload);
  }
  Message receive_raw() {
    unsigned char raw[kHeaderSize];
    t_->receive_header(raw);
    Header h = decode_header(raw);
    if (h.magic != (h.command ^ 0xFFFFFFFFu)) throw Dropped{};
    if (h.length > kMaxPayload) throw Dropped{};
    Message m{h.command, h.arg0, h.arg1, {}};
    t_->receive_payload(m.payload, h.length);
    // The old protocol checks sums both ways.
    if (connected_ && version_ < kVersionSkipChecksum && payload_checksum(m.payload) != h.check)
      throw Dropped{};
    return m;
  }
  // Next message: queued ones first (OPENs that arrived while a stream was busy).
  Message next() {
    if (!queued_.empty()) {
      Message m = std::move(queued_.front());
      queued_.pop_front();
      return m;
    }
    return receive_raw();
  }

  std::string banner() const {
    std::string f;
    for (const auto& x : opt_.features) f += (f.empty() ? "" : ",") + x;
    return "device::ro.product.name=" + dev_.product + ";ro.product.model=" + dev_.model +
           ";ro.product.device=" + dev_.device + ";features=" + f;
  }

  void handshake() {
    std::string token;
    std::vector<std::string> keys = opt_.known_keys;
    for (;;) {
      Message m = receive_raw();
      if (m.command == kCnxn) {
        version_ = std::min(m.arg0, opt_.version);
        max_payload_ = std::min(m.arg1, opt_.max_payload);
        if (opt_.auth == AuthMode::none) return accept();
        token = new_token();
        send(kAuth, kAuthToken, 0, token);
      } else if (m.command == kAuth && m.arg0 == kAuthSignature && !token.empty()) {
        bool ok = false;
        if (opt_.auth == AuthMode::known_keys)
          for (const auto& k : keys) ok = ok || verify_token_signature(k, token, m.payload);
        if (ok) return accept();
        token = new_token();
        send(kAuth, kAuthToken, 0, token);
      } else if (m.command == kAuth && m.arg0 == kAuthRsaPublicKey) {
        if (opt_.auth == AuthMode::reject) throw Dropped{};
        if (opt_.auth == AuthMode::no_answer) {
          for (;;) receive_raw();  // the prompt stays on screen; ignore everything until the host gives up
        }
        return accept();  // the user tapped "Allow"
      }
    }
  }
  void accept() {
    connected_ = true;
    send(kCnxn, version_, max_payload_, banner());
  }
  std::string new_token() {
    std::string t(20, '\0');
    for (auto& c : t) c = static_cast<char>(rng_());
    return t;
  }

  // ---- one stream at a time
  struct Stream {
    uint32_t local = 0, remote = 0;  // local: ours (device), remote: the host's
    std::string inbox;               // host data not yet consumed
    bool host_closed = false;
  };

  void serve_stream(const Message& open) {
    std::string service = open.payload;
    while (!service.empty() && service.back() == '\0') service.pop_back();
    Stream s{next_id_++, open.arg0, {}, false};
    std::string kind = service.substr(0, service.find(':'));
    std::string arg = service.find(':') == std::string::npos ? "" : service.substr(service.find(':') + 1);
    bool known = kind.rfind("shell", 0) == 0 || kind == "exec" || kind == "sync" ||
                 (kind == "backup" && !dev_.backup_file.empty());
    if (!known) {
      send(kClse, 0, s.remote);
      return;
    }
    send(kOkay, s.local, s.remote);
    if (kind == "sync") {
      serve_sync(s);
    } else if (kind == "backup") {
      std::ifstream in(dev_.backup_file, std::ios::binary);
      std::string buf(256 * 1024, '\0');
      while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0)
        write(s, buf.substr(0, static_cast<size_t>(in.gcount())));
    } else {
      ShellReply r = run(arg);
      bool v2 = kind.rfind("shell,", 0) == 0 && kind.find("v2") != std::string::npos;
      if (v2) {
        std::string packets;
        auto packet = [&](char id, const std::string& data) {
          packets += id;
          packets += u32le(static_cast<uint32_t>(data.size()));
          packets += data;
        };
        if (!r.out.empty()) packet(1, r.out);
        if (!r.err.empty()) packet(2, r.err);
        packet(3, std::string(1, static_cast<char>(r.exit_code)));
        write(s, packets);
      } else {
        write(s, r.out + (kind == "exec" ? "" : r.err));
      }
    }
    if (!s.host_closed) send(kClse, s.local, s.remote);
  }

  // Sends data on the stream in WRTEs of at most max payload (or the split size), stop-and-wait.
  void write(Stream& s, std::string_view data) {
    while (!data.empty()) {
      size_t k = std::min<size_t>(data.size(), max_payload_);
      if (opt_.split_writes) k = std::min(k, 1 + rng_() % opt_.split_writes);
      send(kWrte, s.local, s.remote, std::string(data.substr(0, k)));
      data.remove_prefix(k);
      for (;;) {
        Message m = receive_raw();
        if (m.command == kOkay && m.arg1 == s.local) break;
        if (m.command == kClse && m.arg1 == s.local) {
          s.host_closed = true;
          return;
        }
        if (m.command == kWrte && m.arg1 == s.local) {
          s.inbox += m.payload;
          send(kOkay, s.local, s.remote);
        } else if (m.command == kOpen) {
          queued_.push_back(std::move(m));
        }
      }
    }
  }
  // Reads exactly n bytes the host wrote on the stream; false when the host closed it.
  bool read(Stream& s, size_t n, std::string& out) {
    while (s.inbox.size() < n) {
      if (s.host_closed) return false;
      Message m = receive_raw();
      if (m.command == kWrte && m.arg1 == s.local) {
        s.inbox += m.payload;
        send(kOkay, s.local, s.remote);
      } else if (m.command == kClse && m.arg1 == s.local) {
        s.host_closed = true;
      } else if (m.command == kOpen) {
        queued_.push_back(std::move(m));
      }
    }
    out = s.inbox.substr(0, n);
    s.inbox.erase(0, n);
    return true;
  }

  ShellReply run(const std::string& command) {
    if (auto it = dev_.commands.find(command); it != dev_.commands.end()) return it->second;
    if (command == "getprop") {
      ShellReply r;
      for (const auto& [k, v] : dev_.props) r.out += "[" + k + "]: [" + v + "]\n";
      return r;
    }
    if (command.rfind("getprop ", 0) == 0) {
      auto it = dev_.props.find(command.substr(8));
      return ShellReply{it == dev_.props.end() ? "\n" : it->second + "\n", "", 0};
    }
    if (command.rfind("echo ", 0) == 0) return ShellReply{command.substr(5) + "\n", "", 0};
    if (command == "id")
      return ShellReply{"uid=2000(shell) gid=2000(shell) groups=2000(shell) context=u:r:shell:s0\n", "", 0};
    std::string first = command.substr(0, command.find(' '));
    return ShellReply{"", "/system/bin/sh: " + first + ": inaccessible or not found\n", 127};
  }

  // ---- sync
  std::optional<fs::path> local_path(const std::string& device_path) const {
    fs::path rel = fs::path(device_path).relative_path().lexically_normal();
    if (!rel.empty() && *rel.begin() == "..") return std::nullopt;
    return dev_.root / rel;
  }
  static std::string stat_v2_fields(const std::optional<fs::path>& p, uint32_t* err_out = nullptr) {
    struct stat st {};
    uint32_t err = 0;
    if (!p || ::lstat(p->c_str(), &st) != 0) err = p ? errno : ENOENT;
    if (err_out) *err_out = err;
    if (err) return u32le(err) + std::string(64, '\0');
    return u32le(0) + u64le(st.st_dev) + u64le(st.st_ino) + u32le(st.st_mode) +
           u32le(static_cast<uint32_t>(st.st_nlink)) + u32le(st.st_uid) + u32le(st.st_gid) +
           u64le(static_cast<uint64_t>(st.st_size)) + u64le(static_cast<uint64_t>(st.st_atime)) +
           u64le(static_cast<uint64_t>(st.st_mtime)) + u64le(static_cast<uint64_t>(st.st_ctime));
  }

  void serve_sync(Stream& s) {
    std::string head, path;
    for (;;) {
      if (!read(s, 8, head)) return;
      std::string id = head.substr(0, 4);
      uint32_t len = le32(head.data() + 4);
      if (id == "QUIT") return;
      if (len > 1024) throw Dropped{};
      if (!read(s, len, path)) return;
      auto p = local_path(path);
      if (id == "STAT") {
        struct stat st {};
        if (!p || ::lstat(p->c_str(), &st) != 0) st = {};
        write(s, "STAT" + u32le(st.st_mode) + u32le(static_cast<uint32_t>(st.st_size)) +
                     u32le(static_cast<uint32_t>(st.st_mtime)));
      } else if (id == "STA2" || id == "LST2") {
        write(s, id + stat_v2_fields(p));
      } else if (id == "LIST" || id == "LIS2") {
        std::string out;
        std::error_code ec;
        std::vector<std::string> names;
        if (p && fs::is_directory(*p, ec))
          for (const auto& e : fs::directory_iterator(*p, ec)) names.push_back(e.path().filename().string());
        std::sort(names.begin(), names.end());
        for (const auto& n : names) {
          fs::path full = *p / n;
          if (id == "LIS2") {
            out += "DNT2" + stat_v2_fields(full) + u32le(static_cast<uint32_t>(n.size())) + n;
          } else {
            struct stat st {};
            ::lstat(full.c_str(), &st);
            out += "DENT" + u32le(st.st_mode) + u32le(static_cast<uint32_t>(st.st_size)) +
                   u32le(static_cast<uint32_t>(st.st_mtime)) + u32le(static_cast<uint32_t>(n.size())) + n;
          }
        }
        out += id == "LIS2" ? "DONE" + std::string(72, '\0') : "DONE" + std::string(16, '\0');
        write(s, out);
      } else if (id == "RECV") {
        std::ifstream in;
        std::error_code ec;
        if (p && fs::is_regular_file(*p, ec)) in.open(*p, std::ios::binary);
        if (!in.is_open() || !in) {
          std::string msg = "open failed: No such file or directory";
          write(s, "FAIL" + u32le(static_cast<uint32_t>(msg.size())) + msg);
          return;  // adbd ends the sync service after a failure
        }
        // Like adbd: DATA frames packed into WRTEs of up to max payload.
        std::string out;
        std::string chunk(64 * 1024, '\0');
        for (;;) {
          in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
          size_t n = static_cast<size_t>(in.gcount());
          if (n == 0) break;
          if (opt_.drop_after_file_bytes >= 0 &&
              sent_file_bytes_ + static_cast<int64_t>(n) > opt_.drop_after_file_bytes) {
            size_t part =
                static_cast<size_t>(std::max<int64_t>(0, opt_.drop_after_file_bytes - sent_file_bytes_));
            write(s, out + "DATA" + u32le(static_cast<uint32_t>(n)) + chunk.substr(0, part));
            ::shutdown(fd_of_transport(), SHUT_RDWR);
            throw Dropped{};
          }
          sent_file_bytes_ += static_cast<int64_t>(n);
          out += "DATA" + u32le(static_cast<uint32_t>(n));
          out.append(chunk.data(), n);
          if (out.size() >= max_payload_) {
            write(s, out);
            out.clear();
          }
        }
        out += "DONE" + u32le(0);
        write(s, out);
      } else {
        std::string msg = "unsupported sync command " + id;
        write(s, "FAIL" + u32le(static_cast<uint32_t>(msg.size())) + msg);
        return;
      }
    }
  }
  int fd_of_transport() { return fd_; }

 public:
  int fd_ = -1;

 private:
  std::unique_ptr<Transport> t_;
  const FakeDevice& dev_;
  FakeOptions opt_;
  std::minstd_rand rng_;
  uint32_t version_ = kVersionMin, max_payload_ = kMaxPayloadV1;
  bool connected_ = false;
  uint32_t next_id_ = 0x100;
  std::deque<Message> queued_;
  int64_t sent_file_bytes_ = 0;
};

}  // namespace

FakeAdbd::FakeAdbd(FakeDevice device, FakeOptions options)
    : device_(std::move(device)), options_(std::move(options)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 16) != 0)
    throw Error(ExitCode::failure, std::string("fake adbd: cannot listen: ") + std::strerror(errno));
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

FakeAdbd::~FakeAdbd() { stop(); }

void FakeAdbd::set_options(FakeOptions options) {
  std::lock_guard lock(mu_);
  options_ = std::move(options);
}
FakeOptions FakeAdbd::options() const {
  std::lock_guard lock(mu_);
  return options_;
}

void FakeAdbd::stop() {
  if (stopping_.exchange(true)) return;
  ::shutdown(listen_fd_, SHUT_RDWR);
  ::close(listen_fd_);
  if (acceptor_.joinable()) acceptor_.join();
  {
    std::lock_guard lock(mu_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& t : workers_)
    if (t.joinable()) t.join();
}

void FakeAdbd::accept_loop() {
  for (;;) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (stopping_) return;
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;
    }
    if (stopping_) {
      ::close(fd);
      return;
    }
    ++connections_;
    std::lock_guard lock(mu_);
    open_fds_.push_back(fd);
    workers_.emplace_back([this, fd] { serve(fd); });
  }
}

void FakeAdbd::serve(int fd) {
  DeviceConnection c(fd, device_, options());
  c.fd_ = fd;
  c.run();
  // Forget the fd before the connection's destructor closes it, so stop() never touches a reused number.
  std::lock_guard lock(mu_);
  open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
}

}  // namespace kanshiki::adb::fake
