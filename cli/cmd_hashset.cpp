// `kanshiki hashset`: known-file hash sets (engine/hashsets.h) — import, re-match, list, and the matched items.
#include <fmt/format.h>

#include <memory>

#include "cli/commands.h"
#include "engine/hashsets.h"

namespace kanshiki::cli {
namespace {

struct Options {
  std::string case_dir, file, name, kind = "known-good", format, only_kind;
};

int cmd_import(const Options& o) {
  Session s = open_session(o.case_dir);
  HashSetImport imp;
  imp.file = o.file;
  imp.name = o.name.empty() ? fs::path(o.file).filename().string() : o.name;
  imp.kind = o.kind == "known-bad" ? HashSetKind::known_bad : HashSetKind::known_good;
  if (o.format == "nsrl") imp.format = HashSetFormat::nsrl;
  if (o.format == "vics") imp.format = HashSetFormat::vics;
  if (o.format == "list") imp.format = HashSetFormat::list;
  json params{{"file", o.file}, {"name", imp.name}, {"kind", o.kind}, {"format", o.format}};
  logged(s, "hashset import", params, [&] {
    HashSetImportResult r = import_hash_set(s.db, imp);
    CustodyAction a{"hashset import", r.rejected_lines ? "warnings" : "ok", params};
    a.inputs = json::array({json{{"path", o.file}, {"sha256", r.sha256}}});
    a.outputs = json::array({json{{"set_id", r.set_id},
                                  {"format", hash_set_format_name(r.format)},
                                  {"entries", r.entries},
                                  {"rejected", r.rejected_lines},
                                  {"matches", r.matches}}});
    s.log(a);
    say(fmt::format("Hash set {} \"{}\" ({}, {}): {} hashes{}; {} case items match", r.set_id, imp.name, o.kind,
                    hash_set_format_name(r.format), r.entries,
                    r.rejected_lines ? fmt::format(", {} lines rejected (first: {})", r.rejected_lines, r.first_rejected)
                                     : "",
                    r.matches));
    emit_json(a.outputs[0]);
  });
  return 0;
}

int cmd_match(const Options& o) {
  Session s = open_session(o.case_dir);
  json params = json::object();
  logged(s, "hashset match", params, [&] {
    uint64_t n = match_hash_sets(s.db);
    CustodyAction a{"hashset match", "ok", params};
    a.outputs = json::array({json{{"matches", n}}});
    s.log(a);
    say(fmt::format("{} (item, set) matches", n));
    emit_json(a.outputs[0]);
  });
  return 0;
}

int cmd_list(const Options& o) {
  Session s = open_session(o.case_dir, false);
  sql::Stmt st(s.db.db(),
               "SELECT h.id, h.name, h.kind, h.format, h.entries, h.source_sha256, h.source_path, "
               "(SELECT count(*) FROM known_file_hits k WHERE k.set_id = h.id) FROM hash_sets h ORDER BY h.id");
  json out = json::array();
  while (st.step()) {
    out.push_back({{"id", st.i64(0)}, {"name", st.text(1)}, {"kind", st.text(2)}, {"format", st.text(3)},
                   {"entries", st.i64(4)}, {"sha256", st.text(5)}, {"source", st.text(6)}, {"matches", st.i64(7)}});
    say(fmt::format("{:>3}  {:<10} {:<5} {:>10} hashes {:>6} matches  {}  (SHA-256 {})", st.i64(0), st.text(2),
                    st.text(3), st.i64(4), st.i64(7), st.text(1), st.text(5)));
  }
  emit_json(out);
  return 0;
}

int cmd_hits(const Options& o) {
  Session s = open_session(o.case_dir, false);
  sql::Stmt st(s.db.db(),
               "SELECT e.exhibit, i.path, i.sha256, h.name, h.kind, k.algo, k.category, k.file_name FROM "
               "known_file_hits k JOIN items i ON i.id = k.item_id JOIN evidence e ON e.id = i.evidence_id JOIN "
               "hash_sets h ON h.id = k.set_id WHERE (?1 = '' OR h.kind = ?1) ORDER BY h.kind DESC, e.id, i.path");
  st.bind(1, o.only_kind);
  json out = json::array();
  while (st.step()) {
    out.push_back({{"exhibit", st.text(0)}, {"path", st.text(1)}, {"sha256", st.text(2)}, {"set", st.text(3)},
                   {"kind", st.text(4)}, {"matched_on", st.text(5)}, {"category", st.text(6)},
                   {"name_in_set", st.text(7)}});
    say(fmt::format("{:<9} {:<8} {}  {}  [{}{}]", st.text(4), st.text(0), st.text(1), st.text(2), st.text(3),
                    st.text(6).empty() ? "" : ", category " + st.text(6)));
  }
  emit_json(out);
  return 0;
}

}  // namespace

void register_hashset(CLI::App& app, Action& action) {
  auto o = std::make_shared<Options>();
  auto* hs = app.add_subcommand("hashset", "Known-file hash sets: NSRL RDSv3, Project VIC / CAID JSON, hash lists");
  hs->require_subcommand(1);
  auto* imp = hs->add_subcommand("import", "Import a hash set and match it against the case's items");
  imp->add_option("file", o->file, "Hash set file")->required();
  imp->add_option("--case", o->case_dir, "Case folder")->required();
  imp->add_option("--name", o->name, "Name and version of the set as reports should state it");
  imp->add_option("--kind", o->kind, "known-good (hide) or known-bad (alert)")
      ->check(CLI::IsMember({"known-good", "known-bad"}));
  imp->add_option("--format", o->format, "nsrl, vics or list (default: detected)")
      ->check(CLI::IsMember({"nsrl", "vics", "list"}));
  imp->callback([&action, o] { action = [o] { return cmd_import(*o); }; });
  auto* m = hs->add_subcommand("match", "Match every set again (after more evidence was ingested)");
  m->add_option("--case", o->case_dir, "Case folder")->required();
  m->callback([&action, o] { action = [o] { return cmd_match(*o); }; });
  auto* l = hs->add_subcommand("list", "List the case's hash sets with their match counts");
  l->add_option("--case", o->case_dir, "Case folder")->required();
  l->callback([&action, o] { action = [o] { return cmd_list(*o); }; });
  auto* h = hs->add_subcommand("hits", "List the evidence items that match a hash set");
  h->add_option("--case", o->case_dir, "Case folder")->required();
  h->add_option("--kind", o->only_kind, "Only known-good or known-bad matches")
      ->check(CLI::IsMember({"known-good", "known-bad"}));
  h->callback([&action, o] { action = [o] { return cmd_hits(*o); }; });
}

}  // namespace kanshiki::cli
