// ADB over USB with libusb-1.0: finds the ADB interface (class 0xFF, subclass 0x42, protocol 0x01) with one
// bulk IN and one bulk OUT endpoint, sends header and payload as separate bulk transfers with a zero-length
// packet after a payload that is a multiple of wMaxPacketSize, and reads payloads into buffers rounded up to
// the packet size (libusb's overflow rule). Compiled and structurally complete; no phone is attached in CI,
// so the shared protocol code is tested over TCP against the fake device.
#include <fmt/format.h>
#include <libusb.h>

#include <mutex>
#include <optional>

#include "acquire/android/adb_protocol.h"

namespace kanshiki::adb {
namespace {

constexpr uint8_t kAdbClass = 0xFF, kAdbSubclass = 0x42, kAdbProtocol = 0x01;

libusb_context* usb_context() {
  static std::once_flag once;
  static libusb_context* ctx = nullptr;
  std::call_once(once, [] {
    if (libusb_init(&ctx) != 0) ctx = nullptr;
  });
  if (!ctx)
    throw AdbError(Failure::offline, "libusb could not be initialised (no USB access on this machine?)");
  return ctx;
}

struct AdbInterface {
  int number = -1;
  uint8_t in = 0, out = 0;
  uint16_t packet_size = 512;
};

std::optional<AdbInterface> find_adb_interface(libusb_device* dev) {
  libusb_config_descriptor* cfg = nullptr;
  if (libusb_get_active_config_descriptor(dev, &cfg) != 0 || !cfg) return std::nullopt;
  std::optional<AdbInterface> found;
  for (int i = 0; i < cfg->bNumInterfaces && !found; ++i) {
    const libusb_interface& itf = cfg->interface[i];
    if (itf.num_altsetting != 1) continue;
    const libusb_interface_descriptor& d = itf.altsetting[0];
    if (d.bInterfaceClass != kAdbClass || d.bInterfaceSubClass != kAdbSubclass ||
        d.bInterfaceProtocol != kAdbProtocol)
      continue;
    AdbInterface a;
    a.number = d.bInterfaceNumber;
    uint16_t in_size = 0, out_size = 0;
    for (int e = 0; e < d.bNumEndpoints; ++e) {
      const libusb_endpoint_descriptor& ep = d.endpoint[e];
      if ((ep.bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) != LIBUSB_TRANSFER_TYPE_BULK) continue;
      if (ep.bEndpointAddress & LIBUSB_ENDPOINT_IN) {
        a.in = ep.bEndpointAddress;
        in_size = ep.wMaxPacketSize;
      } else {
        a.out = ep.bEndpointAddress;
        out_size = ep.wMaxPacketSize;
      }
    }
    // Both bulk endpoints present, with the same packet size (as adb requires).
    if (a.in && a.out && in_size == out_size && in_size) {
      a.packet_size = in_size;
      found = a;
    }
  }
  libusb_free_config_descriptor(cfg);
  return found;
}

std::string serial_of(libusb_device_handle* h, libusb_device* dev) {
  libusb_device_descriptor desc{};
  if (libusb_get_device_descriptor(dev, &desc) != 0 || !desc.iSerialNumber) return {};
  unsigned char buf[256];
  int n = libusb_get_string_descriptor_ascii(h, desc.iSerialNumber, buf, sizeof buf);
  return n > 0 ? std::string(reinterpret_cast<char*>(buf), static_cast<size_t>(n)) : std::string();
}

class UsbTransport final : public Transport {
 public:
  UsbTransport(libusb_device_handle* h, AdbInterface itf, std::string description)
      : h_(h), itf_(itf), description_(std::move(description)) {}
  ~UsbTransport() override { close(); }

  void send(const unsigned char header[kHeaderSize], const std::string& payload) override {
    bulk_out(header, kHeaderSize);
    if (payload.empty()) return;
    bulk_out(reinterpret_cast<const unsigned char*>(payload.data()), payload.size());
    // A transfer that ends exactly on a packet boundary needs a zero-length packet to mark its end.
    if (usb_needs_zero_length_packet(payload.size(), itf_.packet_size)) bulk_out(nullptr, 0);
  }
  void receive_header(unsigned char header[kHeaderSize]) override {
    size_t got = bulk_in(header, kHeaderSize);
    if (got != kHeaderSize)
      throw AdbError(Failure::protocol, fmt::format("{}: short ADB header ({} bytes)", description_, got));
  }
  void receive_payload(std::string& payload, size_t length) override {
    // Round up to the packet size: a device packet larger than the buffer is a libusb overflow error.
    size_t rounded = usb_read_buffer_size(length, itf_.packet_size);
    payload.resize(rounded);
    size_t got = 0;
    while (got < length)
      got += bulk_in(reinterpret_cast<unsigned char*>(payload.data()) + got, rounded - got);
    if (got != length)
      throw AdbError(Failure::protocol, fmt::format("{}: payload of {} bytes where {} were announced",
                                                    description_, got, length));
    payload.resize(length);
  }
  std::string describe() const override { return description_; }
  void set_timeout(std::chrono::milliseconds t) override { timeout_ms_ = static_cast<unsigned>(t.count()); }
  void close() override {
    if (!h_) return;
    libusb_release_interface(h_, itf_.number);
    libusb_close(h_);
    h_ = nullptr;
  }

