#include "gui/models/snapshot_model.h"

#include "gui/models/db_worker.h"
#include "gui/models/time_display.h"

namespace kanshiki::gui {

Snapshot query_snapshot(sql::Db& db, const QVector<SqlColumn>& columns, const QString& tail,
                        const QVariantList& params, const QString& key, const QString& recovered) {
  Snapshot s;
  s.columns = columns;
  QStringList select{key, recovered};
  for (const auto& c : columns) select << c.expr;
  sql::Stmt st(db, (QStringLiteral("SELECT ") + select.join(QStringLiteral(", ")) + QLatin1Char(' ') + tail)
                       .toStdString());
  bind_variants(st, params);
  bool any_recovered = false;
  while (st.step()) {
    s.keys.push_back(st.is_null(0) ? -1 : st.i64(0));
    bool rec = st.i64(1) != 0;
    any_recovered |= rec;
    s.recovered.push_back(rec);
    QVector<QVariant> row;
    row.reserve(columns.size());
    for (int c = 0; c < columns.size(); ++c) row.push_back(column_variant(st, c + 2));
    s.rows.push_back(std::move(row));
  }
  if (!any_recovered) s.recovered.clear();
  return s;
}

SnapshotModel::SnapshotModel(const std::filesystem::path& case_db, SnapshotLoader loader, QObject* parent)
    : QAbstractTableModel(parent), worker_(std::make_unique<DbWorker>(case_db)), loader_(std::move(loader)) {
  connect(&TimeDisplay::instance(), &TimeDisplay::changed, this, [this] {
    if (!snap_.rows.isEmpty())
      Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1), {Qt::DisplayRole});
    if (columnCount() > 0) Q_EMIT headerDataChanged(Qt::Horizontal, 0, columnCount() - 1);
  });
}

SnapshotModel::~SnapshotModel() = default;

void SnapshotModel::setLoader(SnapshotLoader loader) { loader_ = std::move(loader); }

void SnapshotModel::reload() {
  const quint64 generation = ++generation_;
  worker_->interrupt();
  loading_ = true;
  worker_->run(loader_).then(this, [this, generation](Outcome<Snapshot> out) {
    if (generation != generation_) return;
    loading_ = false;
    beginResetModel();
    error_ = out.error;
    if (out.ok()) {
      snap_ = std::move(out.value);
    } else {
      snap_.rows.clear();
      snap_.keys.clear();
      snap_.recovered.clear();
    }
    endResetModel();
    if (!out.ok()) Q_EMIT errorOccurred(out.error);
    Q_EMIT loaded();
  });
}

int SnapshotModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(snap_.rows.size());
}

int SnapshotModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(snap_.columns.size());
}

QVariant SnapshotModel::valueAt(int row, int column) const {
  if (row < 0 || row >= snap_.rows.size() || column < 0 || column >= snap_.columns.size()) return {};
  return snap_.rows[row][column];
}

QVariant SnapshotModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const QVariant& v = snap_.rows[index.row()][index.column()];
  const SqlColumn& col = snap_.columns[index.column()];
  bool rec = !snap_.recovered.isEmpty() && snap_.recovered[index.row()];
  switch (role) {
    case Qt::DisplayRole:
      return display_value(v, col.kind);
    case Qt::ToolTipRole:
      if (col.kind == ColumnKind::text && v.toString().size() > 60) return v.toString();
      return {};
    case Qt::TextAlignmentRole:
      if (col.kind == ColumnKind::integer || col.kind == ColumnKind::bytes || col.kind == ColumnKind::real)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
      return {};
    case ArtifactIdRole:
      return snap_.keys[index.row()];
    case RecoveredRole:
      return rec;
    case IsLoadedRole:
      return true;
    case RawValueRole:
      return v;
    case RowValuesRole: {
      const auto& r = snap_.rows[index.row()];
      return QVariantList(r.begin(), r.end());
    }
    default:
      return {};
  }
}

QVariant SnapshotModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || section < 0 || section >= snap_.columns.size()) return {};
  const SqlColumn& col = snap_.columns[section];
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

}  // namespace kanshiki::gui
