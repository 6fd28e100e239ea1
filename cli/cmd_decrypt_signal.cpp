// `kanshiki decrypt signal`: a Signal SQLCipher database (Android signal.db, iOS grdb/signal.sqlite) with the
// key the examiner supplies becomes new evidence derived from the encrypted item (engine/derive.h,
// core/decrypt/sqlcipher.h). Mirrors `decrypt whatsapp`: the key never reaches the custody log or the runs
// table, only its SHA-256 (and the key file's path).
#include <fmt/format.h>

#include <fstream>
#include <memory>

#include "cli/commands.h"
#include "core/decrypt/sqlcipher.h"
#include "engine/derive.h"
#include "hashing/multi_hash.h"

namespace kanshiki::cli {
namespace {

struct DecryptSignalOptions {
  std::string case_dir, item_path, key_file, hex_key, profile = "auto";
  int64_t item_id = 0;
};

// The key text from --key FILE: a text file holding the hex key, or the raw 32/48 bytes of a key spec as
// dumped from the iOS keychain (turned into hex so both take the same road).
std::string read_key_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ExitCode::usage, "cannot read key file " + path.string());
  std::string data;
  char buf[512];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    data.append(buf, static_cast<size_t>(in.gcount()));
    if (data.size() > 4096)
      throw Error(ExitCode::usage, "not a key file (larger than 4 KiB): " + path.string());
  }
  bool printable = std::all_of(data.begin(), data.end(), [](char c) {
    return c == '\n' || c == '\r' || c == '\t' || (c >= 0x20 && c < 0x7f);
  });
  if (!printable && (data.size() == 32 || data.size() == 48)) return to_hex(data);
  return data;
}

int cmd_decrypt_signal(const DecryptSignalOptions& o) {
  if ((o.item_id > 0) == !o.item_path.empty())
    throw Error(ExitCode::usage, "give exactly one of --item ID or --path PATH");
  if (o.key_file.empty() == o.hex_key.empty())
    throw Error(ExitCode::usage, "give exactly one of --key FILE or --hex-key HEX");
  Session s = open_session(o.case_dir);
  json params{
      {"item", o.item_id > 0 ? json(o.item_id) : json(nullptr)},
      {"path", o.item_path},
      {"profile", o.profile},
      {"key", o.key_file.empty() ? json{{"kind", "hex"}}
                                 : json{{"kind", "file"}, {"path", fs::absolute(o.key_file).string()}}}};
  int rc = 0;
  logged(s, "decrypt signal", params, [&] {
    std::string key_text = o.key_file.empty() ? o.hex_key : read_key_file(o.key_file);
    int64_t id = o.item_id > 0 ? o.item_id : find_item_by_path(s.db, o.item_path);
    params["item"] = id;
    std::string file_name;
    {
      sql::Stmt st(s.db.db(), "SELECT path FROM items WHERE id = ?1");
      st.bind(1, id);
      if (st.step()) file_name = fs::path(st.text(0)).filename().string();
    }
    auto candidates = sqlcipher::signal_candidates(key_text, o.profile, file_name);
    // One fingerprint for the key as given, whichever reading of it (passphrase, raw key) matches.
    std::string trimmed = key_text;
    while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) trimmed.pop_back();
    const std::string fingerprint = sha256_hex(trimmed);
    params["key"]["sha256"] = fingerprint;
    int64_t run = s.db.begin_run("decrypt", g.command_line, s.examiner.name());
    s.log({"decrypt signal", "started", params});
    DeriveResult r;
    try {
      r = derive_sqlcipher_decrypted(s.db, run, id, candidates, fingerprint);
    } catch (...) {
      s.db.end_run(run, "failed");
      throw;
    }
    auto [in, out] = derived_evidence_custody(
        s, r, o.key_file.empty() ? "hex" : fs::absolute(o.key_file).string(), fingerprint);
    const std::vector<uint64_t> bad_pages = r.sqlcipher ? r.sqlcipher->bad_pages : std::vector<uint64_t>{};
    CustodyAction done{"decrypt signal", bad_pages.empty() ? "ok" : "warnings", params, in, out};
    done.parameters["derivation"] = r.derivation;
    if (r.sqlcipher) done.parameters["parameters"] = r.sqlcipher->params.describe();
    if (!bad_pages.empty()) done.parameters["damaged_pages"] = bad_pages;
    if (r.already_derived) done.parameters["note"] = "already decrypted with this key; nothing done";
    s.log(done);
    s.db.end_run(run, "ok");
    if (r.already_derived) {
      say(
          fmt::format("Item {} was already decrypted with this key: evidence E{} ({}); nothing to do. / "
                      "この鍵で復号済みです",
                      id, r.evidence_id, r.output.string()));
    } else {
      say(fmt::format(
          "Decrypted {} (item {} of E{}) into evidence E{} / 復号して派生証拠にしました\n  {}\n  {}\n"
          "  {} pages, size {}  SHA-256 {}\n  {}",
          r.source_path, id, r.source_evidence_id, r.evidence_id, r.sqlcipher->params.describe(),
          r.output.string(), r.sqlcipher->pages, human_bytes(r.output_size), r.output_sha256, r.derivation));
      if (!bad_pages.empty()) {
        say(
            fmt::format("  WARNING: {} damaged page(s) failed their HMAC and were written as zeros / "
                        "HMAC不一致のページ {} 件はゼロで出力しました",
                        bad_pages.size(), bad_pages.size()));
        rc = static_cast<int>(ExitCode::completed_with_warnings);
      }
    }
    emit_json({{"evidence_id", r.evidence_id},
               {"already_derived", r.already_derived},
               {"source_item", id},
               {"output", r.output.string()},
               {"size", r.output_size},
               {"sha256", r.output_sha256},
               {"parameters", r.sqlcipher ? r.sqlcipher->params.name : ""},
               {"damaged_pages", bad_pages},
               {"derivation", r.derivation}});
  });
  return rc;
}

}  // namespace

