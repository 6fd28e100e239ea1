#include <fmt/format.h>

#include <fstream>
#include <future>

#include "core/case_db.h"
#include "core/error.h"
#include "core/evidence/android_backup.h"
#include "engine/engine.h"
#include "engine/progress.h"

namespace kanshiki {
namespace {

std::optional<std::string> iso_from_unix(const std::optional<int64_t>& s) {
  if (!s) return std::nullopt;
  return format_utc_iso(*s * 1000000);
}

// Tab-separated manifest; tabs/newlines in names are escaped so every line is one item.
std::string tsv_escape(std::string_view s) {
  std::string out;
  for (char ch : s) {
    if (ch == '\t') out += "\\t";
    else if (ch == '\n') out += "\\n";
    else if (ch == '\\') out += "\\\\";
    else out += ch;
  }
  return out;
}

}  // namespace

IngestResult ingest_evidence(CaseDb& c, int64_t run_id, const IngestOptions& opt) {
  IngestResult res;
  std::error_code ec;
  fs::path source = fs::absolute(opt.evidence, ec).lexically_normal();
  if (!fs::exists(source, ec))
    throw Error(ExitCode::evidence_unreadable, "evidence not found: " + opt.evidence.string());
  // An encrypted .ab is decrypted once into the case (later steps have no password) and that tar ingested.
  if ((opt.format ? *opt.format : detect_source_kind(source)) == SourceKind::android_backup &&
      android_backup::read_header(source).encrypted())
    return ingest_encrypted_android_backup(c, run_id, opt, source);
  auto evidence = open_evidence(source, opt.format, opt.password);
  res.kind = evidence->kind();

  auto& db = c.db();
  {
    sql::Stmt st(db, "SELECT id, status FROM evidence WHERE source_path = ?1");
    st.bind(1, source.string());
    if (st.step()) {
      res.evidence_id = st.i64(0);
      res.status = st.text(1);
      res.already_ingested = true;
      return res;
    }
  }

  // The container's own hashes, computed while the items are walked (both cores busy, one read each).
  std::future<Digests> container;
  uint64_t container_size = 0;
  if (fs::is_regular_file(source)) {
    container_size = fs::file_size(source);
    container = std::async(std::launch::async, [source] {
      HashOptions ho;
      ho.parallel = false;  // the item walk uses the other core
      return hash_file(source, ho);
    });
  }

  sql::Transaction tx(db);
  sql::Stmt ev(db,
               "INSERT INTO evidence(exhibit, label, source_path, source_kind, status, ingest_run_id, ingested_utc) "
               "VALUES(?1, ?2, ?3, ?4, 'ingesting', ?5, ?6)");
  ev.bind(1, opt.exhibit).bind(2, opt.label).bind(3, source.string()).bind(4, source_kind_name(res.kind));
  ev.bind(5, run_id).bind(6, now_utc_iso()).run();
  res.evidence_id = db.last_insert_rowid();
  if (opt.derived_from_item) {
    sql::Stmt link(db, "UPDATE evidence SET derived_from_item = ?1, derivation = ?2 WHERE id = ?3");
    link.bind(1, *opt.derived_from_item).bind(2, opt.derivation).bind(3, res.evidence_id).run();
  }
  if (opt.exhibit.empty()) {
    sql::Stmt up(db, "UPDATE evidence SET exhibit = ?1 WHERE id = ?2");
    up.bind(1, fmt::format("E{}", res.evidence_id)).bind(2, res.evidence_id).run();
  }

  fs::path dir = c.evidence_dir(res.evidence_id);
  fs::create_directories(dir);
  res.manifest = dir / "manifest.tsv";
  std::ofstream manifest(res.manifest, std::ios::trunc | std::ios::binary);
  manifest << "# Kanshiki evidence manifest\tevidence " << res.evidence_id << "\t" << source.string() << "\n"
           << "path\tsize\tmd5\tsha1\tsha256\tmtime_utc\tphysical\n";

  sql::Stmt item(db,
                 "INSERT INTO items(evidence_id, path, physical, size, mtime_utc, ctime_utc, atime_utc, btime_utc, md5, "
                 "sha1, sha256, note, deleted, partition_name, fs_inode, image_offset) "
                 "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)");
  Progress progress("ingest", container_size, opt.progress);
  uint64_t bytes_before = 0;

  auto on_problem = [&](const SourceProblem& p) {
    ++res.problems;
    Warning w;
    w.severity = p.fatal ? Severity::error : Severity::warning;
    w.evidence_id = res.evidence_id;
    w.item_path = p.path;
    w.parser_id = "ingest";
    w.message = p.message;
    c.add_warning(w, run_id);
  };
  auto on_file = [&](const EvidenceEntry& e, ByteReader& reader) {
    HashOptions ho;
    ho.progress = [&](uint64_t n) { progress.update(bytes_before + n, res.items); };
    Digests d = hash_stream(reader, ho);
    if (d.size != e.size && e.size != 0) {
      Warning w;
      w.evidence_id = res.evidence_id;
      w.item_path = e.path;
      w.parser_id = "ingest";
      w.message = fmt::format("size recorded in the container ({}) differs from bytes read ({})", e.size, d.size);
      c.add_warning(w, run_id);
      ++res.problems;
    }
    item.bind(1, res.evidence_id).bind(2, e.path).bind(3, e.physical).bind(4, static_cast<int64_t>(d.size));
    item.bind(5, iso_from_unix(e.mtime_unix_s)).bind(6, iso_from_unix(e.ctime_unix_s));
    item.bind(7, iso_from_unix(e.atime_unix_s)).bind(8, iso_from_unix(e.btime_unix_s));
    item.bind(9, d.md5).bind(10, d.sha1).bind(11, d.sha256).bind(12, e.note);
    // Disk images: where in the image the item lives (partition, inode, first data byte); deleted entries.
    item.bind(13, e.deleted ? 1 : 0).bind(14, e.partition);
    if (e.inode) item.bind(15, static_cast<int64_t>(*e.inode)); else item.bind_null(15);
    if (e.image_offset) item.bind(16, static_cast<int64_t>(*e.image_offset)); else item.bind_null(16);
    item.run();
    manifest << tsv_escape(e.path) << '\t' << d.size << '\t' << d.md5 << '\t' << d.sha1 << '\t' << d.sha256 << '\t'
             << iso_from_unix(e.mtime_unix_s).value_or("") << '\t' << tsv_escape(e.physical) << '\n';
    ++res.items;
    res.bytes += d.size;
    bytes_before += d.size;
  };

  res.status = "complete";
  try {
    evidence->for_each_file(nullptr, on_file, on_problem);
  } catch (const Error& e) {
    if (e.code() != ExitCode::corrupt_input) throw;
    // Truncated/corrupt container: keep every item read up to that point, mark the evidence partial.
    res.status = "partial";
    res.fatal_error = e.what();
  }
  progress.finish();
  manifest.flush();
  if (!manifest) throw Error(ExitCode::disk_full, "cannot write evidence manifest " + res.manifest.string());
  manifest.close();
  res.manifest_sha256 = hash_file(res.manifest).sha256;

  if (container.valid()) res.container = container.get();
  sql::Stmt fin(db,
                "UPDATE evidence SET status=?1, item_count=?2, total_bytes=?3, container_size=?4, container_md5=?5, "
                "container_sha1=?6, container_sha256=?7, manifest_path=?8, manifest_sha256=?9, problems=?10 WHERE id=?11");
  fin.bind(1, res.status).bind(2, static_cast<int64_t>(res.items)).bind(3, static_cast<int64_t>(res.bytes));
  if (res.container) {
    fin.bind(4, static_cast<int64_t>(res.container->size)).bind(5, res.container->md5).bind(6, res.container->sha1);
    fin.bind(7, res.container->sha256);
  } else {
    fin.bind_null(4).bind_null(5).bind_null(6).bind_null(7);
  }
  fin.bind(8, fs::relative(res.manifest, c.dir()).string()).bind(9, res.manifest_sha256);
  fin.bind(10, static_cast<int64_t>(res.problems)).bind(11, res.evidence_id).run();
  // Items read from a decoded view of the container (decrypted .ab): record how, with the view's hashes.
  if (std::string how = opt.derivation.empty() ? evidence->derivation() : opt.derivation; !how.empty()) {
    sql::Stmt d(db, "UPDATE evidence SET derivation = ?1 WHERE id = ?2");
    d.bind(1, how).bind(2, res.evidence_id).run();
  }
  tx.commit();
  return res;
}

}  // namespace kanshiki
