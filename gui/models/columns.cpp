#include "gui/models/columns.h"

#include "gui/models/time_display.h"

namespace kanshiki::gui {

QString human_size(qint64 bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 4) {
    v /= 1024.0;
    ++u;
  }
  return u == 0 ? QStringLiteral("%1 B").arg(bytes) : QStringLiteral("%1 %2").arg(v, 0, 'f', 1).arg(units[u]);
}

QString display_value(const QVariant& v, ColumnKind kind) {
  if (!v.isValid() || v.isNull()) return {};
  switch (kind) {
    case ColumnKind::time_us:
      return TimeDisplay::instance().format(v.toLongLong());
    case ColumnKind::iso_time:
      return TimeDisplay::instance().formatIso(v.toString());
    case ColumnKind::flag:
      return v.toLongLong() != 0 ? QStringLiteral("✓") : QString();
    case ColumnKind::bytes:
      return human_size(v.toLongLong());
    case ColumnKind::real:
      return QString::number(v.toDouble(), 'f', 6);
    case ColumnKind::integer:
      return QString::number(v.toLongLong());
    case ColumnKind::thumbnail:
      return {};
    case ColumnKind::text: {
      if (v.typeId() == QMetaType::QByteArray)
        return QStringLiteral("<%1 bytes>").arg(v.toByteArray().size());
      QString s = v.toString();
      // A cell shows one line; the full text is in the tooltip and the provenance pane.
      constexpr int kCellChars = 300;
      if (s.size() > kCellChars) s = s.left(kCellChars) + QStringLiteral("…");
      s.replace(QLatin1Char('\n'), QStringLiteral(" ⏎ "));
      return s;
    }
  }
  return v.toString();
}

QString column_title(const QString& source) {
  QByteArray key = source.toUtf8();
  QString t = QCoreApplication::translate("Columns", key.constData());
  const bool schema_name = !source.isEmpty() && (source.contains(QLatin1Char('_')) || source.at(0).isLower());
  if (t != source || !schema_name) return t;
  // Schema column names without a translation: "sender_name" -> "Sender name".
  t.replace(QLatin1Char('_'), QLatin1Char(' '));
  t[0] = t[0].toUpper();
  return t;
}

}  // namespace kanshiki::gui
