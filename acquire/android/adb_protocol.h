#pragma once
// ADB wire protocol, host side: message framing, transports (TCP, USB via libusb), connection handshake with
// RSA authentication, and streams. Shared by the real client and the fake device (fake/fake_adbd.h), so both
// ends encode and decode messages the same way. Spec: ../shared/docs/formats-and-protocols.md §1 and
// docs/formats/adb.md.
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace kanshiki::adb {

inline constexpr uint32_t kCnxn = 0x4e584e43, kAuth = 0x48545541, kOpen = 0x4e45504f, kOkay = 0x59414b4f,
                          kWrte = 0x45545257, kClse = 0x45534c43, kStls = 0x534c5453;
inline constexpr uint32_t kVersionMin = 0x01000000;           // original: payload byte sums checked
inline constexpr uint32_t kVersionSkipChecksum = 0x01000001;  // Dec 2017+: data_check may be 0
inline constexpr uint32_t kMaxPayloadV1 = 4096;
inline constexpr uint32_t kMaxPayload = 1024 * 1024;
inline constexpr uint32_t kAuthToken = 1, kAuthSignature = 2, kAuthRsaPublicKey = 3;
inline constexpr size_t kHeaderSize = 24;

// What went wrong, so the examiner is told in plain words (and tests can check the cause).
enum class Failure {
  disconnected,  // connection closed / cable pulled
  timeout,       // the device stopped answering
  auth_refused,  // the user did not allow USB debugging, or the key was rejected
  offline,       // no such device / connection refused
  protocol,      // malformed message, bad magic, bad checksum, oversize payload
  device_error,  // the device answered with an error (FAIL, CLSE on open, non-zero exit)
};
std::string_view failure_name(Failure f);

// An ADB failure: exit code 3 (the evidence — the device — could not be read) with the cause named.
class AdbError : public Error {
 public:
  AdbError(Failure f, const std::string& message)
      : Error(ExitCode::evidence_unreadable, std::string(failure_name(f)) + ": " + message), failure_(f) {}
  Failure failure() const { return failure_; }

 private:
  Failure failure_;
};

struct Message {
  uint32_t command = 0, arg0 = 0, arg1 = 0;
  std::string payload;
};

uint32_t payload_checksum(std::string_view payload);  // the unsigned byte sum (not a CRC)
std::string command_name(uint32_t command);           // "CNXN", ... or hex
void encode_header(const Message& m, unsigned char out[kHeaderSize], bool with_checksum = true);
struct Header {
  uint32_t command, arg0, arg1, length, check, magic;
};
Header decode_header(const unsigned char in[kHeaderSize]);

// A byte pipe to one device. USB and TCP differ only here.
class Transport {
 public:
  virtual ~Transport() = default;
  // Sends the header and then the payload (USB: two bulk transfers, zero-length packet when aligned).
  virtual void send(const unsigned char header[kHeaderSize], const std::string& payload) = 0;
  virtual void receive_header(unsigned char header[kHeaderSize]) = 0;
  virtual void receive_payload(std::string& payload, size_t length) = 0;
  virtual std::string describe() const = 0;  // "tcp 127.0.0.1:5555", "usb 1-2 serial X"
  virtual void set_timeout(std::chrono::milliseconds timeout) = 0;
  virtual void close() = 0;
};

// TCP (adb tcpip / emulators / the fake): connect to host:port.
std::unique_ptr<Transport> connect_tcp(const std::string& host, uint16_t port,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(10));
// Wraps an accepted socket (used by the fake device).
std::unique_ptr<Transport> tcp_from_fd(int fd, std::string description);

// USB via libusb-1.0 (interface class 0xFF / subclass 0x42 / protocol 0x01).
struct UsbDeviceInfo {
  std::string serial, description;  // description: "bus 1 port 2 (18d1:4ee7)"
  uint8_t bus = 0, address = 0;
};
std::vector<UsbDeviceInfo> list_usb_devices();
// The USB transfer rules adb_usb.cpp follows (exposed for tests, since no phone is attached in CI): a
// zero-length packet follows a non-empty payload that fills whole packets, and payload reads use a buffer
// rounded up to the packet size (libusb reports an overflow otherwise).
bool usb_needs_zero_length_packet(size_t payload_size, uint16_t packet_size);
size_t usb_read_buffer_size(size_t payload_size, uint16_t packet_size);
std::unique_ptr<Transport> open_usb(const std::string& serial);  // empty serial: the only device

// The examiner's ADB key pair in the standard adbkey / adbkey.pub files.
class AdbKey {
 public:
  // Loads DIR/adbkey (PEM, PKCS#8 or PKCS#1), creating the pair (RSA-2048, mode 0600) when absent.
  static AdbKey load_or_create(const std::filesystem::path& dir,
                               const std::string& comment = "kanshiki@examiner");
  static AdbKey load(const std::filesystem::path& private_pem);
  AdbKey(AdbKey&&) noexcept;
  AdbKey& operator=(AdbKey&&) noexcept;
  ~AdbKey();
  // PKCS#1 v1.5 over the 20-byte token used directly as a SHA-1 digest (what adbd verifies).
  std::string sign_token(std::string_view token) const;
  // The 524-byte Android public key blob, base64, + " comment" (the adbkey.pub line).
  std::string public_key_line() const;
  std::string fingerprint() const;  // SHA-256 of the blob, hex (shown to the examiner)

 private:
  AdbKey() = default;
  void* pkey_ = nullptr;  // EVP_PKEY*
  std::string comment_;
};

// Decodes an adbkey.pub line and verifies a token signature with it (the fake device uses this).
bool verify_token_signature(const std::string& public_key_line, std::string_view token,
                            std::string_view signature);
// Encodes an RSA public key (n, e) as the Android blob; exposed for tests.
std::string android_pubkey_blob(const void* evp_pkey);

struct ConnectOptions {
  std::vector<std::string> features = {"shell_v2", "cmd", "stat_v2", "ls_v2"};
  uint32_t max_payload = kMaxPayload;
  std::chrono::milliseconds io_timeout = std::chrono::seconds(30);
  std::chrono::milliseconds prompt_timeout = std::chrono::seconds(60);  // waiting for "Allow USB debugging?"
  std::function<void(const std::string&)> on_prompt;  // tells the examiner to look at the phone
};

class AdbStream;

// One connection to one device: handshake, then streams one after another (synchronous).
class Connection {
 public:
  Connection(std::unique_ptr<Transport> transport, const AdbKey& key, ConnectOptions options = {});
  ~Connection();

  uint32_t version() const { return version_; }
  uint32_t max_payload() const { return max_payload_; }
  const std::string& banner() const { return banner_; }  // "device::ro.product.name=...;features=..."
  bool has_feature(const std::string& f) const { return features_.count(f) != 0; }
  std::string banner_property(const std::string& key) const;  // ro.product.model etc. from the banner
  std::string describe() const { return transport_->describe(); }
  // I/O timeout from now on (a backup waits for the user's confirmation on the phone: use a long one).
  void set_timeout(std::chrono::milliseconds t) { transport_->set_timeout(t); }

  // Opens a service ("shell,v2,raw:getprop", "sync:"). Throws AdbError(device_error) when the device refuses.
  std::unique_ptr<AdbStream> open(const std::string& service);

  // Low level (streams use these).
  void send(uint32_t command, uint32_t arg0, uint32_t arg1, std::string payload = {});
  Message receive();

 private:
  friend class AdbStream;
  void handshake(const AdbKey& key);
  Message receive_for(uint32_t local_id);  // next message for that stream (others are dropped)

  std::unique_ptr<Transport> transport_;
  ConnectOptions options_;
  uint32_t version_ = kVersionMin, max_payload_ = kMaxPayloadV1;
  std::string banner_;
  std::set<std::string> features_;
  uint32_t next_local_id_ = 1;
};

class AdbStream {
 public:
  AdbStream(Connection& c, uint32_t local_id, uint32_t remote_id)
      : c_(c), local_(local_id), remote_(remote_id) {}
  ~AdbStream();
  // Reads up to n bytes; 0 when the device closed the stream.
  size_t read(void* buffer, size_t n);
  // Exactly n bytes or AdbError(disconnected) if the stream closes first.
  void read_exact(void* buffer, size_t n);
  // Writes all of data (split at max payload, waiting for each OKAY: stop-and-wait).
  void write(std::string_view data);
  void close();
  bool closed() const { return closed_; }

 private:
  Connection& c_;
  uint32_t local_, remote_;
  std::string pending_;
  size_t pending_pos_ = 0;
  bool closed_ = false;
};

}  // namespace kanshiki::adb
