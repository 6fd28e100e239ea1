#include "gui/models/sql_window_model.h"

#include <QtConcurrent/QtConcurrentRun>

#include "gui/models/db_worker.h"
#include "gui/models/time_display.h"

namespace kanshiki::gui {

namespace {

QString like_pattern(const QString& text) {
  QString p = QStringLiteral("%");
  for (QChar ch : text) {
    if (ch == '%' || ch == '_' || ch == '\\') p += '\\';
    p += ch;
  }
  return p + QStringLiteral("%");
}

}  // namespace

SqlWindowModel::SqlWindowModel(const std::filesystem::path& case_db, SqlWindowSpec spec, QObject* parent)
    : QAbstractTableModel(parent),
      worker_(std::make_unique<DbWorker>(case_db)),
      count_worker_(std::make_unique<DbWorker>(case_db)),
      case_dir_(case_db.parent_path()),
      spec_(std::move(spec)) {
  connect(&TimeDisplay::instance(), &TimeDisplay::changed, this, [this] {
    if (rows_ > 0) Q_EMIT dataChanged(index(0, 0), index(rows_ - 1, columnCount() - 1), {Qt::DisplayRole});
    if (columnCount() > 0) Q_EMIT headerDataChanged(Qt::Horizontal, 0, columnCount() - 1);
  });
}

SqlWindowModel::~SqlWindowModel() = default;

int SqlWindowModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : rows_; }

int SqlWindowModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(spec_.columns.size());
}

SqlWindowModel::Query SqlWindowModel::buildQuery(bool count) const {
  Query q;
  QStringList conditions;
  if (!spec_.where.isEmpty()) {
    conditions << QStringLiteral("(%1)").arg(spec_.where);
    q.params += spec_.params;
  }
  if (!extra_where_.isEmpty()) {
    conditions << QStringLiteral("(%1)").arg(extra_where_);
    q.params += extra_params_;
  }
  if (!filter_.isEmpty() && !spec_.filter_columns.isEmpty()) {
    QStringList any;
    for (int c : spec_.filter_columns) {
      any << QStringLiteral("%1 LIKE ? ESCAPE '\\'").arg(spec_.columns[c].expr);
      q.params << like_pattern(filter_);
    }
    conditions << QStringLiteral("(%1)").arg(any.join(QStringLiteral(" OR ")));
  }
  QString where =
      conditions.isEmpty() ? QString() : QStringLiteral(" WHERE ") + conditions.join(QStringLiteral(" AND "));
  if (count) {
    q.sql = QStringLiteral("SELECT count(*) FROM ") + spec_.from + where;
    return q;
  }
  QStringList select{spec_.key, spec_.recovered.isEmpty() ? QStringLiteral("0") : spec_.recovered};
  for (const auto& c : spec_.columns) select << c.expr;
  QString order = spec_.order;
  if (sort_column_ >= 0 && sort_column_ < spec_.columns.size()) {
    const char* dir = sort_order_ == Qt::AscendingOrder ? " ASC" : " DESC";
    order = spec_.columns[sort_column_].expr + QLatin1String(dir) + QStringLiteral(", ") + spec_.key +
            QLatin1String(dir);
  }
  q.sql = QStringLiteral("SELECT ") + select.join(QStringLiteral(", ")) + QStringLiteral(" FROM ") +
          spec_.from + where + QStringLiteral(" ORDER BY ") + order + QStringLiteral(" LIMIT ? OFFSET ?");
  return q;
}

void SqlWindowModel::setLoading(bool loading) {
  if (loading_ == loading) return;
  loading_ = loading;
  Q_EMIT loadingChanged(loading);
}

