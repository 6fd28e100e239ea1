#pragma once
// Logical acquisition of one Android device over ADB into an evidence container folder:
//
//   <container>/acquisition.json   device facts, options, status ("in_progress" / "incomplete" / "complete")
//   <container>/manifest.tsv       one line per file written: path, size, SHA-256 (computed on the way in,
//                                  before the rename), device path, device mtime, source command
//   <container>/logical/*.txt      getprop, pm list packages -f, dumpsys account/package, content queries
//   <container>/files/<device path>  pulled files (--sdcard: /sdcard)
//   <container>/backup/backup.ab   adb backup (--backup)
//   <container>/root/data.tar      su -c tar of /data (--root)
//
// Every byte is hashed while it is written (".partial" file, renamed once complete and hashed). A re-run on
// the same container resumes: files whose manifest line, device size/mtime and on-disk hash all agree are
// skipped; everything else is fetched again.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "acquire/android/adb_protocol.h"

namespace kanshiki::adb {

struct DeviceCommand {
  std::string command;  // the service/command as sent, e.g. "shell,v2,raw:getprop" or "sync: RECV /sdcard/x"
  std::string status;   // "ok", "failed", "unavailable" (e.g. permission denial), "skipped (verified)"
  std::string output;   // container-relative path written, if any
  std::string sha256;
  uint64_t bytes = 0;
  int exit_code = -1;
  std::string error;
};

struct AcquireProgress {
  uint64_t files_done = 0, files_total = 0, bytes_done = 0, bytes_total = 0;
  std::string current;
};

struct AcquireOptions {
  std::filesystem::path container;
  bool sdcard = false, backup = false, root = false;
  std::vector<std::string> sdcard_roots = {"/sdcard"};
  std::string backup_args = "-all";
  std::function<void(const DeviceCommand&)> on_command;  // one custody entry per device command
  std::function<void(const AcquireProgress&)> on_progress;
  std::function<void(const std::string&)> on_message;  // e.g. "confirm the backup on the phone"
};

struct AcquireResult {
  bool complete = false;
  std::string error;  // why it is incomplete (names the failure)
  std::optional<Failure> failure;
  std::map<std::string, std::string> facts;  // model, serial, android_version, security_patch, imei, ...
  uint64_t files = 0, bytes = 0, skipped_verified = 0, problems = 0;
  std::vector<std::string> notes;  // things not acquired and why (symlinks, unreadable files, denied queries)
  std::filesystem::path manifest;
};

// The content queries run for logical extraction: (output name, command). Also used by the fake device.
const std::vector<std::pair<std::string, std::string>>& content_queries();

AcquireResult acquire_logical(Connection& c, const AcquireOptions& options);

// Device facts from `getprop` output ("[key]: [value]" lines).
std::map<std::string, std::string> parse_getprop(const std::string& text);

}  // namespace kanshiki::adb
