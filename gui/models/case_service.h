#pragma once
// The workbench's writing side: tags and notes (engine/tags.h, each a signed custody entry), custody-log
// verification, and custody entries for what the examiner does in the GUI (searches). It owns the one
// read-write CaseDb of the process and the examiner identity, both used on its own background thread only.
// While writing it holds the case lock (CASE/.lock) briefly, so it never interleaves with a CLI command.
#include <QFuture>
#include <QObject>
#include <QStringList>
#include <QThreadPool>
#include <filesystem>
#include <memory>

#include "gui/models/db_worker.h"

namespace kanshiki {
class CaseDb;
class Examiner;
}  // namespace kanshiki

namespace kanshiki::gui {

struct CustodyCheck {
  bool ok = false;
  qint64 entries = 0;
  QString summary;
  QStringList problems;
};

// "Show source": the artifact's source row read from a fresh, hash-verified copy of its evidence item.
struct SourceRecord {
  QVector<QPair<QString, QString>> fields;  // column -> value (blobs as hex)
  QString hex;                              // hex dump around source_offset (recovered records)
  QString note;                             // how it was obtained (copy verified against SHA-256 ...)
};

class CaseService : public QObject {
  Q_OBJECT
 public:
  explicit CaseService(std::filesystem::path case_dir, QObject* parent = nullptr);
  ~CaseService() override;

  const std::filesystem::path& caseDir() const { return case_dir_; }
  std::filesystem::path dbPath() const { return case_dir_ / "case.db"; }

  QFuture<Outcome<qint64>> addTag(qint64 artifact_id, const QString& tag, const QString& note);
  QFuture<Outcome<bool>> removeTag(qint64 tag_id);
  QFuture<Outcome<QStringList>> tagNames();
  QFuture<Outcome<CustodyCheck>> verifyCustody();
  // Appends a custody entry for a GUI action (e.g. "search" with its query and filters).
  QFuture<Outcome<qint64>> logAction(const QString& action, const QString& parameters_json);
  QFuture<Outcome<QString>> examinerName();
  // Extracts the artifact's item from the evidence (read-only), checks its SHA-256 against the ingest
  // record and reads the source row or bytes. Runs on the global thread pool (may take a while on a tar).
  QFuture<Outcome<SourceRecord>> loadSource(qint64 artifact_id);

 Q_SIGNALS:
  void tagsChanged();
  void custodyChanged();

 private:
  struct State;
  template <typename F>
  auto run(F fn);
  std::filesystem::path case_dir_;
  QThreadPool pool_;
  std::shared_ptr<State> state_;
};

}  // namespace kanshiki::gui
