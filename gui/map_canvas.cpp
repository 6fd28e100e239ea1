#include "gui/map_canvas.h"

#include <QFileInfo>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>
#include <cmath>

#include "gui/models/case_models.h"
#include "gui/models/db_worker.h"
#include "gui/models/time_display.h"
#include "gui/widgets.h"

namespace kanshiki::gui {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kMaxLat = 85.05112878;
constexpr int kCellPx = 44;  // cluster cell size on screen

QPointF mercator(double lat, double lon) {
  lat = std::clamp(lat, -kMaxLat, kMaxLat);
  double s = std::sin(lat * kPi / 180.0);
  return {(lon + 180.0) / 360.0, 0.5 - std::log((1 + s) / (1 - s)) / (4 * kPi)};
}

double latitude_of(double y) { return 180.0 / kPi * std::atan(std::sinh(kPi * (1 - 2 * y))); }

quint64 tile_key(int z, int x, int y) { return (quint64(z) << 48) | (quint64(x) << 24) | quint64(y); }

}  // namespace

MapCanvas::MapCanvas(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setMinimumSize(300, 240);
  setCursor(Qt::OpenHandCursor);
}

MapCanvas::~MapCanvas() = default;

void MapCanvas::setModel(SnapshotModel* points) {
  model_ = points;
  connect(points, &QAbstractItemModel::modelReset, this, [this] { fitToPoints(); });
  fitToPoints();
}

void MapCanvas::setMbtiles(const QString& path) {
  mbtiles_ = path;
  tiles_.clear();
  tiles_pending_.clear();
  tiles_db_.reset();
  max_zoom_ = -1;
  if (path.isEmpty()) {
    update();
    return;
  }
  tiles_db_ = std::make_unique<DbWorker>(path.toStdString());
  tiles_db_
      ->run([](sql::Db& db) {
        sql::Stmt st(db, "SELECT min(zoom_level), max(zoom_level) FROM tiles");
        return st.step() && !st.is_null(0) ? std::pair<int, int>(int(st.i64(0)), int(st.i64(1)))
                                           : std::pair<int, int>(0, -1);
      })
      .then(this, [this](const Outcome<std::pair<int, int>>& out) {
        if (!out.ok()) {
          Q_EMIT clusterInfo(tr("MBTiles file unusable (%1); showing the coordinate canvas").arg(out.error));
          tiles_db_.reset();
          return;
        }
        min_zoom_ = out.value.first;
        max_zoom_ = out.value.second;
        update();
      });
}

void MapCanvas::fitToPoints() {
  if (!model_ || model_->rowCount() == 0) {
    // Japan, by default.
    centre_ = mercator(36.5, 138.0);
    scale_ = 256 * std::pow(2.0, 4.5);
  } else {
    double x0 = 1, x1 = 0, y0 = 1, y1 = 0;
    for (int r = 0; r < model_->rowCount(); ++r) {
      QPointF w = mercator(model_->valueAt(r, kMapLat).toDouble(), model_->valueAt(r, kMapLon).toDouble());
      x0 = std::min(x0, w.x());
      x1 = std::max(x1, w.x());
      y0 = std::min(y0, w.y());
      y1 = std::max(y1, w.y());
    }
    centre_ = {(x0 + x1) / 2, (y0 + y1) / 2};
    double span = std::max({x1 - x0, y1 - y0, 1e-5});
    scale_ = std::clamp(std::min(width(), height()) * 0.7 / span, 256.0, 256.0 * (1 << 19));
  }
  rebuildClusters();
  update();
}

QPointF MapCanvas::toScreen(double lat, double lon) const {
  QPointF w = mercator(lat, lon);
  return {width() / 2.0 + (w.x() - centre_.x()) * scale_, height() / 2.0 + (w.y() - centre_.y()) * scale_};
}

QPointF MapCanvas::toWorld(const QPointF& s) const {
  return {centre_.x() + (s.x() - width() / 2.0) / scale_, centre_.y() + (s.y() - height() / 2.0) / scale_};
}

