#pragma once
// A table over a small, bounded SQL result (evidence list, thread list, custody log, tags, histogram
// buckets, map points, one artifact's provenance) loaded whole in the background and swapped in as an
// immutable snapshot. reload() re-runs the loader; a newer reload wins over a stale one.
#include <QAbstractTableModel>
#include <filesystem>
#include <functional>
#include <memory>

#include "gui/models/columns.h"

namespace kanshiki::sql {
class Db;
}

namespace kanshiki::gui {

class DbWorker;

struct Snapshot {
  QVector<SqlColumn> columns;
  QVector<QVector<QVariant>> rows;
  QVector<qint64> keys;     // per row: artifact/item/tag/custody id (ArtifactIdRole)
  QVector<bool> recovered;  // per row (empty = none recovered)
  QString note;             // e.g. "showing the first 500000 points"
};
using SnapshotLoader = std::function<Snapshot(sql::Db&)>;

// Runs `SELECT key, recovered, columns... <tail>` (tail = FROM/WHERE/ORDER/LIMIT) into a snapshot.
Snapshot query_snapshot(sql::Db& db, const QVector<SqlColumn>& columns, const QString& tail,
                        const QVariantList& params = {}, const QString& key = QStringLiteral("NULL"),
                        const QString& recovered = QStringLiteral("0"));

class SnapshotModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  SnapshotModel(const std::filesystem::path& case_db, SnapshotLoader loader, QObject* parent = nullptr);
  ~SnapshotModel() override;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  void setLoader(SnapshotLoader loader);  // takes effect at the next reload()
  void reload();
  bool isLoading() const { return loading_; }
  const Snapshot& snapshot() const { return snap_; }
  QString lastError() const { return error_; }
  qint64 keyAt(int row) const { return row >= 0 && row < snap_.keys.size() ? snap_.keys[row] : -1; }
  QVariant valueAt(int row, int column) const;

 Q_SIGNALS:
  void loaded();
  void errorOccurred(const QString& message);

 private:
  std::unique_ptr<DbWorker> worker_;
  SnapshotLoader loader_;
  Snapshot snap_;
  QString error_;
  bool loading_ = false;
  quint64 generation_ = 0;
};

}  // namespace kanshiki::gui
