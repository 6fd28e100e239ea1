// `kanshiki digest` writes the signed reproducibility digest of a case; `kanshiki reproduce` re-ingests the
// same evidence into a scratch case, re-processes it and checks every digest (report/digest.h,
// docs/exports.md "Reproducibility"). Both are custody-logged; reproduce logs into the scratch case and, when
// it is given, the original case.
#include <fmt/format.h>

#include <fstream>
#include <iostream>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "engine/engine.h"
#include "engine/progress.h"
#include "hashing/multi_hash.h"
#include "report/digest.h"

namespace kanshiki::cli {
namespace {

int cmd_digest(const std::string& case_dir, const std::string& output) {
  Session s = open_session(case_dir);
  json params{{"output", output}};
  logged(s, "digest", params, [&] {
    if (output.empty()) throw Error(ExitCode::usage, "digest needs -o FILE");
    json d = sign_digest(compute_case_digest(s.db, current_build_id()), s.examiner);
    fs::path tmp = output + ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      if (!out) throw Error(ExitCode::failure, "cannot write " + output);
      out << d.dump(1, '\t', false, json::error_handler_t::strict) << '\n';
      out.flush();
      if (!out) throw Error(ExitCode::disk_full, "cannot write " + output + " (disk full?)");
    }
    fs::rename(tmp, output);
    Digests h = hash_file(output);
    const json& tables = d["artifacts"]["tables"];
    int64_t artifacts = 0;
    for (auto it = tables.begin(); it != tables.end(); ++it) artifacts += it.value()["count"].get<int64_t>();
    json outputs = json::array({json{{"path", fs::absolute(output).lexically_normal().string()},
                                     {"size", h.size},
                                     {"sha256", h.sha256},
                                     {"signed_sha256", d["signature"]["signed_sha256"]},
                                     {"evidence", d["evidence"].size()},
                                     {"artifacts", artifacts}}});
    s.log({"digest", "ok", params, json::array(), outputs});
    say(fmt::format(
        "Reproducibility digest written / 再現性ダイジェストを作成しました: {}\n  {} evidence, {} artifacts, "
        "signed by {} ({})\n  SHA-256 {}",
        output, d["evidence"].size(), artifacts, s.examiner.name(), s.examiner.fingerprint(), h.sha256));
    emit_json({{"path", fs::absolute(output).string()}, {"sha256", h.sha256}, {"artifacts", artifacts}});
  });
  return 0;
}

struct ReproduceOptions {
  std::string digest, evidence_root, original_case, scratch, key_file;
};

fs::path locate_evidence(const json& ev, const std::string& evidence_root) {
  fs::path recorded = ev.value("source_path", "");
  if (evidence_root.empty()) return recorded;
  return fs::path(evidence_root) / recorded.filename();
}

int cmd_reproduce(const ReproduceOptions& o) {
  json digest;
  {
    std::ifstream in(o.digest, std::ios::binary);
    if (!in) throw Error(ExitCode::evidence_unreadable, "cannot read digest " + o.digest);
    digest = json::parse(in, nullptr, false);
    if (digest.is_discarded() || !digest.is_object() || digest.value("format", "") != kDigestFormat)
      throw Error(ExitCode::corrupt_input,
                  o.digest + " is not a Kanshiki reproducibility digest (" + kDigestFormat + ")");
  }
  std::optional<std::string> trusted;
  if (!o.key_file.empty()) {
    std::ifstream k(o.key_file);
    if (!k) throw Error(ExitCode::evidence_unreadable, "cannot read key " + o.key_file);
    trusted = std::string(std::istreambuf_iterator<char>(k), {});
  }
  DigestSignatureCheck sig = verify_digest_signature(digest, trusted);
  if (!sig.ok) throw Error(ExitCode::verification_failed, "digest signature: " + sig.problem);
  Digests digest_file = hash_file(o.digest);

  // The scratch case: beside the digest unless --scratch says where; never reused.
  fs::path scratch = o.scratch.empty()
                         ? fs::absolute(o.digest).parent_path() /
                               fmt::format("reproduce-{}", fs::path(o.digest).stem().string() + "-" +
                                                               sha256_hex(now_utc_iso()).substr(0, 8))
                         : fs::path(o.scratch);
  if (fs::exists(scratch) && !fs::is_empty(scratch))
    throw Error(ExitCode::usage, scratch.string() + " exists and is not empty; choose another --scratch");
  Examiner examiner = Examiner::load(examiner_home());
  std::string number = digest["case"].value("case_number", "") + " (reproduction)";
  {
    CaseDb created = CaseDb::create(scratch, number);
    CaseLock lock(scratch);
    append_custody(
        created, examiner,
        {"case create", "ok", {{"case_dir", fs::absolute(scratch).string()}, {"case_number", number}}});
  }
  Session s = open_session(scratch);
  json params{{"digest", fs::absolute(o.digest).string()},
              {"digest_sha256", digest_file.sha256},
              {"evidence_root", o.evidence_root},
              {"signed_by", sig.examiner},
              {"signer_fingerprint", sig.fingerprint}};
  int rc = 0;
  logged(s, "reproduce", params, [&] {
    s.log({"reproduce", "started", params,
           json::array({json{{"path", fs::absolute(o.digest).string()}, {"sha256", digest_file.sha256}}})});
    // 1. The same evidence, in the same order, with the same exhibit numbers. Derived evidence needs its key
    //    and is reported as not re-derived (compare_digests).
    for (const auto& ev : digest["evidence"]) {
      if (!ev["derived_from"].is_null()) continue;
      fs::path path = locate_evidence(ev, o.evidence_root);
      json ing{{"evidence", path.string()},
               {"exhibit", ev.value("exhibit", "")},
               {"label", ev.value("label", "")},
               {"format", ev.value("source_kind", "")}};
      say(fmt::format("Ingesting {} (exhibit {}) ...", path.string(), ev.value("exhibit", "")));
      int64_t run = s.db.begin_run("ingest", g.command_line, s.examiner.name());
      s.log({"ingest", "started", ing});
      IngestOptions opt;
      opt.evidence = path;
      opt.exhibit = ev.value("exhibit", "");
      opt.label = ev.value("label", "");
      opt.format = source_kind_from_name(ev.value("source_kind", ""));
      opt.progress = Progress::wanted(g.quiet);
      IngestResult r;
      try {
        r = ingest_evidence(s.db, run, opt);
      } catch (const std::exception& e) {
        s.db.end_run(run, "failed");
        CustodyAction failed{"ingest", "failed", ing};
        failed.error = e.what();
        s.log(failed);
        std::cerr << fmt::format("error: exhibit {}: {}\n", ev.value("exhibit", ""), e.what());
        continue;  // reported below as evidence not reproduced
      }
      s.db.end_run(run, r.status.empty() ? "ok" : r.status);
      json in{{"path", fs::absolute(path).string()}};
      if (r.container)
        in.update({{"md5", r.container->md5}, {"sha1", r.container->sha1}, {"sha256", r.container->sha256}});
      ing["evidence_id"] = r.evidence_id;
      ing["items"] = r.items;
      s.log({"ingest", r.problems ? "warnings" : "ok", ing, json::array({in}),
             json::array({json{{"path", fs::relative(r.manifest, s.db.dir()).string()},
                               {"sha256", r.manifest_sha256}}})});
    }
    // 2. The same processing options.
    ProcessOptions popt;
    for (const auto& id : digest["options"].value("process_parsers", json::array()))
      popt.only_parsers.push_back(id);
    popt.progress = Progress::wanted(g.quiet);
    if (digest["options"].value("processed", true)) {
      say("Processing ...");
      int64_t run = s.db.begin_run("process", g.command_line, s.examiner.name());
      json pp{{"parsers", popt.only_parsers}};
      s.log({"process", "started", pp});
      ProcessResult pr = process_case(s.db, run, popt);
      s.db.end_run(run, pr.failed_files ? "done_with_failures" : "done");
      pp["run_id"] = run;
      s.log({"process", pr.failed_files ? "warnings" : "ok", pp, json::array(),
             json::array({json{{"parser_runs", pr.parser_runs},
                               {"artifacts", pr.artifacts},
                               {"warnings", pr.warnings},
                               {"failed_files", pr.failed_files}}})});
    }
    // 3. Compare.
    json actual = compute_case_digest(s.db, current_build_id());
    std::optional<Session> original;
    if (!o.original_case.empty()) original.emplace(open_session(o.original_case));
    DigestComparison cmp = compare_digests(digest, actual, original ? &original->db : nullptr, s.db);
    json diffs = json::array();
    for (const auto& d : cmp.differences) {
      diffs.push_back({{"kind", d.kind},
                       {"subject", d.subject},
                       {"detail", d.detail},
                       {"mismatch", d.counts_as_mismatch}});
      if (!g.json_out)
        std::cerr << fmt::format("{} {:<9} {}: {}\n", d.counts_as_mismatch ? "DIFF" : "note", d.kind,
                                 d.subject, d.detail);
    }
    bool ok = cmp.reproduced();
    size_t mismatches = 0;
    for (const auto& d : cmp.differences) mismatches += d.counts_as_mismatch;
    json result{{"reproduced", ok},
                {"mismatches", mismatches},
                {"scratch_case", fs::absolute(scratch).string()},
                {"differences", diffs}};
    CustodyAction done{"reproduce", ok ? "ok" : "failed", params};
    done.inputs =
        json::array({json{{"path", fs::absolute(o.digest).string()}, {"sha256", digest_file.sha256}}});
    done.outputs =
        json::array({json{{"reproduced", ok}, {"mismatches", mismatches}, {"differences", diffs}}});
    if (!ok) done.error = fmt::format("{} difference(s) from the digest", mismatches);
    s.log(done);
    if (original) {
      CustodyAction note = done;
      note.parameters["scratch_case"] = fs::absolute(scratch).string();
      original->log(note);
    }
    say(ok ? fmt::format("REPRODUCED: every digest matches / 再現を確認しました (scratch case {})",
                         scratch.string())
           : fmt::format(
                 "NOT REPRODUCED: {} difference(s) / 再現できませんでした: 相違 {} 件 (scratch case {})",
                 mismatches, mismatches, scratch.string()));
    emit_json(result);
    rc = ok ? 0 : static_cast<int>(ExitCode::verification_failed);
  });
  return rc;
}

}  // namespace