void SqlWindowModel::refresh() {
  const quint64 generation = ++generation_;
  worker_->interrupt();
  count_worker_->interrupt();
  in_flight_.clear();
  setLoading(true);
  Query first = buildQuery(false);
  first.params << kPageRows << 0;
  const int columns = columnCount();
  auto read_page = [first, columns](sql::Db& db) {
    Page page;
    sql::Stmt st(db, first.sql.toStdString());
    bind_variants(st, first.params);
    while (st.step()) {
      Row r;
      r.key = st.i64(0);
      r.recovered = st.i64(1) != 0;
      r.values.reserve(columns);
      for (int c = 0; c < columns; ++c) r.values.push_back(column_variant(st, c + 2));
      page.rows.push_back(std::move(r));
    }
    return page;
  };
  worker_->run(read_page).then(this, [this, generation](Outcome<Page> out) {
    if (generation != generation_) return;  // a newer query replaced this one
    beginResetModel();
    pages_.clear();
    lru_.clear();
    error_ = out.error;
    rows_ = out.ok() ? static_cast<int>(out.value.rows.size()) : 0;
    count_known_ = !out.ok() || rows_ < kPageRows;
    if (out.ok()) {
      pages_.insert(0, std::move(out.value));
      lru_.append(0);
    }
    endResetModel();
    if (!out.ok()) {
      Q_EMIT errorOccurred(out.error);
      setLoading(false);
      return;
    }
    if (rows_ > 0) Q_EMIT pageLoaded(0, rows_ - 1);
    if (count_known_) {
      Q_EMIT countChanged(rows_);
      setLoading(false);
      return;
    }
    Query count = buildQuery(true);
    count_worker_
        ->run([count](sql::Db& db) {
          sql::Stmt st(db, count.sql.toStdString());
          bind_variants(st, count.params);
          return st.step() ? st.i64(0) : int64_t{0};
        })
        .then(this, [this, generation](Outcome<int64_t> total) {
          if (generation != generation_) return;
          if (!total.ok()) {
            error_ = total.error;
            Q_EMIT errorOccurred(total.error);
          } else if (total.value > rows_) {
            // Views handle at most INT_MAX rows; a case is far below that.
            int n = static_cast<int>(std::min<int64_t>(total.value, std::numeric_limits<int>::max()));
            beginInsertRows({}, rows_, n - 1);
            rows_ = n;
            endInsertRows();
          }
          count_known_ = true;
          Q_EMIT countChanged(rows_);
          setLoading(false);
        });
  });
}

void SqlWindowModel::requestPage(int page) const {
  if (in_flight_.contains(page)) return;
  in_flight_.insert(page);
  auto* self = const_cast<SqlWindowModel*>(this);
  Query q = buildQuery(false);
  q.params << kPageRows << static_cast<qint64>(page) * kPageRows;
  const int columns = columnCount();
  const quint64 generation = generation_;
  worker_
      ->run([q, columns](sql::Db& db) {
        Page p;
        sql::Stmt st(db, q.sql.toStdString());
        bind_variants(st, q.params);
        while (st.step()) {
          Row r;
          r.key = st.i64(0);
          r.recovered = st.i64(1) != 0;
          for (int c = 0; c < columns; ++c) r.values.push_back(column_variant(st, c + 2));
          p.rows.push_back(std::move(r));
        }
        return p;
      })
      .then(self, [self, page, generation](Outcome<Page> out) {
        if (generation != self->generation_) return;
        self->in_flight_.remove(page);
        if (!out.ok()) {
          self->error_ = out.error;
          Q_EMIT self->errorOccurred(out.error);
          return;
        }
        self->pages_.insert(page, std::move(out.value));
        self->lru_.removeAll(page);
        self->lru_.append(page);
        while (self->lru_.size() > kMaxCachedPages) self->pages_.remove(self->lru_.takeFirst());
        int first = page * kPageRows;
        int last = std::min(self->rows_, first + kPageRows) - 1;
        if (last >= first) {
          Q_EMIT self->dataChanged(self->index(first, 0), self->index(last, self->columnCount() - 1));
          Q_EMIT self->pageLoaded(first, last);
        }
      });
}

const SqlWindowModel::Row* SqlWindowModel::rowAt(int row) const {
  int page = row / kPageRows;
  auto it = pages_.find(page);
  if (it == pages_.end()) {
    requestPage(page);
    return nullptr;
  }
  int offset = row % kPageRows;
  if (offset >= it->rows.size()) return nullptr;  // the case changed under us; refresh() will fix counts
  return &it->rows[offset];
}

qint64 SqlWindowModel::artifactId(int row) const {
  if (row < 0 || row >= rows_) return -1;
  const Row* r = rowAt(row);
  return r ? r->key : -1;
}

int SqlWindowModel::columnIndex(const QString& title) const {
  for (int i = 0; i < spec_.columns.size(); ++i)
    if (spec_.columns[i].title == title) return i;
  return -1;
}

