#pragma once
// A table over a possibly huge SQL result (a million messages) that never loads it whole and never blocks
// the UI thread: rows come in pages of kPageRows from a background connection, a bounded cache keeps the
// pages near what is on screen, and rows not yet loaded show a placeholder until their page arrives.
// Sorting and filtering run in SQL. A new query interrupts the stale one.
//
// First paint is fast: the first page is fetched alone and shown at once; the total count follows.
#include <QAbstractTableModel>
#include <QCache>
#include <QHash>
#include <QImage>
#include <QList>
#include <QSet>
#include <filesystem>
#include <memory>

#include "gui/models/columns.h"

namespace kanshiki::gui {

class DbWorker;

struct SqlWindowSpec {
  QString from;         // FROM clause with joins, e.g. "artifacts a JOIN messages t ON t.artifact_id = a.id"
  QString where;        // fixed condition with '?' placeholders ("" = none)
  QVariantList params;  // values for `where`
  QVector<SqlColumn> columns;
  QString key = QStringLiteral("a.id");               // the row's artifact/item id (ArtifactIdRole)
  QString recovered = QStringLiteral("a.recovered");  // "" when the rows have no recovered flag
  QVector<int> filter_columns;  // columns the text filter searches (substring, Japanese-safe)
  QString order = QStringLiteral("a.time_utc_us, a.id");  // default order
};

class SqlWindowModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  static constexpr int kPageRows = 256;
  static constexpr int kMaxCachedPages = 64;  // ~16k rows in memory whatever the case size

  SqlWindowModel(const std::filesystem::path& case_db, SqlWindowSpec spec, QObject* parent = nullptr);
  ~SqlWindowModel() override;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
  void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

  const SqlWindowSpec& spec() const { return spec_; }
  // Substring filter over spec.filter_columns ("" = none).
  void setFilterText(const QString& text);
  QString filterText() const { return filter_; }
  // An extra condition ANDed to the fixed one (search terms, time range, ...); replaces the previous one.
  void setExtraWhere(const QString& where, const QVariantList& params);
  // Re-runs the query (new data in the case, or conditions changed).
  void refresh();

  // Finds the row of an artifact in the default order (time, id), clearing sort and filter first; the answer
  // comes as located(row), or located(-1) when the artifact is not in this view.
  void locateArtifact(qint64 artifact_id);

  bool isLoading() const { return loading_; }
  bool countKnown() const { return count_known_; }
  qint64 artifactId(int row) const;  // -1 when the row is not loaded yet
  int columnIndex(const QString& title) const;
  QString lastError() const { return error_; }

 Q_SIGNALS:
  void loadingChanged(bool loading);
  void countChanged(qint64 rows);  // emitted once the total is known
  void pageLoaded(int first_row, int last_row);
  void errorOccurred(const QString& message);
  void located(int row);

 private:
  struct Row {
    qint64 key = -1;
    bool recovered = false;
    QVector<QVariant> values;
  };
  struct Page {
    QVector<Row> rows;
  };
  struct Query {
    QString sql;
    QVariantList params;
  };
  Query buildQuery(bool count) const;
  void requestPage(int page) const;
  void setLoading(bool loading);
  const Row* rowAt(int row) const;

  QVariant thumbnail(const QString& relative_path) const;

  std::unique_ptr<DbWorker> worker_;
  std::unique_ptr<DbWorker> count_worker_;
  std::filesystem::path case_dir_;                 // thumbnails are read from here
  mutable QCache<QString, QImage> thumbnails_{256};  // decoded thumbnails near what is on screen  // the count may scan; it must not hold up pages
  SqlWindowSpec spec_;
  QString filter_;
  QString extra_where_;
  QVariantList extra_params_;
  int sort_column_ = -1;
  Qt::SortOrder sort_order_ = Qt::AscendingOrder;

  int rows_ = 0;
  bool count_known_ = false;
  bool loading_ = false;
  quint64 generation_ = 0;
  QString error_;
  mutable QHash<int, Page> pages_;
  mutable QList<int> lru_;
  mutable QSet<int> in_flight_;
};

}  // namespace kanshiki::gui
