#pragma once
// Logical acquisition of an iPhone over USB (usbmuxd + lockdownd + mobilebackup2, libimobiledevice 1.3.0)
// into an evidence container folder:
//
//   <container>/acquisition.json   device facts, options, status ("in_progress" / "incomplete" / "complete")
//   <container>/manifest.tsv       one line per file received: path, size, MD5, SHA-1, SHA-256 (hashed as it
//                                  lands, before the ".partial" rename)
//   <container>/pair_record.plist  the pairing record used (kept with the case: it unlocks this device's
//   services) <container>/media/             with --media: the AFC media area (/var/mobile/Media) file by
//   file <container>/crash_reports/     with --crashlogs: the device's crash and diagnostic reports
//   <container>/backup/            the full backup as the device sent it (Info.plist written by us from
//   lockdown
//                                  values, Manifest.plist/.db, Status.plist, xx/<fileID>) — an iTunes/Finder
//                                  backup folder, ingested as such (encrypted ones with the password)
//
// The protocol loop mirrors Debian's idevicebackup2 (DeviceLink messages), but every path the device names is
// confined to the container, every file is hashed on the way in, and every failure is named. A re-run on the
// same container starts a fresh full backup (mobilebackup2 cannot resume a snapshot) and keeps nothing stale.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kanshiki::ios_acquire {

// Why an acquisition stopped: the CLI turns these into clear messages and exit codes.
enum class Failure {
  none,
  no_device,        // nothing attached / usbmuxd unreachable
  locked,           // passcode lock: unlock the phone
  trust_refused,    // "Don't Trust" tapped
  trust_pending,    // the Trust dialog was not answered in time
  service_refused,  // lockdownd refused mobilebackup2 (locked, MDM, ...)
  disconnected,     // cable pulled / device gone mid-transfer
  device_error,     // the device reported a backup failure (ErrorCode)
  host_error,       // our side: disk full, unwritable container
  protocol_error,   // unexpected message from the device
};
std::string failure_name(Failure f);

struct Step {
  std::string action;  // "pair record", "device facts", "backup", "file", ...
  std::string status;  // "ok", "failed", "warnings"
  std::map<std::string, std::string> details;
};

struct AcquireProgress {
  uint64_t files_done = 0, bytes_done = 0, bytes_total = 0;
  double device_percent = 0;  // the device's own overall progress
  std::string current;
};

struct AcquireOptions {
  std::filesystem::path container;
  std::string udid;  // empty: the only attached device
  std::filesystem::path
      pair_record_file;  // a seized computer's lockdown/<UDID>.plist to use instead of pairing
  // --encrypt-temp: when the device does not encrypt its backups, turn encryption on with this password for
  // the backup (an encrypted backup holds more: keychain, Health, Wi-Fi) and turn it off again afterwards.
  // The password itself is never written anywhere; each change is a Step.
  std::optional<std::string> temporary_password;
  bool media = false;          // also pull the media area (AFC, /var/mobile/Media: DCIM, Downloads, ...)
  bool crash_reports = false;  // also pull crash reports (crashreportmover + crashreportcopymobile)
  int syslog_seconds = 0;      // > 0: capture the live system log (syslog_relay) for this long
  int trust_wait_s = 60;       // how long to wait for the Trust dialog
  int io_timeout_s = 30;       // seconds without any message before the device counts as gone
  std::function<void(const Step&)> on_step;  // one custody entry each
  std::function<void(const AcquireProgress&)> on_progress;
  std::function<void(const std::string&)>
      on_message;  // instructions for the examiner ("unlock and tap Trust")
};

struct AcquireResult {
  bool complete = false;
  Failure failure = Failure::none;
  std::string error;
  std::map<std::string, std::string>
      facts;                          // ProductType, ProductVersion, SerialNumber, UniqueDeviceID, IMEI, ...
  bool encrypted = false;             // WillEncrypt: the backup is encrypted by the device
  bool temporary_encryption = false;  // encryption was turned on by us for this backup
  bool encryption_restored = false;   // ... and turned off again afterwards
  uint64_t files = 0, bytes = 0;
  std::vector<std::string> notes;
  std::filesystem::path backup_dir, manifest;
  std::filesystem::path media_dir;  // <container>/media when --media
  uint64_t media_files = 0, media_bytes = 0;
  std::filesystem::path crash_dir;  // <container>/crash_reports when --crashlogs
  uint64_t crash_files = 0;
  std::filesystem::path syslog_file;  // <container>/syslog.raw when --syslog
  uint64_t syslog_bytes = 0;
};

// UDIDs of attached devices (via usbmuxd; honours USBMUXD_SOCKET_ADDRESS).
std::vector<std::string> list_devices();

// Device facts only (pairs if needed). Throws nothing: failures are in the result.
AcquireResult read_facts(const AcquireOptions& options);

// Facts, pair record, full backup into <container>/backup.
AcquireResult acquire_backup(const AcquireOptions& options);

}  // namespace kanshiki::ios_acquire