void MapCanvas::rebuildClusters() {
  clusters_.clear();
  if (!model_) return;
  QHash<quint64, int> cell_index;
  for (int r = 0; r < model_->rowCount(); ++r) {
    QPointF s = toScreen(model_->valueAt(r, kMapLat).toDouble(), model_->valueAt(r, kMapLon).toDouble());
    if (s.x() < -kCellPx || s.y() < -kCellPx || s.x() > width() + kCellPx || s.y() > height() + kCellPx)
      continue;
    QString source = model_->valueAt(r, kMapSource).toString();
    // Clusters do not mix sources, so the colour always means one source.
    quint64 key = (quint64(quint32(int(std::floor(s.x() / kCellPx)) + 100000)) << 32) ^
                  (quint64(quint32(int(std::floor(s.y() / kCellPx)) + 100000)) << 8) ^ qHash(source);
    auto it = cell_index.find(key);
    if (it == cell_index.end()) {
      Cluster c;
      c.centre = s;
      c.count = 1;
      c.first_artifact = model_->keyAt(r);
      c.source = source;
      c.rows = {r};
      cell_index.insert(key, clusters_.size());
      clusters_.push_back(c);
    } else {
      Cluster& c = clusters_[*it];
      c.centre = (c.centre * c.count + s) / (c.count + 1);
      ++c.count;
      if (c.rows.size() < 50) c.rows.push_back(r);
    }
  }
}

void MapCanvas::drawTiles(QPainter& p) {
  if (!tiles_db_ || max_zoom_ < 0) return;
  int z = std::clamp(int(std::round(std::log2(scale_ / 256.0))), min_zoom_, max_zoom_);
  const int n = 1 << z;
  const double tile_px = scale_ / n;
  QPointF tl = toWorld({0, 0}), br = toWorld({double(width()), double(height())});
  for (int tx = std::max(0, int(tl.x() * n)); tx <= std::min(n - 1, int(br.x() * n)); ++tx) {
    for (int ty = std::max(0, int(tl.y() * n)); ty <= std::min(n - 1, int(br.y() * n)); ++ty) {
      quint64 key = tile_key(z, tx, ty);
      QRectF target(width() / 2.0 + (double(tx) / n - centre_.x()) * scale_,
                    height() / 2.0 + (double(ty) / n - centre_.y()) * scale_, tile_px, tile_px);
      auto it = tiles_.constFind(key);
      if (it != tiles_.constEnd()) {
        if (!it->isNull()) p.drawImage(target, *it);
        continue;
      }
      if (tiles_pending_.contains(key)) continue;
      tiles_pending_.insert(key);
      // MBTiles rows are TMS: y counts from the south.
      tiles_db_
          ->run([z, tx, ty, n](sql::Db& db) {
            sql::Stmt st(
                db, "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?");
            st.bind(1, z).bind(2, tx).bind(3, n - 1 - ty);
            QImage img;
            if (st.step()) {
              auto b = st.blob(0);
              img.loadFromData(reinterpret_cast<const uchar*>(b.data()), int(b.size()));
            }
            return img;
          })
          .then(this, [this, key](const Outcome<QImage>& out) {
            tiles_pending_.remove(key);
            if (tiles_.size() > 600) tiles_.clear();  // bounded memory
            tiles_.insert(key, out.ok() ? out.value : QImage());
            update();
          });
    }
  }
}

