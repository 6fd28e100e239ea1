#include "acquire/android/adb_protocol.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace kanshiki::adb {

std::string_view failure_name(Failure f) {
  switch (f) {
    case Failure::disconnected:
      return "device disconnected / 接続が切れました";
    case Failure::timeout:
      return "device timed out / 応答がありません";
    case Failure::auth_refused:
      return "authorisation refused / 認証が拒否されました";
    case Failure::offline:
      return "device offline or not found / 端末が見つかりません";
    case Failure::protocol:
      return "ADB protocol error / プロトコル異常";
    case Failure::device_error:
      return "device reported an error / 端末がエラーを返しました";
  }
  return "adb error";
}

uint32_t payload_checksum(std::string_view payload) {
  uint32_t sum = 0;
  for (unsigned char c : payload) sum += c;
  return sum;
}

std::string command_name(uint32_t command) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[static_cast<size_t>(i)] = static_cast<char>((command >> (8 * i)) & 0xFF);
  for (char c : s)
    if (c < 'A' || c > 'Z') return fmt::format("0x{:08x}", command);
  return s;
}

namespace {
void put_u32(unsigned char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}
uint32_t get_u32(const unsigned char* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
}  // namespace

void encode_header(const Message& m, unsigned char out[kHeaderSize], bool with_checksum) {
  put_u32(out, m.command);
  put_u32(out + 4, m.arg0);
  put_u32(out + 8, m.arg1);
  put_u32(out + 12, static_cast<uint32_t>(m.payload.size()));
  put_u32(out + 16, with_checksum ? payload_checksum(m.payload) : 0);
  put_u32(out + 20, m.command ^ 0xFFFFFFFFu);
}

Header decode_header(const unsigned char in[kHeaderSize]) {
  return Header{get_u32(in),      get_u32(in + 4),  get_u32(in + 8),
                get_u32(in + 12), get_u32(in + 16), get_u32(in + 20)};
}

// ---------------------------------------------------------------- TCP

namespace {

class TcpTransport final : public Transport {
 public:
  TcpTransport(int fd, std::string description) : fd_(fd), description_(std::move(description)) {
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~TcpTransport() override { close(); }

  void send(const unsigned char header[kHeaderSize], const std::string& payload) override {
    // One write for small messages keeps the packet count down; large payloads go straight from the string.
    if (payload.size() <= 4096) {
      std::string buf(reinterpret_cast<const char*>(header), kHeaderSize);
      buf += payload;
      write_all(buf.data(), buf.size());
    } else {
      write_all(header, kHeaderSize);
      write_all(payload.data(), payload.size());
    }
  }
  void receive_header(unsigned char header[kHeaderSize]) override { read_all(header, kHeaderSize); }
  void receive_payload(std::string& payload, size_t length) override {
    payload.resize(length);
    read_all(payload.data(), length);
  }
  std::string describe() const override { return description_; }
  void set_timeout(std::chrono::milliseconds t) override { timeout_ = t; }
  void close() override {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  void write_all(const void* data, size_t n) {
    const char* p = static_cast<const char*>(data);
    while (n) {
      if (fd_ < 0) throw AdbError(Failure::disconnected, description_ + ": connection already closed");
      ssize_t w = ::send(fd_, p, n, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EINTR) continue;
        throw AdbError(Failure::disconnected, description_ + ": " + std::strerror(errno));
      }
      p += w;
      n -= static_cast<size_t>(w);
    }
  }
  void read_all(void* data, size_t n) {
    char* p = static_cast<char*>(data);
    while (n) {
      if (fd_ < 0) throw AdbError(Failure::disconnected, description_ + ": connection already closed");
      // Data already waiting is taken without a poll (half the system calls on a busy transfer).
      ssize_t quick = ::recv(fd_, p, n, MSG_DONTWAIT);
      if (quick > 0) {
        p += quick;
        n -= static_cast<size_t>(quick);
        continue;
      }
      if (quick == 0)
        throw AdbError(Failure::disconnected, description_ + ": the device closed the connection");
      pollfd pfd{fd_, POLLIN, 0};
      int pr = ::poll(&pfd, 1, static_cast<int>(timeout_.count()));
      if (pr == 0)
        throw AdbError(Failure::timeout,
                       fmt::format("{}: no data for {} s", description_, timeout_.count() / 1000.0));
      if (pr < 0) {
        if (errno == EINTR) continue;
        throw AdbError(Failure::disconnected, description_ + ": " + std::strerror(errno));
      }
      ssize_t r = ::recv(fd_, p, n, 0);
      if (r == 0) throw AdbError(Failure::disconnected, description_ + ": the device closed the connection");
      if (r < 0) {
        if (errno == EINTR) continue;
        throw AdbError(Failure::disconnected, description_ + ": " + std::strerror(errno));
      }
      p += r;
      n -= static_cast<size_t>(r);
    }
  }

  int fd_;
  std::string description_;
  std::chrono::milliseconds timeout_{30000};
};

}  // namespace

std::unique_ptr<Transport> tcp_from_fd(int fd, std::string description) {
  return std::make_unique<TcpTransport>(fd, std::move(description));
}

std::unique_ptr<Transport> connect_tcp(const std::string& host, uint16_t port,
                                       std::chrono::milliseconds timeout) {
  std::string where = fmt::format("tcp {}:{}", host, port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res); rc != 0)
    throw AdbError(Failure::offline, where + ": " + ::gai_strerror(rc));
  std::string last = "no address";
  for (addrinfo* a = res; a; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
      ::freeaddrinfo(res);
      auto t = tcp_from_fd(fd, where);
      t->set_timeout(timeout);
      return t;
    }
    last = std::strerror(errno);
    ::close(fd);
  }
  ::freeaddrinfo(res);
  throw AdbError(Failure::offline, where + ": " + last);
}

