#include <fmt/format.h>

#include <fstream>
#include <map>
#include <thread>
#include <nlohmann/json.hpp>
#include <set>

#include "core/case_db.h"
#include "core/error.h"
#include "core/evidence/path_index.h"
#include "engine/batch_queue.h"
#include "engine/engine.h"
#include "engine/progress.h"
#include "engine/working_copy.h"
#include "parsers/parser.h"

namespace kanshiki {
namespace {

struct EvidenceRow {
  int64_t id;
  fs::path source;
  SourceKind kind;
};

struct ItemRow {
  std::string path, sha256;
  uint64_t size = 0;
};

struct Job {
  const ParserEntry* parser;
  int64_t item_id;
};

// Runs a parser on its own thread and hands what it finds to the case writer on this thread in batches, so
// reading the app database and writing the case overlap (two cores). The queue is bounded: memory stays flat
// however many rows the file has. Order is preserved, so artifact ids follow the parser's output order.
class PipelinedParse {
 public:
  using Item = std::variant<Record, Warning>;

  // Parses on a worker thread and forwards everything to `writer`; rethrows the parser's exception here.
  static void run(Parser& parser, const ParseInput& in, ArtifactSink& writer) {
    PipelinedParse pipe;
    std::exception_ptr failure;
    std::thread worker([&] {
      BatchingSink sink(pipe);
      try {
        parser.parse(in, sink);
      } catch (...) {
        failure = std::current_exception();
      }
      sink.flush();
      pipe.close();
    });
    std::vector<Item> batch;
    try {
      while (pipe.pop(batch)) {
        for (auto& item : batch) {
          if (auto* r = std::get_if<Record>(&item))
            writer.emit(std::move(*r));
          else
            writer.warn(std::move(std::get<Warning>(item)));
        }
      }
    } catch (...) {
      pipe.abandon();  // unblock the worker, then let the writer's error propagate
      worker.join();
      throw;
    }
    worker.join();
    if (failure) std::rethrow_exception(failure);
  }

 private:
  static constexpr size_t kBatch = 512, kMaxBatches = 16;

  class BatchingSink final : public ArtifactSink {
   public:
    explicit BatchingSink(PipelinedParse& p) : pipe_(p) { buf_.reserve(kBatch); }
    void emit(Record r) override { add(std::move(r)); }
    void warn(Warning w) override { add(std::move(w)); }
    void flush() {
      if (!buf_.empty()) pipe_.push(std::move(buf_));
      buf_.clear();
    }

   private:
    void add(Item item) {
      buf_.push_back(std::move(item));
      if (buf_.size() >= kBatch) flush();
    }
    PipelinedParse& pipe_;
    std::vector<Item> buf_;
  };

  void push(std::vector<Item> batch) {
    if (!queue_.push(std::move(batch))) throw Error(ExitCode::failure, "case writer stopped");
  }
  bool pop(std::vector<Item>& out) { return queue_.pop(out); }
  void close() { queue_.close(); }
  void abandon() { queue_.abandon(); }

