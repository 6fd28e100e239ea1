// kanshiki-ios-sim: runs the simulated iPhone (acquire/ios/sim/ios_device_sim.h) until interrupted, for
// trying libimobiledevice tools by hand:
//   kanshiki-ios-sim /tmp/sim.sock samples-out/ios_backup &
//   USBMUXD_SOCKET_ADDRESS=UNIX:/tmp/sim.sock ideviceinfo
//   USBMUXD_SOCKET_ADDRESS=UNIX:/tmp/sim.sock idevicebackup2 backup --full /tmp/out
#include <unistd.h>

#include <csignal>
#include <cstdio>

#include "acquire/ios/sim/ios_device_sim.h"

namespace {
volatile std::sig_atomic_t stop_requested = 0;
void on_signal(int) { stop_requested = 1; }
}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s SOCKET BACKUP_FOLDER [--encrypted]\n", argv[0]);
    return 2;
  }
  kanshiki::ios_sim::Config config;
  config.socket_path = argv[1];
  config.backup = argv[2];
  config.will_encrypt = argc > 3 && std::string(argv[3]) == "--encrypted";
  kanshiki::ios_sim::Simulator sim(config);
  sim.start();
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::printf("USBMUXD_SOCKET_ADDRESS=%s  UDID %s\n", sim.mux_address().c_str(), config.udid.c_str());
  std::fflush(stdout);
  while (!stop_requested) ::pause();
  sim.stop();
  return 0;
}
