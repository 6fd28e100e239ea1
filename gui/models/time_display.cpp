#include "gui/models/time_display.h"

#include <QDateTime>

namespace kanshiki::gui {

TimeDisplay& TimeDisplay::instance() {
  static TimeDisplay display;
  return display;
}

TimeDisplay::TimeDisplay() : device_zone_(QByteArrayLiteral("Asia/Tokyo")) {
  if (!device_zone_.isValid()) device_zone_ = QTimeZone(9 * 3600);
}

void TimeDisplay::setMode(ZoneMode mode) {
  if (mode == mode_) return;
  mode_ = mode;
  Q_EMIT changed();
}

void TimeDisplay::setDeviceZoneId(const QByteArray& iana_id) {
  QTimeZone z(iana_id);
  if (!z.isValid() || z == device_zone_) return;
  device_zone_ = z;
  if (mode_ == ZoneMode::device) Q_EMIT changed();
}

QTimeZone TimeDisplay::zone() const {
  switch (mode_) {
    case ZoneMode::utc:
      return QTimeZone::utc();
    case ZoneMode::jst:
      return QTimeZone(9 * 3600);  // fixed offset: Japan has no daylight saving time
    case ZoneMode::device:
      return device_zone_;
  }
  return QTimeZone::utc();
}

QString TimeDisplay::format(qint64 utc_us) const {
  // Floor division so instants before 1970 keep their correct second.
  qint64 ms = utc_us >= 0 ? utc_us / 1000 : -((-utc_us + 999) / 1000);
  QDateTime t = QDateTime::fromMSecsSinceEpoch(ms, zone());
  QString text = t.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
  switch (mode_) {
    case ZoneMode::utc:
      return text + QStringLiteral(" UTC");
    case ZoneMode::jst:
      return text + QStringLiteral(" JST");
    case ZoneMode::device: {
      int off = device_zone_.offsetFromUtc(t);
      return text + QStringLiteral(" %1%2:%3")
                        .arg(off < 0 ? '-' : '+')
                        .arg(std::abs(off) / 3600, 2, 10, QChar('0'))
                        .arg(std::abs(off) % 3600 / 60, 2, 10, QChar('0'));
    }
  }
  return text;
}

QString TimeDisplay::formatIso(const QString& iso_utc) const {
  if (iso_utc.isEmpty()) return iso_utc;
  QDateTime t = QDateTime::fromString(iso_utc, Qt::ISODateWithMs);
  if (!t.isValid()) t = QDateTime::fromString(iso_utc, Qt::ISODate);
  if (!t.isValid()) return iso_utc;
  return format(t.toMSecsSinceEpoch() * 1000);
}

QString TimeDisplay::zoneLabel() const {
  switch (mode_) {
    case ZoneMode::utc:
      return QStringLiteral("UTC");
    case ZoneMode::jst:
      return QStringLiteral("JST (UTC+09:00)");
    case ZoneMode::device:
      return QString::fromLatin1(device_zone_.id()) + QStringLiteral(" (") +
             device_zone_.displayName(QDateTime::currentDateTimeUtc(), QTimeZone::OffsetName) +
             QStringLiteral(")");
  }
  return {};
}

}  // namespace kanshiki::gui