// ---------------------------------------------------------------- connection

Connection::Connection(std::unique_ptr<Transport> transport, const AdbKey& key, ConnectOptions options)
    : transport_(std::move(transport)), options_(std::move(options)) {
  transport_->set_timeout(options_.io_timeout);
  handshake(key);
}

Connection::~Connection() = default;

void Connection::send(uint32_t command, uint32_t arg0, uint32_t arg1, std::string payload) {
  Message m{command, arg0, arg1, std::move(payload)};
  unsigned char h[kHeaderSize];
  // Always write the byte sum: pre-2018 devices check it, newer ones ignore it.
  encode_header(m, h, true);
  transport_->send(h, m.payload);
}

Message Connection::receive() {
  unsigned char raw[kHeaderSize];
  transport_->receive_header(raw);
  Header h = decode_header(raw);
  if (h.magic != (h.command ^ 0xFFFFFFFFu))
    throw AdbError(Failure::protocol,
                   fmt::format("{}: bad message magic for {} (not an ADB device, or corrupted data)",
                               describe(), command_name(h.command)));
  // Before CNXN the limit is unknown: accept up to the largest any device uses.
  uint32_t limit = banner_.empty() ? kMaxPayload : std::max(max_payload_, kMaxPayloadV1);
  if (h.length > limit)
    throw AdbError(Failure::protocol,
                   fmt::format("{}: {} payload of {} bytes exceeds the negotiated maximum {}", describe(),
                               command_name(h.command), h.length, limit));
  Message m{h.command, h.arg0, h.arg1, {}};
  transport_->receive_payload(m.payload, h.length);
  if (version_ < kVersionSkipChecksum && !banner_.empty() && payload_checksum(m.payload) != h.check)
    throw AdbError(
        Failure::protocol,
        fmt::format("{}: checksum mismatch on {} (sum {} but header says {}): data corrupted in transit",
                    describe(), command_name(h.command), payload_checksum(m.payload), h.check));
  return m;
}

std::string Connection::banner_property(const std::string& key) const {
  size_t p = banner_.find(key + "=");
  if (p == std::string::npos) return {};
  p += key.size() + 1;
  size_t e = banner_.find(';', p);
  return banner_.substr(p, e == std::string::npos ? std::string::npos : e - p);
}