std::pair<json, json> derived_evidence_custody(Session& s, const DeriveResult& r,
                                               const std::string& key_label, const std::string& key_sha256) {
  json in = json::array({json{{"evidence_id", r.source_evidence_id},
                              {"item_id", r.source_item_id},
                              {"path", r.source_path},
                              {"sha256", r.source_sha256}},
                         json{{"key", key_label}, {"sha256", key_sha256}}});
  json out = json::array({json{{"evidence_id", r.evidence_id},
                               {"path", fs::relative(r.output, s.db.dir()).string()},
                               {"size", r.output_size},
                               {"sha256", r.output_sha256}}});
  if (!r.already_derived)
    out.push_back({{"path", fs::relative(r.ingest.manifest, s.db.dir()).string()},
                   {"sha256", r.ingest.manifest_sha256}});
  return {in, out};
}

void register_decrypt_signal(CLI::App& app, Action& action) {
  auto o = std::make_shared<DecryptSignalOptions>();
  auto* dec = app.get_subcommand("decrypt");  // the group is created in main.cpp with `decrypt whatsapp`
  auto* sig = dec->add_subcommand(
      "signal", "Signal signal.db (Android) / grdb/signal.sqlite (iOS), SQLCipher, with the examiner's key");
  sig->add_option("--case", o->case_dir, "Case folder")->required();
  auto* item_opt = sig->add_option("--item", o->item_id, "Item id of the encrypted database");
  sig->add_option("--path", o->item_path, "Logical path of the encrypted database")->excludes(item_opt);
  auto* key_opt = sig->add_option("--key", o->key_file,
                                  "Key file: text with the hex key, or the raw 32/48-byte iOS key spec");
  sig->add_option("--hex-key", o->hex_key,
                  "Android: the 64-hex databaseSecret; iOS: the 96-hex GRDBDatabaseCipherKeySpec")
      ->excludes(key_opt);
  sig->add_option("--profile", o->profile, "auto (default), android, ios, sqlcipher3, sqlcipher4")
      ->check(CLI::IsMember({"auto", "android", "ios", "sqlcipher3", "sqlcipher4"}));
  sig->callback([&action, o] { action = [o] { return cmd_decrypt_signal(*o); }; });
}

}  // namespace kanshiki::cli