void MapCanvas::drawGraticule(QPainter& p) {
  // Grid step: the "nice" degree step giving lines every ~120 px.
  QPointF tl = toWorld({0, 0}), br = toWorld({double(width()), double(height())});
  double lon0 = tl.x() * 360 - 180, lon1 = br.x() * 360 - 180;
  double lat1 = latitude_of(tl.y()), lat0 = latitude_of(br.y());
  double target = (lon1 - lon0) * 120.0 / std::max(1, width());
  double step = 1e-4;
  for (double s : {1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0,
                   20.0, 30.0, 45.0})
    if (s <= target) step = s;
  int decimals = std::max(0, int(std::ceil(-std::log10(step))));
  p.setPen(QPen(QColor(0xC9D3DD), 1));
  QFont f = font();
  f.setPointSizeF(f.pointSizeF() * 0.85);
  p.setFont(f);
  for (double lon = std::ceil(lon0 / step) * step; lon <= lon1; lon += step) {
    double x = toScreen(0, lon).x();
    p.setPen(QColor(0xC9D3DD));
    p.drawLine(QPointF(x, 0), QPointF(x, height()));
    p.setPen(QColor(0x5B6B7B));
    p.drawText(QPointF(x + 3, height() - 6),
               QStringLiteral("%1°%2").arg(std::abs(lon), 0, 'f', decimals).arg(lon >= 0 ? 'E' : 'W'));
  }
  for (double lat = std::ceil(lat0 / step) * step; lat <= lat1; lat += step) {
    double y = toScreen(lat, 0).y();
    p.setPen(QColor(0xC9D3DD));
    p.drawLine(QPointF(0, y), QPointF(width(), y));
    p.setPen(QColor(0x5B6B7B));
    p.drawText(QPointF(4, y - 3),
               QStringLiteral("%1°%2").arg(std::abs(lat), 0, 'f', decimals).arg(lat >= 0 ? 'N' : 'S'));
  }
}

void MapCanvas::drawScaleBar(QPainter& p) {
  // Metres per pixel at the centre latitude (Web Mercator).
  double lat = latitude_of(centre_.y());
  double m_per_px = 40075016.686 * std::cos(lat * kPi / 180.0) / scale_;
  double target_m = m_per_px * 140;
  double nice = 1;
  for (double base = 1; base < 1e8; base *= 10)
    for (double k : {1.0, 2.0, 5.0})
      if (base * k <= target_m) nice = base * k;
  int px = int(nice / m_per_px);
  QRect box(width() - px - 36, height() - 46, px + 24, 30);
  p.fillRect(box, QColor(255, 255, 255, 220));
  p.setPen(QPen(Qt::black, 2));
  int y = box.bottom() - 8, x0 = box.left() + 12;
  p.drawLine(x0, y, x0 + px, y);
  p.drawLine(x0, y - 5, x0, y);
  p.drawLine(x0 + px, y - 5, x0 + px, y);
  p.drawText(QRect(x0, box.top() + 1, px, 14), Qt::AlignCenter,
             nice >= 1000 ? QStringLiteral("%1 km").arg(nice / 1000) : QStringLiteral("%1 m").arg(nice));
}

void MapCanvas::drawLegend(QPainter& p) {
  if (!model_) return;
  QMap<QString, int> sources;
  for (int r = 0; r < model_->rowCount(); ++r) ++sources[model_->valueAt(r, kMapSource).toString()];
  int y = 12;
  QFontMetrics fm(font());
  const QString title = mbtiles_.isEmpty() || max_zoom_ < 0
                            ? tr("Offline canvas (no tiles)")
                            : tr("Offline tiles: %1").arg(QFileInfo(mbtiles_).fileName());
  int w = fm.horizontalAdvance(title) - 20;
  for (auto it = sources.begin(); it != sources.end(); ++it)
    w = std::max(w, fm.horizontalAdvance(QStringLiteral("%1 (%2)").arg(it.key()).arg(it.value())));
  QRect box(width() - w - 48, 8, w + 40, int(sources.size()) * (fm.height() + 4) + 10 + fm.height() + 4);
  p.setBrush(Qt::NoBrush);
  p.fillRect(box, QColor(255, 255, 255, 235));
  p.setPen(QColor(0xB0BAC5));
  p.drawRect(box);
  p.setPen(Qt::black);
  p.drawText(QPoint(box.left() + 10, box.top() + fm.ascent() + 5), title);
  y = box.top() + fm.height() + 10;
  for (auto it = sources.begin(); it != sources.end(); ++it) {
    p.setBrush(palette::source_colour(it.key()));
    p.setPen(Qt::NoPen);
    p.drawEllipse(QPoint(box.left() + 16, y + fm.height() / 2), 6, 6);
    p.setPen(Qt::black);
    p.drawText(QPoint(box.left() + 28, y + fm.ascent()),
               QStringLiteral("%1 (%2)").arg(it.key()).arg(it.value()));
    y += fm.height() + 4;
  }
}