void register_digest(CLI::App& app, Action& action) {
  auto digest_case = std::make_shared<std::pair<std::string, std::string>>();
  auto* di = app.add_subcommand("digest", "Write the signed reproducibility digest of a case");
  di->add_option("--case", digest_case->first, "Case folder")->required();
  di->add_option("-o,--output", digest_case->second, "Digest file (JSON)")->required();
  di->callback([digest_case, &action] {
    action = [digest_case] { return cmd_digest(digest_case->first, digest_case->second); };
  });

  auto o = std::make_shared<ReproduceOptions>();
  auto* re = app.add_subcommand(
      "reproduce",
      "Re-ingest and re-process the evidence of a digest into a scratch case; report every difference");
  re->add_option("digest", o->digest, "Digest file written by `kanshiki digest`")->required();
  re->add_option("--evidence-root", o->evidence_root,
                 "Folder holding the evidence (default: the recorded paths)");
  re->add_option("--case", o->original_case, "The original case: lists differing artifacts one by one");
  re->add_option("--scratch", o->scratch, "Folder for the scratch case (default: beside the digest)");
  re->add_option("--key", o->key_file, "Trusted examiner public key (PEM) the digest must be signed with");
  re->callback([o, &action] { action = [o] { return cmd_reproduce(*o); }; });
}

}  // namespace kanshiki::cli
