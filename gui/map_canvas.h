#pragma once
// The offline map. With an MBTiles file configured (raster tiles in SQLite, provided by the lab) it draws
// a slippy map from it; otherwise a plain coordinate canvas with a graticule and a scale bar. Points are
// clustered per screen cell, coloured by source, and linked to their artifacts. It never touches the
// network: there is no network code in the workbench at all.
#include <QHash>
#include <QImage>
#include <QSet>
#include <QWidget>
#include <memory>

#include "gui/models/snapshot_model.h"

namespace kanshiki::gui {

class DbWorker;

class MapCanvas : public QWidget {
  Q_OBJECT
 public:
  explicit MapCanvas(QWidget* parent = nullptr);
  ~MapCanvas() override;
  void setModel(SnapshotModel* points);  // columns: MapColumn (case_models.h)
  // Raster tiles for the background; "" = coordinate canvas only.
  void setMbtiles(const QString& path);
  void fitToPoints();
  QSize sizeHint() const override { return {800, 600}; }
  int clusterCount() const { return static_cast<int>(clusters_.size()); }

 Q_SIGNALS:
  void artifactActivated(qint64 artifact_id);
  void clusterInfo(const QString& text);

 protected:
  void paintEvent(QPaintEvent*) override;
  void wheelEvent(QWheelEvent*) override;
  void mousePressEvent(QMouseEvent*) override;
  void mouseMoveEvent(QMouseEvent*) override;
  void mouseReleaseEvent(QMouseEvent*) override;
  void resizeEvent(QResizeEvent*) override;

 private:
  struct Cluster {
    QPointF centre;  // screen
    int count = 0;
    qint64 first_artifact = -1;
    QString source;
    QVector<int> rows;
  };
  QPointF toScreen(double lat, double lon) const;
  QPointF toWorld(const QPointF& screen) const;
  void rebuildClusters();
  void drawTiles(QPainter& p);
  void drawGraticule(QPainter& p);
  void drawScaleBar(QPainter& p);
  void drawLegend(QPainter& p);
  const Cluster* clusterAt(const QPointF& pos) const;

  SnapshotModel* model_ = nullptr;
  // View: world coordinates are Web Mercator in [0,1]²; scale_ = pixels per world unit.
  QPointF centre_{0.5, 0.5};
  double scale_ = 1024;
  QVector<Cluster> clusters_;
  QPoint drag_start_;
  QPointF drag_centre_;
  bool dragging_ = false;
  // MBTiles
  std::unique_ptr<DbWorker> tiles_db_;
  int min_zoom_ = 0, max_zoom_ = -1;
  QHash<quint64, QImage> tiles_;
  QSet<quint64> tiles_pending_;
  QString mbtiles_;
};

}  // namespace kanshiki::gui
