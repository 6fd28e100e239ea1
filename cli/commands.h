// Command groups of the `kanshiki` CLI. Each group lives in its own cli/cmd_<group>.cpp and adds its
// subcommands to the app; a subcommand's callback sets `action`, which main() runs after parsing.
// To add a group: write cli/cmd_<group>.cpp with one register_ function, declare it here, and add one
// line to cli/command_registry.cpp and to cli/CMakeLists.txt.
#pragma once
#include <utility>

#include "cli/cli_common.h"

namespace kanshiki {
struct DeriveResult;      // engine/derive.h
struct ThumbnailOptions;  // engine/thumbnails.h
}

namespace kanshiki::cli {

void register_all_command_groups(CLI::App& app, Action& action);

void register_export(CLI::App& app, Action& action);  // cli/cmd_export.cpp
void register_acquire_ios(CLI::App& app, Action& action);  // cli/cmd_acquire_ios.cpp (acquire ios)
void register_digest(CLI::App& app, Action& action);  // cli/cmd_digest.cpp (digest, reproduce)
void register_image(CLI::App& app, Action& action);   // cli/cmd_image.cpp (image info)
void register_recover(CLI::App& app, Action& action);  // cli/cmd_recover.cpp
void register_decrypt_signal(CLI::App& app, Action& action);  // cli/cmd_decrypt_signal.cpp (decrypt signal)
void register_hashset(CLI::App& app, Action& action);  // cli/cmd_hashset.cpp
void register_thumbnails(CLI::App& app, Action& action);  // cli/cmd_thumbnails.cpp
// The thumbnails step as one logged action on an open session (its own run and custody entries; chatter via
// say()): `kanshiki thumbnails`, and the end of `kanshiki process`. Returns the JSON summary (not printed);
// sets `rc` to completed_with_warnings when some image failed.
json thumbnails_step(Session& s, const ThumbnailOptions& options, int& rc);
void register_scan(CLI::App& app, Action& action);  // cli/cmd_scan.cpp (scan, hits)
void register_batch(CLI::App& app, Action& action);  // cli/cmd_batch.cpp (batch run/resume/status/digest)
void register_links(CLI::App& app, Action& action);  // cli/cmd_links.cpp (identity graph)
void register_report(CLI::App& app, Action& action);  // cli/cmd_report.cpp (court report, HTML + PDF)
void register_tag(CLI::App& app, Action& action);     // cli/cmd_tag.cpp (tag, untag, tags, case set, evidence set)
void register_acquire_android(CLI::App& app, Action& action);  // cli/cmd_acquire_android.cpp (acquire android)

// `ingest BACKUP --password P` for an encrypted iOS backup (cli/cmd_ios_backup.cpp): called by the ingest
// command when the evidence is one; ingests it as stored and its decryption as derived evidence.
int ingest_encrypted_ios_backup_command(Session& s, json params, const fs::path& evidence, const std::string& exhibit,
                                        const std::string& label, const std::optional<std::string>& password);

// Custody inputs (the encrypted item, the key's label and SHA-256) and outputs (the derived file, and the new
// manifest unless nothing was done) of a decryption into derived evidence: `decrypt whatsapp`, `decrypt signal`
// (defined in cli/cmd_decrypt_signal.cpp).
std::pair<json, json> derived_evidence_custody(Session& s, const DeriveResult& r, const std::string& key_label,
                                               const std::string& key_sha256);

}  // namespace kanshiki::cli
