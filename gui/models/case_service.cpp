#include "gui/models/case_service.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <QTemporaryDir>
#include <QtConcurrent/QtConcurrentRun>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/case_db.h"
#include "core/custody.h"
#include "core/evidence/source.h"
#include "core/examiner.h"
#include "engine/tags.h"
#include "hashing/multi_hash.h"

namespace kanshiki::gui {

namespace {

// The case lock the CLI takes for a mutating command (cli/cli_common.cpp CaseLock), held only for the
// duration of one GUI write. Waits a little for a running CLI command rather than failing at once.
class BriefCaseLock {
 public:
  explicit BriefCaseLock(const std::filesystem::path& case_dir) {
    fd_ = ::open((case_dir / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw Error(ExitCode::case_error, "cannot open the case lock file");
    for (int attempt = 0; attempt < 50; ++attempt) {
      if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ::close(fd_);
    throw Error(ExitCode::case_error,
                "the case is in use by another Kanshiki process; try again when it has finished");
  }
  ~BriefCaseLock() { ::close(fd_); }
  BriefCaseLock(const BriefCaseLock&) = delete;
  BriefCaseLock& operator=(const BriefCaseLock&) = delete;

 private:
  int fd_ = -1;
};

QString hex_dump(const std::string& bytes, uint64_t base) {
  QString out;
  for (size_t i = 0; i < bytes.size(); i += 16) {
    out += QStringLiteral("%1  ").arg(base + i, 8, 16, QChar('0'));
    QString ascii;
    for (size_t j = 0; j < 16; ++j) {
      if (i + j < bytes.size()) {
        unsigned char c = static_cast<unsigned char>(bytes[i + j]);
        out += QStringLiteral("%1 ").arg(c, 2, 16, QChar('0'));
        ascii += (c >= 0x20 && c < 0x7f) ? QChar(c) : QChar('.');
      } else {
        out += QStringLiteral("   ");
      }
    }
    out += QStringLiteral(" ") + ascii + QLatin1Char('\n');
  }
  return out;
}

}  // namespace

struct CaseService::State {
  std::filesystem::path dir;
  std::optional<CaseDb> db;
  std::optional<Examiner> examiner;
  CaseDb& case_db() {
    if (!db) db.emplace(CaseDb::open(dir));
    return *db;
  }
  const Examiner& identity() {
    if (!examiner) examiner.emplace(Examiner::load(examiner_home()));
    return *examiner;
  }
};

CaseService::CaseService(std::filesystem::path case_dir, QObject* parent)
    : QObject(parent), case_dir_(std::move(case_dir)), state_(std::make_shared<State>()) {
  state_->dir = case_dir_;
  pool_.setMaxThreadCount(1);  // the CaseDb connection belongs to one thread at a time
  pool_.setExpiryTimeout(-1);
}

CaseService::~CaseService() { pool_.waitForDone(); }

template <typename F>
auto CaseService::run(F fn) {
  using T = std::invoke_result_t<F, State&>;
  return QtConcurrent::run(&pool_, [state = state_, fn = std::move(fn)]() -> Outcome<T> {
    Outcome<T> out;
    try {
      out.value = fn(*state);
    } catch (const std::exception& e) {
      out.error = QString::fromStdString(e.what());
    }
    return out;
  });
}

QFuture<Outcome<qint64>> CaseService::addTag(qint64 artifact_id, const QString& tag, const QString& note) {
  auto f = run([artifact_id, tag = tag.toStdString(), note = note.toStdString()](State& s) -> qint64 {
    BriefCaseLock lock(s.dir);
    return add_tag(s.case_db(), s.identity(), artifact_id, tag, note);
  });
  // A QFuture takes one continuation: hand the caller the chained future so both run.
  return f.then(this, [this](Outcome<qint64> out) {
    if (out.ok()) {
      Q_EMIT tagsChanged();
      Q_EMIT custodyChanged();
    }
    return out;
  });
}

QFuture<Outcome<bool>> CaseService::removeTag(qint64 tag_id) {
  auto f = run([tag_id](State& s) {
    BriefCaseLock lock(s.dir);
    remove_tag(s.case_db(), s.identity(), tag_id);
    return true;
  });
  return f.then(this, [this](Outcome<bool> out) {
    if (out.ok()) {
      Q_EMIT tagsChanged();
      Q_EMIT custodyChanged();
    }
    return out;
  });
}

QFuture<Outcome<QStringList>> CaseService::tagNames() {
  return run([](State& s) {
    QStringList names;
    for (const auto& n : tag_names(s.case_db())) names << QString::fromStdString(n);
    return names;
  });
}

QFuture<Outcome<CustodyCheck>> CaseService::verifyCustody() {
  return run([](State& s) {
    CustodyVerification v = verify_custody(s.case_db());
    CustodyCheck c;
    c.ok = v.ok;
    c.entries = v.entries;
    c.summary = QString::fromStdString(v.summary());
    for (const auto& p : v.problems) c.problems << QString::fromStdString(p);
    return c;
  });
}

QFuture<Outcome<qint64>> CaseService::logAction(const QString& action, const QString& parameters_json) {
  auto f = run([action = action.toStdString(), params = parameters_json.toStdString()](State& s) -> qint64 {
    BriefCaseLock lock(s.dir);
    CustodyAction a;
    a.action = action;
    a.parameters = nlohmann::json::parse(params, nullptr, false);
    if (a.parameters.is_discarded()) a.parameters = nlohmann::json::object();
    a.parameters["via"] = "kanshiki-gui";
    return append_custody(s.case_db(), s.identity(), a);
  });
  return f.then(this, [this](Outcome<qint64> out) {
    if (out.ok()) Q_EMIT custodyChanged();
    return out;
  });
}

QFuture<Outcome<QString>> CaseService::examinerName() {
  return run([](State& s) { return QString::fromStdString(s.identity().name()); });
}

QFuture<Outcome<SourceRecord>> CaseService::loadSource(qint64 artifact_id) {
  std::filesystem::path db_path = dbPath();
  return QtConcurrent::run([db_path, artifact_id]() -> Outcome<SourceRecord> {
    lower_thread_priority();
    Outcome<SourceRecord> out;
    try {
      sql::Db db(db_path, SQLITE_OPEN_READONLY);
      sql::Stmt st(
          db,
          "SELECT a.item_path, a.item_sha256, a.source_table, a.source_rowid, a.source_offset, a.recovered, "
          "e.source_path, e.source_kind FROM artifacts a JOIN evidence e ON e.id = a.evidence_id WHERE a.id "
          "= ?");
      st.bind(1, static_cast<int64_t>(artifact_id));
      if (!st.step()) throw Error(ExitCode::usage, "no artifact " + std::to_string(artifact_id));
      const std::string item_path = st.text(0), item_sha = st.text(1), table = st.text(2);
      const auto rowid = st.opt_i64(3), offset = st.opt_i64(4);
      const bool recovered = st.i64(5) != 0;
      const std::filesystem::path source = st.text(6);
      auto kind = source_kind_from_name(st.text(7));

      // A private copy of the item (and its SQLite journal siblings), never the evidence itself.
      QTemporaryDir tmp;
      if (!tmp.isValid()) throw Error(ExitCode::failure, "cannot create a temporary folder");
      std::filesystem::path dir = tmp.path().toStdString();
      std::filesystem::path copy = dir / "item";
      auto evidence = open_evidence(source, kind);
      bool found = false;
      evidence->for_each_file(
          [&](std::string_view p) {
            return p == item_path || p == item_path + "-wal" || p == item_path + "-journal";
          },
          [&](const EvidenceEntry& entry, ByteReader& in) {
            std::filesystem::path target = copy;
            if (entry.path != item_path)
              target += entry.path.substr(item_path.size());
            else
              found = true;
            std::ofstream o(target, std::ios::binary);
            char buf[65536];
            for (size_t n; (n = in.read(buf, sizeof buf)) > 0;) o.write(buf, static_cast<std::streamsize>(n));
          },
          [](const SourceProblem&) {});
      if (!found)
        throw Error(ExitCode::evidence_unreadable, "item " + item_path + " not found in the evidence");
      std::string sha = hash_file(copy).sha256;
      if (sha != item_sha)
        throw Error(
            ExitCode::verification_failed,
            "the item's SHA-256 no longer matches the ingest record (" + sha + " vs " + item_sha + ")");
      SourceRecord r;
      r.note = QStringLiteral("%1 — SHA-256 %2 verified")
                   .arg(QString::fromStdString(item_path), QString::fromStdString(sha));
      if (!recovered && rowid && !table.empty() && sql::check_sqlite_file(copy).empty()) {
        sql::Db item(copy, SQLITE_OPEN_READONLY);
        std::string quoted = "\"";
        for (char ch : table) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
        quoted += "\"";
        sql::Stmt row(item, "SELECT * FROM " + quoted + " WHERE rowid = ?");
        row.bind(1, *rowid);
        if (row.step()) {
          for (int c = 0; c < row.column_count(); ++c) {
            QString value;
            if (row.type(c) == SQLITE_BLOB) {
              auto b = row.blob(c);
              value = QString::fromLatin1(
                  QByteArray(b.data(), static_cast<qsizetype>(std::min<size_t>(b.size(), 256))).toHex(' '));
              if (b.size() > 256) value += QStringLiteral(" … (%1 bytes)").arg(b.size());
            } else if (!row.is_null(c)) {
              value = QString::fromStdString(row.text(c));
            } else {
              value = QStringLiteral("NULL");
            }
            r.fields.push_back({QString::fromStdString(row.column_name(c)), value});
          }
        } else {
          r.note += QStringLiteral("; row %1 of %2 not present in the live table")
                        .arg(*rowid)
                        .arg(QString::fromStdString(table));
        }
      }
      if (r.fields.isEmpty()) {
        // Recovered records (and non-SQLite sources) are shown as the bytes at their offset.
        uint64_t at = offset ? static_cast<uint64_t>(*offset) : 0;
        uint64_t start = at >= 64 ? at - 64 : 0;
        std::ifstream in(copy, std::ios::binary);
        in.seekg(static_cast<std::streamoff>(start));
        std::string bytes(512, '\0');
        in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        bytes.resize(static_cast<size_t>(in.gcount()));
        r.hex = hex_dump(bytes, start);
        r.note += QStringLiteral("; bytes from offset %1").arg(start);
      }
      out.value = std::move(r);
    } catch (const std::exception& e) {
      out.error = QString::fromStdString(e.what());
    }
    return out;
  });
}

}  // namespace kanshiki::gui