QVariant SqlWindowModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  if (role == IsLoadedRole) {
    auto it = pages_.constFind(index.row() / kPageRows);
    return it != pages_.constEnd() && index.row() % kPageRows < it->rows.size();
  }
  const Row* r = rowAt(index.row());
  const SqlColumn& col = spec_.columns[index.column()];
  if (!r) {
    if (role == Qt::DisplayRole) return QStringLiteral("…");  // page on its way
    return {};
  }
  const QVariant& v = r->values[index.column()];
  switch (role) {
    case Qt::DisplayRole:
      return display_value(v, col.kind);
    case Qt::ToolTipRole:
      if (col.kind == ColumnKind::bytes) return QStringLiteral("%1 bytes").arg(v.toLongLong());
      if (col.kind == ColumnKind::text && v.toString().size() > 60) return v.toString();
      return {};
    case Qt::TextAlignmentRole:
      if (col.kind == ColumnKind::integer || col.kind == ColumnKind::bytes || col.kind == ColumnKind::real)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
      if (col.kind == ColumnKind::flag) return Qt::AlignCenter;
      return {};
    case ArtifactIdRole:
      return r->key;
    case RecoveredRole:
      return r->recovered;
    case Qt::DecorationRole:
      if (col.kind == ColumnKind::thumbnail) return thumbnail(v.toString());
      return {};
    case RawValueRole:
      return v;
    case RowValuesRole:
      return QVariantList(r->values.begin(), r->values.end());
    default:
      return {};
  }
}

// The case's own thumbnails (small JPEGs made by the confined thumbnail worker); a missing or unreadable one
// shows nothing rather than failing the view.
QVariant SqlWindowModel::thumbnail(const QString& relative_path) const {
  if (relative_path.isEmpty()) return {};
  if (QImage* cached = thumbnails_.object(relative_path)) return *cached;
  QImage image(QString::fromStdString((case_dir_ / relative_path.toStdString()).string()));
  if (image.isNull()) return {};
  thumbnails_.insert(relative_path, new QImage(image));
  return image;
}

QVariant SqlWindowModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || section < 0 || section >= spec_.columns.size()) return {};
  const SqlColumn& col = spec_.columns[section];
  if (role == Qt::DisplayRole) {
    QString t = column_title(col.title);
    if (col.kind == ColumnKind::time_us || col.kind == ColumnKind::iso_time)
      t += QStringLiteral(" [%1]").arg(TimeDisplay::instance().zoneLabel());
    return t;
  }
  if (role == ColumnVisibleByDefaultRole) return col.shown;
  if (role == RawValueRole) return col.title;  // the untranslated title (views key widths on it)
  return {};
}

void SqlWindowModel::sort(int column, Qt::SortOrder order) {
  if (column == sort_column_ && order == sort_order_) return;
  sort_column_ = column;
  sort_order_ = order;
  refresh();
}

void SqlWindowModel::setFilterText(const QString& text) {
  if (text == filter_) return;
  filter_ = text;
  refresh();
}

void SqlWindowModel::setExtraWhere(const QString& where, const QVariantList& params) {
  extra_where_ = where;
  extra_params_ = params;
  refresh();
}

}  // namespace kanshiki::gui

namespace kanshiki::gui {

void SqlWindowModel::locateArtifact(qint64 artifact_id) {
  if (sort_column_ != -1 || !filter_.isEmpty()) {
    sort_column_ = -1;
    filter_.clear();
    refresh();
  }
  Query q = buildQuery(true);
  // Rows before it in (time, id) order; SQLite sorts NULL times first.
  q.sql += QLatin1String(q.sql.contains(QLatin1String(" WHERE ")) ? " AND " : " WHERE ");
  q.sql += QStringLiteral(
      "(CASE WHEN @T IS NULL THEN a.time_utc_us IS NULL AND a.id < @ID ELSE (a.time_utc_us IS NULL OR "
      "a.time_utc_us < @T OR (a.time_utc_us = @T AND a.id < @ID)) END)");
  const int fixed = static_cast<int>(q.params.size());
  // The positional '?' of the base query come first; the two values are bound by number after them.
  q.sql.replace(QLatin1String("@T"), QStringLiteral("?%1").arg(fixed + 1));
  q.sql.replace(QLatin1String("@ID"), QStringLiteral("?%1").arg(fixed + 2));
  count_worker_
      ->run([q, artifact_id](sql::Db& db) -> int64_t {
        sql::Stmt t(db, "SELECT time_utc_us FROM artifacts WHERE id = ?");
        t.bind(1, static_cast<int64_t>(artifact_id));
        if (!t.step()) return -1;
        QVariantList params = q.params;
        params << (t.is_null(0) ? QVariant() : QVariant::fromValue<qint64>(t.i64(0))) << artifact_id;
        sql::Stmt st(db, q.sql.toStdString());
        bind_variants(st, params);
        return st.step() ? st.i64(0) : -1;
      })
      .then(this,
            [this](Outcome<int64_t> out) { Q_EMIT located(out.ok() ? static_cast<int>(out.value) : -1); });
}

}  // namespace kanshiki::gui