void MapCanvas::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  p.fillRect(rect(), QColor(0xF4F7FA));
  drawTiles(p);
  drawGraticule(p);
  for (const Cluster& c : clusters_) {
    QColor col = palette::source_colour(c.source);
    double radius = c.count == 1 ? 7 : std::min(28.0, 10 + 4 * std::log2(double(c.count)));
    p.setPen(QPen(Qt::white, 2));
    col.setAlpha(215);
    p.setBrush(col);
    p.drawEllipse(c.centre, radius, radius);
    if (c.count > 1) {
      p.setPen(Qt::white);
      p.drawText(QRectF(c.centre.x() - radius, c.centre.y() - radius, 2 * radius, 2 * radius),
                 Qt::AlignCenter, QString::number(c.count));
    }
  }
  p.setBrush(Qt::NoBrush);
  drawScaleBar(p);
  drawLegend(p);
  if (model_ && model_->rowCount() == 0) {
    p.setPen(QColor(0x5B6B7B));
    p.drawText(rect(), Qt::AlignCenter,
               model_->isLoading() ? tr("Loading…") : tr("No located artifacts in this case"));
  }
}

void MapCanvas::wheelEvent(QWheelEvent* e) {
  QPointF before = toWorld(e->position());
  double factor = std::pow(1.0015, e->angleDelta().y());
  scale_ = std::clamp(scale_ * factor, 256.0, 256.0 * (1 << 21));
  QPointF after = toWorld(e->position());
  centre_ += before - after;  // zoom around the cursor
  rebuildClusters();
  update();
}

void MapCanvas::mousePressEvent(QMouseEvent* e) {
  drag_start_ = e->position().toPoint();
  drag_centre_ = centre_;
  dragging_ = true;
  setCursor(Qt::ClosedHandCursor);
}

void MapCanvas::mouseMoveEvent(QMouseEvent* e) {
  if (dragging_ && (e->buttons() & Qt::LeftButton)) {
    centre_ = drag_centre_ - QPointF(e->position().toPoint() - drag_start_) / scale_;
    rebuildClusters();
    update();
    return;
  }
  if (const Cluster* c = clusterAt(e->position())) {
    QString label = model_->valueAt(c->rows.front(), kMapLabel).toString();
    QString when = TimeDisplay::instance().format(model_->valueAt(c->rows.front(), kMapTime).toLongLong());
    QToolTip::showText(e->globalPosition().toPoint(),
                       tr("%n point(s) from %1\n%2 %3", nullptr, c->count).arg(c->source, when, label), this);
  }
}

void MapCanvas::mouseReleaseEvent(QMouseEvent* e) {
  bool click = (e->position().toPoint() - drag_start_).manhattanLength() < 4;
  dragging_ = false;
  setCursor(Qt::OpenHandCursor);
  if (!click) return;
  if (const Cluster* c = clusterAt(e->position())) {
    Q_EMIT artifactActivated(c->first_artifact);
    Q_EMIT clusterInfo(tr("%n point(s) — %1", nullptr, c->count).arg(c->source));
  }
}

void MapCanvas::resizeEvent(QResizeEvent*) { rebuildClusters(); }

const MapCanvas::Cluster* MapCanvas::clusterAt(const QPointF& pos) const {
  const Cluster* best = nullptr;
  double best_d = 30 * 30;
  for (const Cluster& c : clusters_) {
    QPointF d = c.centre - pos;
    double dd = d.x() * d.x() + d.y() * d.y();
    if (dd < best_d) {
      best_d = dd;
      best = &c;
    }
  }
  return best;
}

}  // namespace kanshiki::gui
