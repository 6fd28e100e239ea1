#include "acquire/ios/sim/ios_device_sim.h"

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <plist/plist.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <optional>
#include <stdexcept>

namespace kanshiki::ios_sim {
namespace {

namespace fs = std::filesystem;

constexpr uint16_t kLockdownPort = 62078;
constexpr uint16_t kNotificationProxyPort = 49300;
constexpr uint16_t kMobileBackup2Port = 49302;
constexpr uint16_t kAfcPort = 49301;
constexpr uint16_t kSyslogPort = 49303;
constexpr uint16_t kCrashMoverPort = 49304;
constexpr uint16_t kCrashCopyPort = 49305;
constexpr int kDeviceId = 7;

// Plist ownership.
struct Plist {
  plist_t p = nullptr;
  Plist() = default;
  explicit Plist(plist_t x) : p(x) {}
  ~Plist() {
    if (p) plist_free(p);
  }
  Plist(Plist&& o) noexcept : p(o.p) { o.p = nullptr; }
  Plist& operator=(Plist&& o) noexcept {
    std::swap(p, o.p);
    return *this;
  }
  Plist(const Plist&) = delete;
  plist_t release() {
    plist_t x = p;
    p = nullptr;
    return x;
  }
};

std::string str_item(plist_t dict, const char* key) {
  plist_t n = dict && plist_get_node_type(dict) == PLIST_DICT ? plist_dict_get_item(dict, key) : nullptr;
  if (!n || plist_get_node_type(n) != PLIST_STRING) return "";
  char* s = nullptr;
  plist_get_string_val(n, &s);
  std::string out = s ? s : "";
  free(s);
  return out;
}

uint64_t uint_item(plist_t dict, const char* key) {
  plist_t n = dict && plist_get_node_type(dict) == PLIST_DICT ? plist_dict_get_item(dict, key) : nullptr;
  uint64_t v = 0;
  if (n && plist_get_node_type(n) == PLIST_UINT) plist_get_uint_val(n, &v);
  return v;
}

// Socket I/O: false on EOF or error (the peer went away; the handler ends).
bool read_exact(int fd, void* buf, size_t n) {
  auto* p = static_cast<char*>(buf);
  while (n > 0) {
    ssize_t r = ::recv(fd, p, n, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

bool write_all(int fd, const void* buf, size_t n) {
  const auto* p = static_cast<const char*>(buf);
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

bool write_be32(int fd, uint32_t v) {
  uint32_t be = htonl(v);
  return write_all(fd, &be, 4);
}

// u32 BE length + plist (lockdownd, notification_proxy, DeviceLink).
Plist read_service_plist(int fd) {
  uint32_t be = 0;
  if (!read_exact(fd, &be, 4)) return Plist();
  uint32_t len = ntohl(be);
  if (len == 0 || len > (64u << 20)) return Plist();
  std::string body(len, '\0');
  if (!read_exact(fd, body.data(), len)) return Plist();
  plist_t p = nullptr;
  plist_from_memory(body.data(), len, &p);
  return Plist(p);
}

bool send_service_plist(int fd, plist_t p, bool binary) {
  char* data = nullptr;
  uint32_t len = 0;
  if (binary)
    plist_to_bin(p, &data, &len);
  else
    plist_to_xml(p, &data, &len);
  bool ok = data && write_be32(fd, len) && write_all(fd, data, len);
  free(data);
  return ok;
}

// usbmuxd: 16-byte LE header + XML plist.
bool send_mux_plist(int fd, uint32_t tag, plist_t p) {
  char* xml = nullptr;
  uint32_t len = 0;
  plist_to_xml(p, &xml, &len);
  uint32_t header[4] = {16 + len, 1, 8, tag};  // little-endian host (x86-64, arm64)
  bool ok = xml && write_all(fd, header, sizeof header) && write_all(fd, xml, len);
  free(xml);
  return ok;
}

bool send_mux_result(int fd, uint32_t tag, uint64_t number) {
  Plist r(plist_new_dict());
  plist_dict_set_item(r.p, "MessageType", plist_new_string("Result"));
  plist_dict_set_item(r.p, "Number", plist_new_uint(number));
  return send_mux_plist(fd, tag, r.p);
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// DeviceLink messages are arrays whose first element names the message.
std::string dl_name(plist_t msg) {
  if (!msg || plist_get_node_type(msg) != PLIST_ARRAY || plist_array_get_size(msg) < 1) return "";
  plist_t n = plist_array_get_item(msg, 0);
  if (plist_get_node_type(n) != PLIST_STRING) return "";
  char* s = nullptr;
  plist_get_string_val(n, &s);
  std::string out = s ? s : "";
  free(s);
  return out;
}

// The device's RSA public key in PKCS#1 PEM (what lockdownd's DevicePublicKey holds): the host builds the
// device certificate of a new pair record from it. A fresh 1024-bit key per simulator is plenty for tests.
std::string make_device_public_key() {
  EVP_PKEY* key = EVP_RSA_gen(1024);
  if (!key) return "";
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  const RSA* rsa = EVP_PKEY_get0_RSA(key);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_RSAPublicKey(bio, rsa);
#pragma GCC diagnostic pop
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

}  // namespace

Simulator::Simulator(Config config) : config_(std::move(config)) {
  auto& v = config_.values;
  auto set_default = [&](const char* key, std::string value) {
    if (!v.count(key)) v[key] = std::move(value);
  };
  // Device facts from the served backup's Info.plist (what the device itself would report).
  fs::path info = config_.backup / "Info.plist";
  std::error_code ec;
  if (!config_.backup.empty() && fs::exists(info, ec)) {
    std::string data = read_file(info);
    plist_t raw = nullptr;
    plist_from_memory(data.data(), static_cast<uint32_t>(data.size()), &raw);
    Plist p(raw);
    const std::pair<const char*, const char*> map[] = {{"Product Type", "ProductType"},
                                                       {"Product Version", "ProductVersion"},
                                                       {"Build Version", "BuildVersion"},
                                                       {"Serial Number", "SerialNumber"},
                                                       {"Device Name", "DeviceName"},
                                                       {"IMEI", "InternationalMobileEquipmentIdentity"},
                                                       {"ICCID", "IntegratedCircuitCardIdentity"},
                                                       {"Phone Number", "PhoneNumber"},
                                                       {"MEID", "MobileEquipmentIdentifier"}};
    for (const auto& [from, to] : map)
      if (auto s = str_item(p.p, from); !s.empty()) set_default(to, s);
  }
  set_default("ProductType", "iPhone12,1");
  set_default("ProductVersion", "16.6");
  set_default("BuildVersion", "20G75");
  set_default("SerialNumber", "F2LXK0AAAAAA");
  set_default("DeviceName", "iPhone");
  set_default("DeviceClass", "iPhone");
  set_default("ProductName", "iPhone OS");
  set_default("ActivationState", "Activated");
  set_default("HardwareModel", "N104AP");
  set_default("WiFiAddress", "aa:bb:cc:dd:ee:ff");
  v["UniqueDeviceID"] = config_.udid;
  host_id_ = "1B2C3D4E-AAAA-4BBB-8CCC-0000DEADBEEF";
}

Simulator::~Simulator() { stop(); }

std::string Simulator::mux_address() const { return "UNIX:" + config_.socket_path.string(); }

void Simulator::note(std::string line) {
  std::lock_guard<std::mutex> lock(mutex_);
  log_.push_back(std::move(line));
}

std::vector<std::string> Simulator::log() const {
  std::lock_guard<std::mutex> lock(const_cast<std::mutex&>(mutex_));
  return log_;
}

void Simulator::start() {
  if (running_) return;
  if (device_public_key_.empty()) device_public_key_ = make_device_public_key();
  if (config_.faults.no_pair_record)
    paired_ = false;
  else
    paired_ = true;
  std::error_code ec;
  fs::remove(config_.socket_path, ec);
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string path = config_.socket_path.string();
  if (listen_fd_ < 0 || path.size() >= sizeof addr.sun_path)
    throw std::runtime_error("simulator: cannot create socket " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 16) != 0)
    throw std::runtime_error("simulator: cannot listen on " + path + ": " + std::strerror(errno));
  running_ = true;
  acceptor_ = std::thread([this] { accept_loop(); });
}

void Simulator::stop() {
  if (!running_.exchange(false)) return;
  ::shutdown(listen_fd_, SHUT_RDWR);
  ::close(listen_fd_);
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);  // unblocks handlers waiting in recv
    workers.swap(workers_);
  }
  for (auto& t : workers)
    if (t.joinable()) t.join();
  std::error_code ec;
  fs::remove(config_.socket_path, ec);
}

void Simulator::accept_loop() {
  while (running_) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      return;  // listening socket closed by stop()
    }
    std::lock_guard<std::mutex> lock(mutex_);
    open_fds_.push_back(fd);
    workers_.emplace_back([this, fd] {
      serve_mux(fd);
      std::lock_guard<std::mutex> l(mutex_);
      open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
      ::close(fd);
    });
  }
}

// One client connection to usbmuxd: requests until Connect turns it into a tunnel to a device service.
void Simulator::serve_mux(int fd) {
  while (running_) {
    uint32_t header[4];
    if (!read_exact(fd, header, sizeof header)) return;
    uint32_t len = header[0], tag = header[3];
    if (len < 16 || len > (1u << 20)) return;
    std::string body(len - 16, '\0');
    if (!read_exact(fd, body.data(), body.size())) return;
    plist_t raw = nullptr;
    plist_from_xml(body.data(), static_cast<uint32_t>(body.size()), &raw);
    Plist req(raw);
    std::string type = str_item(req.p, "MessageType");
    note("usbmuxd " + type);
    if (type == "ListDevices") {
      Plist props(plist_new_dict());
      plist_dict_set_item(props.p, "ConnectionType", plist_new_string("USB"));
      plist_dict_set_item(props.p, "DeviceID", plist_new_uint(kDeviceId));
      plist_dict_set_item(props.p, "LocationID", plist_new_uint(0x14100000));
      plist_dict_set_item(props.p, "ProductID", plist_new_uint(0x12a8));
      plist_dict_set_item(props.p, "SerialNumber", plist_new_string(config_.udid.c_str()));
      Plist dev(plist_new_dict());
      plist_dict_set_item(dev.p, "DeviceID", plist_new_uint(kDeviceId));
      plist_dict_set_item(dev.p, "MessageType", plist_new_string("Attached"));
      plist_dict_set_item(dev.p, "Properties", props.release());
      Plist list(plist_new_array());
      plist_array_append_item(list.p, dev.release());
      Plist reply(plist_new_dict());
      plist_dict_set_item(reply.p, "DeviceList", list.release());
      if (!send_mux_plist(fd, tag, reply.p)) return;
    } else if (type == "ReadBUID") {
      Plist reply(plist_new_dict());
      plist_dict_set_item(reply.p, "BUID", plist_new_string(buid_.c_str()));
      if (!send_mux_plist(fd, tag, reply.p)) return;
    } else if (type == "ReadPairRecord") {
      if (!paired_) {
        if (!send_mux_result(fd, tag, 2)) return;  // no record: the host has to pair
        continue;
      }
      Plist record(plist_new_dict());
      plist_dict_set_item(record.p, "HostID", plist_new_string(host_id_.c_str()));
      plist_dict_set_item(record.p, "SystemBUID", plist_new_string(buid_.c_str()));
      plist_dict_set_item(record.p, "WiFiMACAddress",
                          plist_new_string(config_.values["WiFiAddress"].c_str()));
      plist_dict_set_item(record.p, "EscrowBag", plist_new_data("escrow", 6));
      char* xml = nullptr;
      uint32_t xlen = 0;
      plist_to_xml(record.p, &xml, &xlen);
      Plist reply(plist_new_dict());
      plist_dict_set_item(reply.p, "PairRecordData", plist_new_data(xml, xlen));
      free(xml);
      if (!send_mux_plist(fd, tag, reply.p)) return;
    } else if (type == "SavePairRecord" || type == "DeletePairRecord") {
      if (type == "SavePairRecord") paired_ = true;
      if (!send_mux_result(fd, tag, 0)) return;
    } else if (type == "Connect") {
      uint16_t port = ntohs(static_cast<uint16_t>(uint_item(req.p, "PortNumber")));
      uint64_t device = uint_item(req.p, "DeviceID");
      bool known = device == kDeviceId &&
                   (port == kLockdownPort || port == kNotificationProxyPort || port == kMobileBackup2Port ||
                    (port == kAfcPort && !config_.media.empty()) ||
                    ((port == kCrashMoverPort || port == kCrashCopyPort) && !config_.crash_reports.empty()) ||
                    port == kSyslogPort);
      note("connect " + std::to_string(port));
      if (!send_mux_result(fd, tag, known ? 0 : 3)) return;
      if (!known) continue;
      if (port == kLockdownPort)
        serve_lockdown(fd);
      else if (port == kNotificationProxyPort)
        serve_notification_proxy(fd);
      else if (port == kAfcPort)
        serve_afc(fd, config_.media);
      else if (port == kCrashCopyPort)
        serve_afc(fd, config_.crash_reports);
      else if (port == kCrashMoverPort)
        write_all(fd, "ping", 4);  // "moved the reports": ready to copy
      else if (port == kSyslogPort)
        serve_syslog(fd);
      else
        serve_mobilebackup2(fd);
      return;  // the tunnel is over when the service ends
    } else {
      if (!send_mux_result(fd, tag, 1)) return;  // BADCOMMAND
    }
  }
}

void Simulator::serve_lockdown(int fd) {
  bool session = false;
  while (running_) {
    Plist req = read_service_plist(fd);
    if (!req.p) return;
    std::string request = str_item(req.p, "Request");
    std::string domain = str_item(req.p, "Domain"), key = str_item(req.p, "Key");
    note("lockdown " + request + (domain.empty() && key.empty() ? "" : " " + domain + "/" + key));
    Plist reply(plist_new_dict());
    plist_dict_set_item(reply.p, "Request", plist_new_string(request.c_str()));
    if (request == "QueryType") {
      plist_dict_set_item(reply.p, "Type", plist_new_string("com.apple.mobile.lockdown"));
    } else if (request == "GetValue") {
      if (!domain.empty()) plist_dict_set_item(reply.p, "Domain", plist_new_string(domain.c_str()));
      if (!key.empty()) plist_dict_set_item(reply.p, "Key", plist_new_string(key.c_str()));
      plist_t value = nullptr;
      if (domain.empty()) {
        if (key.empty()) {
          value = plist_new_dict();
          for (const auto& [k, v] : config_.values)
            plist_dict_set_item(value, k.c_str(), plist_new_string(v.c_str()));
          plist_dict_set_item(value, "PasswordProtected", plist_new_bool(config_.password_protected));
        } else if (key == "PasswordProtected") {
          value = plist_new_bool(config_.password_protected);
        } else if (key == "DevicePublicKey") {
          value = plist_new_data(device_public_key_.data(), device_public_key_.size());
        } else if (auto it = config_.values.find(key); it != config_.values.end()) {
          // Before a session a real device only answers a few keys; ProductVersion is the one the host needs.
          if (session || key == "ProductVersion" || key == "ProductType" || key == "UniqueDeviceID")
            value = plist_new_string(it->second.c_str());
        }
      } else if (domain == "com.apple.mobile.backup") {
        if (key == "WillEncrypt")
          value = plist_new_bool(config_.will_encrypt);
        else if (key.empty()) {
          value = plist_new_dict();
          plist_dict_set_item(value, "WillEncrypt", plist_new_bool(config_.will_encrypt));
        }
      } else if (domain == "com.apple.iTunes" && key.empty()) {
        value = plist_new_dict();
      } else if (domain == "com.apple.mobile.iTunes" && key == "MinITunesVersion") {
        value = plist_new_string("10.0.1");
      }
      if (value)
        plist_dict_set_item(reply.p, "Value", value);
      else
        plist_dict_set_item(reply.p, "Error", plist_new_string("MissingValue"));
    } else if (request == "StartSession") {
      if (!paired_) {
        plist_dict_set_item(reply.p, "Error", plist_new_string("InvalidHostID"));
      } else {
        session = true;
        plist_dict_set_item(reply.p, "SessionID", plist_new_string("5E55105E-0000-4000-8000-000000000001"));
        plist_dict_set_item(reply.p, "EnableSessionSSL", plist_new_bool(0));
      }
    } else if (request == "StopSession") {
      session = false;
    } else if (request == "StartService") {
      std::string service = str_item(req.p, "Service");
      note("service " + service);
      uint16_t port = 0;
      if (service == "com.apple.mobile.notification_proxy")
        port = kNotificationProxyPort;
      else if (service == "com.apple.mobilebackup2" && !config_.faults.refuse_mobilebackup2)
        port = kMobileBackup2Port;
      else if (service == "com.apple.afc" && !config_.media.empty())
        port = kAfcPort;
      else if (service == "com.apple.crashreportmover" && !config_.crash_reports.empty())
        port = kCrashMoverPort;
      else if (service == "com.apple.crashreportcopymobile" && !config_.crash_reports.empty())
        port = kCrashCopyPort;
      else if (service == "com.apple.syslog_relay")
        port = kSyslogPort;
      plist_dict_set_item(reply.p, "Service", plist_new_string(service.c_str()));
      if (!session) {
        plist_dict_set_item(reply.p, "Error", plist_new_string("NoRunningSession"));
      } else if (port) {
        plist_dict_set_item(reply.p, "Port", plist_new_uint(port));
        plist_dict_set_item(reply.p, "EnableServiceSSL", plist_new_bool(0));
      } else {
        plist_dict_set_item(reply.p, "Error", plist_new_string("InvalidService"));
      }
    } else if (request == "Pair" || request == "ValidatePair") {
      if (request == "Pair" && pending_answers_ < config_.faults.trust_after_prompts) {
        ++pending_answers_;  // the examiner has not tapped Trust yet
        plist_dict_set_item(reply.p, "Error", plist_new_string("PairingDialogResponsePending"));
      } else if (config_.faults.refuse_trust) {
        plist_dict_set_item(reply.p, "Error", plist_new_string("UserDeniedPairing"));
      } else {
        paired_ = true;
        plist_dict_set_item(reply.p, "EscrowBag", plist_new_data("escrow", 6));
      }
    } else if (request == "Goodbye") {
      send_service_plist(fd, reply.p, false);
      return;
    } else {
      plist_dict_set_item(reply.p, "Error", plist_new_string("UnsupportedRequest"));  // simulator limit
    }
    if (!send_service_plist(fd, reply.p, false)) return;
  }
}

void Simulator::serve_notification_proxy(int fd) {
  while (running_) {
    Plist req = read_service_plist(fd);
    if (!req.p) return;
    std::string command = str_item(req.p, "Command");
    note("np " + command + " " + str_item(req.p, "Name"));
    if (command == "Shutdown") {
      Plist reply(plist_new_dict());
      plist_dict_set_item(reply.p, "Command", plist_new_string("ProxyDeath"));
      send_service_plist(fd, reply.p, false);
      return;
    }
  }
}

// mobilebackup2: DeviceLink handshake, Hello, then on "Backup" the whole served folder as UploadFiles.
void Simulator::serve_mobilebackup2(int fd) {
  auto send_array = [&](std::initializer_list<plist_t> items) {
    Plist a(plist_new_array());
    for (plist_t i : items) plist_array_append_item(a.p, i);
    return send_service_plist(fd, a.p, true);
  };
  auto process_message = [&](plist_t dict) {
    return send_array({plist_new_string("DLMessageProcessMessage"), dict});
  };
  // The host answers every file-system request with a DLMessageStatusResponse.
  auto expect_status = [&]() {
    Plist r = read_service_plist(fd);
    return r.p && dl_name(r.p) == "DLMessageStatusResponse";
  };

  if (!send_array({plist_new_string("DLMessageVersionExchange"), plist_new_uint(300), plist_new_uint(0)}))
    return;
  Plist ok = read_service_plist(fd);  // ["DLMessageVersionExchange", "DLVersionsOk", 300 or 400]
  if (!ok.p || dl_name(ok.p) != "DLMessageVersionExchange") return;
  if (!send_array({plist_new_string("DLMessageDeviceReady")})) return;

  while (running_) {
    Plist msg = read_service_plist(fd);
    if (!msg.p) return;
    std::string name = dl_name(msg.p);
    if (name == "DLMessageDisconnect") return;
    plist_t body = plist_array_get_size(msg.p) > 1 ? plist_array_get_item(msg.p, 1) : nullptr;
    std::string what = str_item(body, "MessageName");
    note("mobilebackup2 " + name + " " + what);
    if (what == "Hello") {
      plist_t r = plist_new_dict();
      plist_dict_set_item(r, "MessageName", plist_new_string("Response"));
      plist_dict_set_item(r, "ErrorCode", plist_new_uint(0));
      plist_dict_set_item(r, "ProtocolVersion", plist_new_real(2.1));
      if (!process_message(r)) return;
      continue;
    }
    if (what == "ChangePassword") {
      // Turning encryption on (NewPassword only) or off (OldPassword only), as `idevicebackup2 encryption`.
      std::string new_pw = str_item(body, "NewPassword"), old_pw = str_item(body, "OldPassword");
      uint64_t code = 0;
      std::string desc;
      std::lock_guard<std::mutex> lock(mutex_);
      if (!new_pw.empty() && old_pw.empty() && !config_.will_encrypt) {
        if (config_.encrypted_backup.empty() || new_pw != config_.encrypted_password) {
          code = 1;
          desc = "simulator: no encrypted copy for that password";
        } else {
          plain_backup_ = config_.backup;
          config_.backup = config_.encrypted_backup;
          config_.will_encrypt = true;
        }
      } else if (new_pw.empty() && !old_pw.empty() && config_.will_encrypt) {
        if (old_pw != config_.encrypted_password) {
          code = 207;
          desc = "wrong old password";
        } else {
          if (!plain_backup_.empty()) config_.backup = plain_backup_;
          config_.will_encrypt = false;
        }
      } else {
        code = 1;
        desc = "simulator: unsupported ChangePassword";
      }
      log_.push_back("ChangePassword " + std::string(code ? "refused" : "ok") +
                     (new_pw.empty() ? " (encryption off)" : " (encryption on)"));
      plist_t r = plist_new_dict();
      plist_dict_set_item(r, "ErrorCode", plist_new_uint(code));
      plist_dict_set_item(r, "ErrorDescription", plist_new_string(desc.c_str()));
      if (!process_message(r)) return;
      continue;
    }
    if (what != "Backup") {
      plist_t r = plist_new_dict();
      plist_dict_set_item(r, "ErrorCode", plist_new_uint(1));
      plist_dict_set_item(r, "ErrorDescription",
                          plist_new_string(("simulator: unsupported request " + what).c_str()));
      if (!process_message(r)) return;
      continue;
    }

    // The files to send, relative to the served folder; Info.plist is the host's to write.
    std::vector<std::string> files;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(config_.backup, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_regular_file()) {
        std::string rel = fs::relative(it->path(), config_.backup).string();
        if (rel != "Info.plist") files.push_back(rel);
      }
    // Device order: data first, then the index, Status.plist last (it says the snapshot is finished).
    auto rank = [](const std::string& f) {
      return f == "Status.plist" ? 3 : f == "Manifest.plist" ? 2 : f.rfind("Manifest.db", 0) == 0 ? 1 : 0;
    };
    std::stable_sort(files.begin(), files.end(), [&](const auto& a, const auto& b) {
      return rank(a) != rank(b) ? rank(a) < rank(b) : a < b;
    });
    uint64_t total = 0;
    for (const auto& f : files) total += fs::file_size(config_.backup / f, ec);

    if (!send_array({plist_new_string("DLMessageGetFreeDiskSpace"), plist_new_dict()}) || !expect_status())
      return;
    std::vector<std::string> dirs = {config_.udid};
    for (const auto& f : files)
      if (auto parent = fs::path(f).parent_path(); !parent.empty())
        dirs.push_back(config_.udid + "/" + parent.string());
    std::sort(dirs.begin(), dirs.end());
    dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
    for (const auto& d : dirs)
      if (!send_array({plist_new_string("DLMessageCreateDirectory"), plist_new_string(d.c_str()),
                       plist_new_uint(0), plist_new_real(0.0)}) ||
          !expect_status())
        return;

    if (!send_array({plist_new_string("DLMessageUploadFiles"), plist_new_dict(), plist_new_real(1.0),
                     plist_new_uint(total)}))
      return;
    int64_t sent = 0;
    std::vector<char> buf(std::max<size_t>(config_.faults.chunk_bytes, 1));
    for (const auto& f : files) {
      std::string remote = config_.udid + "/" + f;
      std::string dir = fs::path(remote).parent_path().string();
      if (!write_be32(fd, static_cast<uint32_t>(dir.size())) || !write_all(fd, dir.data(), dir.size()) ||
          !write_be32(fd, static_cast<uint32_t>(remote.size())) ||
          !write_all(fd, remote.data(), remote.size()))
        return;
      std::ifstream in(config_.backup / f, std::ios::binary);
      while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        size_t n = static_cast<size_t>(in.gcount());
        if (n == 0) break;
        if (config_.faults.disconnect_after_bytes >= 0 &&
            sent + static_cast<int64_t>(n) > config_.faults.disconnect_after_bytes) {
          note("fault: disconnect during " + f);
          ::shutdown(fd, SHUT_RDWR);  // the cable is pulled
          return;
        }
        const char code = 0x0C;  // file data
        if (!write_be32(fd, static_cast<uint32_t>(n + 1)) || !write_all(fd, &code, 1) ||
            !write_all(fd, buf.data(), n))
          return;
        sent += static_cast<int64_t>(n);
      }
      const char done = 0x00;  // success: end of this file
      if (!write_be32(fd, 1) || !write_all(fd, &done, 1)) return;
      note("sent " + remote);
    }
    if (!write_be32(fd, 0) || !expect_status()) return;  // end of the file list

    plist_t r = plist_new_dict();
    plist_dict_set_item(r, "ErrorCode", plist_new_uint(config_.faults.backup_error_code));
    plist_dict_set_item(r, "ErrorDescription",
                        plist_new_string(config_.faults.backup_error_code ? "simulated backup failure" : ""));
    if (!process_message(r)) return;
  }
}

// syslog_relay: the configured lines, each NUL-terminated as the relay sends them, then idle until the host
// closes the connection.
void Simulator::serve_syslog(int fd) {
  for (const auto& line : config_.syslog_lines)
    if (!write_all(fd, line.c_str(), line.size() + 1)) return;
  char c;
  while (running_ && ::recv(fd, &c, 1, 0) > 0) {
  }
}

// AFC over the media folder, read-only: READ_DIR, GET_FILE_INFO, GET_DEVINFO, FILE_OPEN/READ/CLOSE,
// FILE_LOCK. Opening for writing (idevicebackup2's sync lock file) gets a handle to nothing: the folder is
// never written.
void Simulator::serve_afc(int fd, const fs::path& root) {
  enum : uint64_t {
    kStatus = 1,
    kData = 2,
    kReadDir = 3,
    kGetFileInfo = 0x0A,
    kGetDevInfo = 0x0B,
    kFileOpen = 0x0D,
    kFileOpenRes = 0x0E,
    kFileRead = 0x0F,
    kFileClose = 0x14,
    kFileLock = 0x1B
  };
  struct Header {
    char magic[8];
    uint64_t entire_length, this_length, packet_num, operation;
  };
  std::map<uint64_t, std::unique_ptr<std::ifstream>> files;
  uint64_t next_handle = 1;
  // One write per packet: libimobiledevice's afc_receive_data takes the payload with a single recv and fails
  // on a short one, so header and data must reach the socket together (one skb), never in two writes that a
  // loaded reader could see half of.
  auto reply = [&](uint64_t packet, uint64_t op, const std::string& data) {
    Header h;
    std::memcpy(h.magic, "CFA6LPAA", 8);
    h.entire_length = h.this_length = sizeof(Header) + data.size();
    h.packet_num = packet;
    h.operation = op;
    std::string frame(reinterpret_cast<const char*>(&h), sizeof h);
    frame += data;
    return write_all(fd, frame.data(), frame.size());
  };
  auto status = [&](uint64_t packet, uint64_t code) {
    return reply(packet, kStatus, std::string(reinterpret_cast<const char*>(&code), 8));
  };
  // Device path -> folder path; nothing outside the folder.
  auto local = [&](std::string p) -> std::optional<fs::path> {
    fs::path rel = fs::path(p).relative_path().lexically_normal();
    if (!rel.empty() && *rel.begin() == "..") return std::nullopt;
    return rel.empty() || rel == "." ? root : root / rel;
  };
  while (running_) {
    Header h;
    if (!read_exact(fd, &h, sizeof h) || std::memcmp(h.magic, "CFA6LPAA", 8) != 0) return;
    if (h.entire_length < sizeof h || h.entire_length > (64u << 20)) return;
    std::string body(h.entire_length - sizeof h, '\0');
    if (!read_exact(fd, body.data(), body.size())) return;
    auto cstr = [&](size_t at) { return at < body.size() ? std::string(body.c_str() + at) : std::string(); };
    auto u64 = [&](size_t at) {
      uint64_t v = 0;
      if (at + 8 <= body.size()) std::memcpy(&v, body.data() + at, 8);
      return v;
    };
    bool ok = true;
    std::error_code ec;
    switch (h.operation) {
      case kReadDir: {
        auto dir = local(cstr(0));
        if (!dir || !fs::is_directory(*dir, ec)) {
          ok = status(h.packet_num, 8);  // object not found
          break;
        }
        std::string list = std::string(".") + '\0' + ".." + '\0';
        for (const auto& e : fs::directory_iterator(*dir, ec)) list += e.path().filename().string() + '\0';
        ok = reply(h.packet_num, kData, list);
        break;
      }
      case kGetFileInfo: {
        auto p = local(cstr(0));
        auto st = p ? fs::symlink_status(*p, ec) : fs::file_status{};
        if (!p || !fs::exists(st)) {
          ok = status(h.packet_num, 8);
          break;
        }
        struct stat sb {};
        ::lstat(p->c_str(), &sb);
        std::string mtime_ns =
            std::to_string(static_cast<int64_t>(sb.st_mtim.tv_sec) * 1000000000 + sb.st_mtim.tv_nsec);
        std::string type = fs::is_symlink(st) ? "S_IFLNK" : fs::is_directory(st) ? "S_IFDIR" : "S_IFREG";
        std::string size = fs::is_regular_file(st) ? std::to_string(fs::file_size(*p, ec)) : "0";
        std::string info;
        for (const auto& [k, v] :
             std::vector<std::pair<std::string, std::string>>{{"st_size", size},
                                                              {"st_blocks", "8"},
                                                              {"st_nlink", "1"},
                                                              {"st_ifmt", type},
                                                              {"st_mtime", mtime_ns},
                                                              {"st_birthtime", mtime_ns}})
          info += k + '\0' + v + '\0';
        ok = reply(h.packet_num, kData, info);
        break;
      }
      case kGetDevInfo: {
        std::string info;
        for (const auto& [k, v] :
             std::vector<std::pair<std::string, std::string>>{{"Model", config_.values["ProductType"]},
                                                              {"FSTotalBytes", "64000000000"},
                                                              {"FSFreeBytes", "12000000000"},
                                                              {"FSBlockSize", "4096"}})
          info += k + '\0' + v + '\0';
        ok = reply(h.packet_num, kData, info);
        break;
      }
      case kFileOpen: {
        uint64_t mode = u64(0);
        auto p = local(cstr(8));
        uint64_t handle = next_handle++;
        if (mode == 1) {  // AFC_FOPEN_RDONLY
          if (!p || !fs::is_regular_file(*p, ec)) {
            ok = status(h.packet_num, 8);
            break;
          }
          files[handle] = std::make_unique<std::ifstream>(*p, std::ios::binary);
        } else {
          files[handle] = nullptr;  // write modes: accepted, never written (lock files)
        }
        note("afc open " + cstr(8));
        ok = reply(h.packet_num, kFileOpenRes, std::string(reinterpret_cast<const char*>(&handle), 8));
        break;
      }
      case kFileRead: {
        auto it = files.find(u64(0));
        uint64_t want = std::min<uint64_t>(u64(8), 1 << 20);
        if (it == files.end() || !it->second) {
          ok = status(h.packet_num, 7);  // invalid argument
          break;
        }
        std::string data(want, '\0');
        it->second->read(data.data(), static_cast<std::streamsize>(want));
        data.resize(static_cast<size_t>(it->second->gcount()));
        ok = reply(h.packet_num, kData, data);
        break;
      }
      case kFileClose:
        files.erase(u64(0));
        ok = status(h.packet_num, 0);
        break;
      case kFileLock:
        ok = status(h.packet_num, 0);
        break;
      default:
        ok = status(h.packet_num, 15);  // operation not supported (the simulator is read-only)
    }
    if (!ok) return;
  }
}

}  // namespace kanshiki::ios_sim