 private:
  [[noreturn]] void fail(int rc) {
    if (rc == LIBUSB_ERROR_TIMEOUT)
      throw AdbError(Failure::timeout,
                     fmt::format("{}: no answer within {} s", description_, timeout_ms_ / 1000.0));
    if (rc == LIBUSB_ERROR_NO_DEVICE || rc == LIBUSB_ERROR_IO || rc == LIBUSB_ERROR_PIPE)
      throw AdbError(Failure::disconnected,
                     description_ + ": the phone was unplugged or reset (" + libusb_error_name(rc) + ")");
    throw AdbError(Failure::protocol, description_ + ": USB error " + libusb_error_name(rc));
  }
  void bulk_out(const unsigned char* data, size_t n) {
    int done = 0;
    int rc = libusb_bulk_transfer(h_, itf_.out, const_cast<unsigned char*>(data), static_cast<int>(n), &done,
                                  timeout_ms_);
    if (rc != 0) fail(rc);
    if (static_cast<size_t>(done) != n)
      throw AdbError(Failure::disconnected, description_ + ": short USB write");
  }
  size_t bulk_in(unsigned char* data, size_t n) {
    int done = 0;
    int rc = libusb_bulk_transfer(h_, itf_.in, data, static_cast<int>(n), &done, timeout_ms_);
    if (rc != 0) fail(rc);
    return static_cast<size_t>(done);
  }

  libusb_device_handle* h_;
  AdbInterface itf_;
  std::string description_;
  unsigned timeout_ms_ = 30000;
};

// Visits every USB device with an ADB interface; the callback gets an open handle.
template <typename F>
void for_each_adb_device(F&& f) {
  libusb_device** list = nullptr;
  ssize_t n = libusb_get_device_list(usb_context(), &list);
  if (n < 0)
    throw AdbError(Failure::offline,
                   std::string("cannot list USB devices: ") + libusb_error_name(static_cast<int>(n)));
  for (ssize_t i = 0; i < n; ++i) {
    auto itf = find_adb_interface(list[i]);
    if (!itf) continue;
    libusb_device_handle* h = nullptr;
    if (libusb_open(list[i], &h) != 0) continue;  // no permission: udev rules missing (plugdev group)
    libusb_device_descriptor desc{};
    libusb_get_device_descriptor(list[i], &desc);
    std::string description =
        fmt::format("usb bus {} address {} ({:04x}:{:04x})", libusb_get_bus_number(list[i]),
                    libusb_get_device_address(list[i]), desc.idVendor, desc.idProduct);
    if (!f(list[i], h, *itf, description)) libusb_close(h);
  }
  libusb_free_device_list(list, 1);
}

}  // namespace

bool usb_needs_zero_length_packet(size_t payload_size, uint16_t packet_size) {
  return payload_size > 0 && packet_size > 0 && payload_size % packet_size == 0;
}

size_t usb_read_buffer_size(size_t payload_size, uint16_t packet_size) {
  if (packet_size == 0) return payload_size;
  return (payload_size + packet_size - 1) / packet_size * packet_size;
}

std::vector<UsbDeviceInfo> list_usb_devices() {
  std::vector<UsbDeviceInfo> out;
  for_each_adb_device(
      [&](libusb_device* dev, libusb_device_handle* h, const AdbInterface&, const std::string& d) {
        out.push_back({serial_of(h, dev), d, libusb_get_bus_number(dev), libusb_get_device_address(dev)});
        return false;
      });
  return out;
}

std::unique_ptr<Transport> open_usb(const std::string& serial) {
  std::unique_ptr<Transport> chosen;
  int candidates = 0;
  for_each_adb_device(
      [&](libusb_device* dev, libusb_device_handle* h, const AdbInterface& itf, const std::string& d) {
        std::string s = serial_of(h, dev);
        if (!serial.empty() && s != serial) return false;
        ++candidates;
        if (chosen) return false;
        // Vendor-class interface: no kernel driver to detach.
        if (int rc = libusb_claim_interface(h, itf.number); rc != 0)
          throw AdbError(Failure::offline, d + ": cannot claim the ADB interface (" + libusb_error_name(rc) +
                                               "); is another adb server running? try `adb kill-server`");
        chosen = std::make_unique<UsbTransport>(h, itf, d + " serial " + s);
        return true;
      });
  if (!chosen)
    throw AdbError(Failure::offline, serial.empty() ? "no Android device with USB debugging found on USB"
                                                    : "no Android device with serial " + serial + " on USB");
  if (serial.empty() && candidates > 1)
    throw AdbError(Failure::offline,
                   "several Android devices are attached: choose one with --serial, or use --all");
  return chosen;
}

}  // namespace kanshiki::adb