  BatchQueue<std::vector<Item>> queue_{kMaxBatches};
};

// Batch dedup: an earlier parser run of the same parser version over a file with the same SHA-256, on a
// device whose batch finished (a half-done device may still be rolled back, so it is never referenced).
std::optional<int64_t> find_dedup_original(sql::Db& db, const std::string& sha256, const ParserInfo& info,
                                           int64_t item_id) {
  sql::Stmt st(db, R"SQL(
SELECT pr.id FROM parser_runs pr JOIN items i ON i.id = pr.item_id
WHERE i.sha256 = ?1 AND pr.parser_id = ?2 AND pr.parser_version = ?3 AND pr.item_id <> ?4
  AND pr.status IN ('done', 'done_with_warnings')
  AND NOT EXISTS (SELECT 1 FROM batch_devices b JOIN evidence e ON e.source_path = b.evidence_path
                  WHERE e.id = pr.evidence_id AND b.state <> 'done')
ORDER BY pr.id LIMIT 1)SQL");
  st.bind(1, sha256).bind(2, info.id).bind(3, info.version).bind(4, item_id);
  if (st.step()) return st.i64(0);
  return std::nullopt;
}

}  // namespace

ProcessResult process_case(CaseDb& c, int64_t run_id, const ProcessOptions& opt) {
  ProcessResult res;
  auto& db = c.db();
  // A missing worker executable is the installation's fault, not the files': fail the run before any file
  // is marked failed (failed parser runs are final and would not be retried on resume).
  SandboxOptions sandbox = opt.sandbox_options;
  if (opt.sandbox && sandbox.worker.empty()) sandbox.worker = find_parse_worker();
  // One fork server for the whole run: each file still gets its own fresh confined child (docs/sandbox.md).
  std::optional<ParseSandbox> sandboxed;
  if (opt.sandbox) sandboxed.emplace(sandbox);
  // Bulk inserts of a large app database touch index pages all over the case file; a 192 MiB page cache
  // keeps them in memory (the benchmark's bound is 512 MB peak RSS for a million messages).
  db.exec("PRAGMA cache_size=-196608");

  std::vector<const ParserEntry*> parsers;
  for (const auto& e : parser_registry()) {
    if (!opt.only_parsers.empty() &&
        std::find(opt.only_parsers.begin(), opt.only_parsers.end(), e.info().id) == opt.only_parsers.end())
      continue;
    parsers.push_back(&e);
  }
  {
    nlohmann::json versions = nlohmann::json::object();
    for (auto* p : parsers) versions[p->info().id] = p->info().version;
    sql::Stmt st(db, "UPDATE runs SET parser_versions = ?1 WHERE id = ?2");
    st.bind(1, versions.dump()).bind(2, run_id).run();
  }

  std::optional<BackgroundIndexer> indexer;  // started with the first parser run
  std::vector<EvidenceRow> evidence;
  {
    sql::Stmt st(db, "SELECT id, source_path, source_kind FROM evidence WHERE status IN ('complete','partial') "
                     "AND (?1 IS NULL OR id = ?1) ORDER BY id");
    st.bind(1, opt.only_evidence);
    while (st.step()) {
      auto kind = source_kind_from_name(st.text(2));
      if (!kind) throw Error(ExitCode::case_error, "evidence " + st.text(0) + " has unknown kind " + st.text(2));
      evidence.push_back({st.i64(0), st.text(1), *kind});
    }
  }

  for (const auto& ev : evidence) {
    // 1. Locate: one path index per evidence item, then each parser's locators against it.
    PathIndex index;
    {
      sql::Stmt st(db, "SELECT id, path FROM items WHERE evidence_id = ?1 ORDER BY id");
      st.bind(1, ev.id);
      while (st.step()) index.add(st.i64(0), st.text(1));
    }
    // Only located items (and their siblings) are loaded in full: memory follows the jobs, not the evidence.
    std::map<int64_t, ItemRow> items;
    sql::Stmt item_row(db, "SELECT path, sha256, size FROM items WHERE id = ?1");
    auto load_item = [&](int64_t id) -> const ItemRow& {
      auto it = items.find(id);
      if (it != items.end()) return it->second;
      item_row.bind(1, id);
      if (!item_row.step()) throw Error(ExitCode::case_error, fmt::format("item {} vanished from the case", id));
      ItemRow row{item_row.text(0), item_row.text(1), static_cast<uint64_t>(item_row.i64(2))};
      item_row.reset();
      return items.emplace(id, std::move(row)).first->second;
    };
    std::vector<Job> jobs;
    {
      sql::Stmt done(db, "SELECT 1 FROM parser_runs WHERE item_id = ?1 AND parser_id = ?2 AND parser_version = ?3");
      for (auto* p : parsers) {
        for (int64_t item_id : index.match_any(p->info().locators)) {
          done.bind(1, item_id).bind(2, p->info().id).bind(3, p->info().version);
          bool finished = done.step();
          done.reset();
          if (finished) {
            ++res.already_done;
            continue;
          }
          jobs.push_back({p, item_id});
        }
      }
    }
    if (jobs.empty()) continue;

    // 2. Working copies: each located file (and its SQLite siblings) is streamed out of the evidence into
    //    CASE/work/E<ev>/I<item>/, hashed on the way and compared with the hash taken at ingest.
    fs::path work = c.work_dir() / fmt::format("E{}", ev.id);
    std::error_code ec;
    fs::remove_all(work, ec);
    std::map<std::string, CopyRequest> requests;  // logical path -> copies to write, expected SHA-256
    std::map<int64_t, fs::path> working_copy;
    for (const auto& job : jobs) {
      if (working_copy.count(job.item_id)) continue;
      const ItemRow& it = load_item(job.item_id);
      fs::path dir = work / fmt::format("I{}", job.item_id);
      fs::create_directories(dir);
      fs::path main = dir / working_copy_file_name(it.path);
      working_copy[job.item_id] = main;
      requests[it.path].destinations.push_back(main);
      requests[it.path].expected_sha256 = it.sha256;
      for (const char* suffix : kSqliteSiblings) {
        if (auto sib = index.find_exact(it.path + suffix)) {
          fs::path d = main;
          d += suffix;
          const ItemRow& sibling = load_item(*sib);
          requests[sibling.path].destinations.push_back(d);
          requests[sibling.path].expected_sha256 = sibling.sha256;
        }
      }
    }
    std::map<std::string, std::string> copy_problem;  // logical path -> why its copy cannot be trusted
    {
      auto source = open_evidence(ev.source, ev.kind);
      copy_problem = copy_out_verified(*source, requests);
      for (auto& [path, why] : copy_problem) why += "; not parsed";
    }

    // 3. Parse: one transaction per (parser, file): its artifacts, warnings and the parser_runs row commit
    //    together or not at all. Their text is indexed for search on a second thread, into search.db, and
    //    that index run commits just before the case transaction (core/search_index.h).
    if (!indexer) indexer.emplace(c.dir());
    Progress progress("process", 0, opt.progress);
    uint64_t done_jobs = 0;
    for (const auto& job : jobs) {
      const ParserInfo& info = job.parser->info();
      const ItemRow& it = load_item(job.item_id);
      sql::Transaction tx(db);
      std::string started = now_utc_iso();
      // The parser_runs row is written at the end, with the id it will get taken now (this transaction holds
      // the write lock). Written at the start and updated at the end, its page would be the oldest dirty page
      // of a run that outgrows the page cache: spilled to the WAL, then overwritten there, which makes SQLite
      // re-read the whole WAL at commit to redo its checksums (a million messages: 129k extra reads).
      int64_t parser_run_id = 0;
      {
        sql::Stmt next(db, "SELECT COALESCE(MAX(id), 0) + 1 FROM parser_runs");
        next.step();
        parser_run_id = next.i64(0);
      }
      indexer->begin_run();
      ArtifactWriter writer(c, run_id, parser_run_id, *indexer);
      std::string status = "done";
      auto file_warning = [&](const std::string& message) {
        Warning w;
        w.severity = Severity::error;
        w.evidence_id = ev.id;
        w.item_id = job.item_id;
        w.item_path = it.path;
        w.parser_id = info.id;
        w.message = message;
        writer.warn(w);
        status = "failed";
      };
      std::string problem;
      if (auto p = copy_problem.find(it.path); p != copy_problem.end()) problem = p->second;
      std::optional<int64_t> dedup_original;
      if (opt.dedup && problem.empty()) dedup_original = find_dedup_original(db, it.sha256, info, job.item_id);
      if (dedup_original) {
        // Same bytes already parsed by this parser version: reference those artifacts, do not parse again.
        status = "deduplicated";  // the dedup_refs row follows the parser_runs row below
      } else if (!problem.empty()) {
        file_warning(problem);
      } else {
        ParseInput in{ev.id, job.item_id, it.path, it.sha256, working_copy[job.item_id]};
        try {
          if (opt.sandbox) {
            sandboxed->parse(info, in, writer);  // a crash or timeout costs this file only
          } else {
            auto parser = job.parser->make();
            if (!parser) throw Error(ExitCode::failure, "parser " + info.id + " is not available in this build");
            PipelinedParse::run(*parser, in, writer);
          }
        } catch (const Error& e) {
          if (e.code() == ExitCode::disk_full) throw;
          file_warning(fmt::format("file could not be parsed: {}", e.what()));
        } catch (const std::exception& e) {
          file_warning(fmt::format("parser failed: {}", e.what()));
        }
      }
      if (status == "done" && writer.warning_count() > 0) status = "done_with_warnings";
      sql::Stmt pr(db,
                   "INSERT INTO parser_runs(id, run_id, evidence_id, item_id, parser_id, parser_version, status, "
                   "started_utc, ended_utc, limitations, artifact_count, warning_count) "
                   "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)");
      pr.bind(1, parser_run_id).bind(2, run_id).bind(3, ev.id).bind(4, job.item_id).bind(5, info.id);
      pr.bind(6, info.version).bind(7, status).bind(8, started).bind(9, now_utc_iso());
      pr.bind(10, nlohmann::json(info.limitations).dump()).bind(11, static_cast<int64_t>(writer.artifact_count()));
      pr.bind(12, static_cast<int64_t>(writer.warning_count())).run();
      if (dedup_original) {
        sql::Stmt ref(db, "INSERT INTO dedup_refs(parser_run_id, item_id, sha256, original_parser_run_id) VALUES(?,?,?,?)");
        ref.bind(1, parser_run_id).bind(2, job.item_id).bind(3, it.sha256).bind(4, *dedup_original).run();
      }
      indexer->commit_run();
      tx.commit();
      ++res.parser_runs;
      res.artifacts += writer.artifact_count();
      res.warnings += writer.warning_count();
      if (status == "failed") ++res.failed_files;
      res.outputs.push_back(fmt::format("E{} {} [{} {}]: {} artifacts, {} warnings{}", ev.id, it.path, info.id,
                                        info.version, writer.artifact_count(), writer.warning_count(),
                                        status == "failed" ? " (FAILED)" : ""));
      progress.update(0, ++done_jobs);
    }
    progress.finish();
    fs::remove_all(work, ec);  // working copies are disposable; the evidence stays the reference
  }
  return res;
}

}  // namespace kanshiki
