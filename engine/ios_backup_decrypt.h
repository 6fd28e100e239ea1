#pragma once
// `kanshiki ingest BACKUP --password P` for an encrypted iTunes/Finder backup. Two evidence records result:
//
//   E<a>  the backup as stored (ingested as a folder: every encrypted file hashed as it is on the media)
//   E<b>  the decrypted backup in CASE/derived/D<n>/ (a plain backup folder: Info/Status/Manifest.plist as
//         stored, Manifest.db and every xx/<fileID> decrypted), ingested as an iOS backup so the parsers read
//         it; evidence.derived_from_item = the Manifest.plist item of E<a> (it holds the keybag) and
//         evidence.derivation says how (key derivation parameters, passkey fingerprint).
//
// Every encrypted file is re-hashed while it is decrypted and must match its hash in E<a> (the evidence did
// not change between ingest and decryption). The decryption is written to D<n>.partial and renamed only
// when complete; a wrong password stops right after the key derivation and leaves nothing behind.
// Format: docs/formats/ios-backup-encryption.md.
#include <cstdint>
#include <filesystem>
#include <string>

#include "core/decrypt/ios_backup_crypt.h"
#include "engine/engine.h"

namespace kanshiki {

class CaseDb;

struct IosBackupDecryptResult {
  IngestResult original;         // the encrypted backup as stored
  int64_t keybag_item_id = 0;    // its Manifest.plist item (the derived evidence points here)
  bool already_derived = false;  // decrypted with the same key before: nothing done
  int64_t derived_evidence_id = 0;
  std::filesystem::path output;            // CASE/derived/D<n>
  IngestResult derived;                    // ingest of the decrypted backup (empty when already_derived)
  std::string derivation;                  // as stored in evidence.derivation
  ios_backup_crypt::DecryptReport report;  // files, bytes, problems (not filled when already_derived)
};

// True when `path` is a backup folder whose Manifest.plist says IsEncrypted.
bool is_encrypted_ios_backup(const std::filesystem::path& path);

// `options` as for ingest_evidence (evidence, exhibit, label, progress); its format and password are
// ignored. Throws Error(verification_failed) for a wrong password or evidence changed since ingest.
IosBackupDecryptResult ingest_encrypted_ios_backup(CaseDb& c, int64_t run_id, const IngestOptions& options,
                                                   const ios_backup_crypt::Secret& secret);

}  // namespace kanshiki
