#pragma once
// How instants are shown in the workbench: UTC, JST (UTC+09:00) or the device's own zone, always with the
// zone written beside the time so a printed or screenshotted value is never ambiguous. Stored values are
// always UTC (artifacts.time_utc_us); only display changes.
#include <QObject>
#include <QString>
#include <QTimeZone>

namespace kanshiki::gui {

enum class ZoneMode { utc, jst, device };

class TimeDisplay : public QObject {
  Q_OBJECT
 public:
  static TimeDisplay& instance();

  ZoneMode mode() const { return mode_; }
  void setMode(ZoneMode mode);
  // IANA id of the seized device's zone (devices do not always record it; the examiner states it).
  QByteArray deviceZoneId() const { return device_zone_.id(); }
  void setDeviceZoneId(const QByteArray& iana_id);

  // "2024-03-16 12:12:40 JST", "2024-03-16 03:12:40 UTC", "2024-03-16 12:12:40 Asia/Tokyo (UTC+09:00)".
  QString format(qint64 utc_us) const;
  // Same for an ISO 8601 UTC text as stored in *_utc columns; returns the input unchanged when unparsable.
  QString formatIso(const QString& iso_utc) const;
  // The zone label shown in headers and the status bar, e.g. "JST (UTC+09:00)".
  QString zoneLabel() const;
  // The QTimeZone currently used (for date pickers).
  QTimeZone zone() const;

 Q_SIGNALS:
  void changed();

 private:
  TimeDisplay();
  ZoneMode mode_ = ZoneMode::jst;  // Japanese casework: JST by default, switchable
  QTimeZone device_zone_;
};

}  // namespace kanshiki::gui
