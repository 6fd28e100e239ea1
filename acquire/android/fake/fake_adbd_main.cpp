// kanshiki-fake-adbd: serves a folder as a simulated Android device on 127.0.0.1 so the acquisition CLI (or
// Debian's adb) can be tried without a phone. Usage: kanshiki-fake-adbd ROOT [--port-file F] [--auth MODE]
// [--version old|new] [--max-payload N] [--split N] [--drop-after BYTES] [--delay-ms N] [--backup FILE]
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

#include "acquire/android/fake/fake_adbd.h"

using namespace kanshiki::adb;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: kanshiki-fake-adbd ROOT [--port-file F] [--auth none|keys|reject|no-answer] "
                 "[--version old|new]\n"
                 "       [--max-payload N] [--split N] [--drop-after BYTES] [--delay-ms N] [--backup FILE]\n";
    return 2;
  }
  fake::FakeDevice dev = fake::sample_device(argv[1]);
  fake::FakeOptions opt;
  std::string port_file;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--port-file")
      port_file = v;
    else if (k == "--auth")
      opt.auth = v == "keys"        ? fake::AuthMode::known_keys
                 : v == "reject"    ? fake::AuthMode::reject
                 : v == "no-answer" ? fake::AuthMode::no_answer
                                    : fake::AuthMode::none;
    else if (k == "--version")
      opt.version = v == "old" ? kVersionMin : kVersionSkipChecksum;
    else if (k == "--max-payload")
      opt.max_payload = static_cast<uint32_t>(std::stoul(v));
    else if (k == "--split")
      opt.split_writes = std::stoul(v);
    else if (k == "--drop-after")
      opt.drop_after_file_bytes = std::stoll(v);
    else if (k == "--delay-ms")
      opt.delay = std::chrono::milliseconds(std::stoll(v));
    else if (k == "--backup")
      dev.backup_file = v;
    else {
      std::cerr << "unknown option " << k << "\n";
      return 2;
    }
  }
  fake::FakeAdbd server(dev, opt);
  std::cout << server.address() << std::endl;
  if (!port_file.empty()) std::ofstream(port_file) << server.port() << "\n";
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  int sig = 0;
  sigwait(&set, &sig);
  server.stop();
  return 0;
}
