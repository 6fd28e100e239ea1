#pragma once
// Column descriptions shared by the windowed and snapshot models: the SQL expression, the (translatable)
// title, and how the value is shown.
#include <QCoreApplication>
#include <QString>
#include <QVariant>
#include <QVector>

namespace kanshiki::gui {

enum class ColumnKind {
  text,  // shown as is (newlines folded; very long text shortened in the cell, full text in the tooltip)
  integer,
  real,
  time_us,   // microseconds since 1970 UTC, shown in the chosen zone with its label
  iso_time,  // ISO 8601 UTC text (*_utc columns), shown in the chosen zone with its label
  flag,      // 0/1 shown as a check mark
  bytes,     // a size, shown as KB/MB/GB with the exact count in the tooltip
  thumbnail, // path of a thumbnail relative to the case folder (`kanshiki thumbnails`): the cell shows the
             // image (Qt::DecorationRole), no text
};

struct SqlColumn {
  QString expr;   // SQL expression (may reference the FROM clause's aliases)
  QString title;  // source text for the header; translated in the "Columns" context
  ColumnKind kind = ColumnKind::text;
  bool shown = true;  // visible by default (the column chooser shows the others)
};

// Extra item roles every model of the workbench answers.
enum Role {
  ArtifactIdRole = Qt::UserRole + 1,  // the artifact (or item/tag/custody key) of the row
  RecoveredRole,                      // bool: recovered from deleted space
  RawValueRole,                       // the value as stored (before zone formatting)
  RowValuesRole,                      // QVariantList of all raw column values of the row
  ColumnVisibleByDefaultRole,         // headerData: whether the column is shown initially
  IsLoadedRole,                       // bool: the row's values are in memory (asking does not load them)
};

// Display text for one value of a column kind.
QString display_value(const QVariant& v, ColumnKind kind);
QString human_size(qint64 bytes);
// The header title translated ("Columns" context).
QString column_title(const QString& source);

}  // namespace kanshiki::gui