void Connection::handshake(const AdbKey& key) {
  std::string features;
  for (const auto& f : options_.features) features += (features.empty() ? "" : ",") + f;
  send(kCnxn, kVersionSkipChecksum, options_.max_payload, "host::features=" + features);
  bool sent_signature = false, sent_public_key = false;
  for (;;) {
    Message m;
    try {
      m = receive();
    } catch (const AdbError& e) {
      if (sent_public_key && e.failure() == Failure::timeout)
        throw AdbError(
            Failure::auth_refused,
            describe() + ": nobody accepted the \"Allow USB debugging?\" prompt on the phone in time");
      if (sent_public_key && e.failure() == Failure::disconnected)
        throw AdbError(Failure::auth_refused,
                       describe() + ": the phone refused this computer's key (prompt denied)");
      throw;
    }
    if (m.command == kCnxn) {
      version_ = std::min(m.arg0, kVersionSkipChecksum);
      max_payload_ = std::min(m.arg1, options_.max_payload);
      if (max_payload_ < 256) max_payload_ = kMaxPayloadV1;
      banner_ = m.payload;
      while (!banner_.empty() && banner_.back() == '\0') banner_.pop_back();
      if (banner_.empty()) banner_ = "device::";
      std::string f = banner_property("features");
      for (size_t s = 0; s <= f.size();) {
        size_t e = f.find(',', s);
        if (e == std::string::npos) e = f.size();
        if (e > s) features_.insert(f.substr(s, e - s));
        s = e + 1;
      }
      transport_->set_timeout(options_.io_timeout);
      return;
    }
    if (m.command == kAuth && m.arg0 == kAuthToken) {
      if (!sent_signature) {
        sent_signature = true;
        send(kAuth, kAuthSignature, 0, key.sign_token(m.payload));
      } else if (!sent_public_key) {
        // Our signature was not accepted: offer the key, the phone asks its user.
        sent_public_key = true;
        std::string line = key.public_key_line();
        line.push_back('\0');
        send(kAuth, kAuthRsaPublicKey, 0, line);
        if (options_.on_prompt)
          options_.on_prompt("Unlock the phone and accept \"Allow USB debugging?\" for this computer (key " +
                             key.fingerprint().substr(0, 16) +
                             ") / 端末のロックを解除し「USBデバッグを許可しますか？」で許可してください");
        transport_->set_timeout(options_.prompt_timeout);
      } else {
        throw AdbError(Failure::auth_refused, describe() + ": the phone rejected this computer's key");
      }
      continue;
    }
    if (m.command == kStls)
      throw AdbError(Failure::protocol,
                     describe() + ": the device wants TLS (wireless debugging pairing), not supported");
    // Anything else before CNXN is ignored, as adbd does.
  }
}

Message Connection::receive_for(uint32_t local_id) {
  for (;;) {
    Message m = receive();
    if ((m.command == kWrte || m.command == kOkay || m.command == kClse) && m.arg1 == local_id) return m;
    if (m.command == kWrte) send(kClse, m.arg1, m.arg0);  // a stream we do not know: close it
    if (m.command == kCnxn)
      throw AdbError(Failure::disconnected,
                     describe() + ": the device restarted its connection (re-sent CNXN)");
  }
}

std::unique_ptr<AdbStream> Connection::open(const std::string& service) {
  uint32_t id = next_local_id_++;
  std::string payload = service;
  payload.push_back('\0');  // old daemons expect it, new ones strip it
  send(kOpen, id, 0, payload);
  for (;;) {
    Message m = receive_for(id);
    if (m.command == kOkay) return std::make_unique<AdbStream>(*this, id, m.arg0);
    if (m.command == kClse)
      throw AdbError(Failure::device_error, describe() + ": the device refused service '" + service + "'");
  }
}

// ---------------------------------------------------------------- streams

AdbStream::~AdbStream() {
  try {
    close();
  } catch (...) {
    // Closing a stream on a dead connection: the original failure is what matters.
  }
}

size_t AdbStream::read(void* buffer, size_t n) {
  while (pending_pos_ == pending_.size()) {
    if (closed_) return 0;
    Message m = c_.receive_for(local_);
    if (m.command == kWrte) {
      pending_ = std::move(m.payload);
      pending_pos_ = 0;
      c_.send(kOkay, local_, remote_);
    } else if (m.command == kClse) {
      closed_ = true;
    }
  }
  size_t k = std::min(n, pending_.size() - pending_pos_);
  std::memcpy(buffer, pending_.data() + pending_pos_, k);
  pending_pos_ += k;
  return k;
}

void AdbStream::read_exact(void* buffer, size_t n) {
  char* p = static_cast<char*>(buffer);
  while (n) {
    size_t r = read(p, n);
    if (r == 0)
      throw AdbError(Failure::disconnected, c_.describe() + ": the device closed the stream mid-message");
    p += r;
    n -= r;
  }
}

void AdbStream::write(std::string_view data) {
  while (!data.empty()) {
    if (closed_) throw AdbError(Failure::disconnected, c_.describe() + ": the device closed the stream");
    size_t k = std::min<size_t>(data.size(), c_.max_payload());
    c_.send(kWrte, local_, remote_, std::string(data.substr(0, k)));
    data.remove_prefix(k);
    // Stop-and-wait: the next WRTE only after this one's OKAY. Data arriving meanwhile is kept.
    for (;;) {
      Message m = c_.receive_for(local_);
      if (m.command == kOkay) break;
      if (m.command == kClse) {
        closed_ = true;
        throw AdbError(Failure::disconnected,
                       c_.describe() + ": the device closed the stream during a write");
      }
      if (m.command == kWrte) {
        pending_.erase(0, pending_pos_);
        pending_pos_ = 0;
        pending_ += m.payload;
        c_.send(kOkay, local_, remote_);
      }
    }
  }
}

void AdbStream::close() {
  if (closed_) return;
  closed_ = true;
  c_.send(kClse, local_, remote_);
}

}  // namespace kanshiki::adb
