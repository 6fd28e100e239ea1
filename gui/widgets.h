#pragma once
// Reusable pieces of the workbench: table set-up (column chooser, recovered rows marked), the chat bubble
// delegate, the timeline histogram, the provenance pane and the "show source" dialog.
#include <QDialog>
#include <QListView>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QWidget>

#include "gui/models/case_service.h"
#include "gui/models/snapshot_model.h"
#include "gui/models/sql_window_model.h"

class QLabel;
class QLineEdit;
class QPushButton;

namespace kanshiki::gui {

// Colours of the workbench (one place, so views agree).
namespace palette {
inline constexpr QRgb kAccent = 0x1F4E79;       // headings, selection accents
inline constexpr QRgb kRecoveredBg = 0xFDECE8;  // rows recovered from deleted space
inline constexpr QRgb kRecoveredFg = 0xA1321F;
inline constexpr QRgb kOutgoing = 0xDCF1FF;
inline constexpr QRgb kIncoming = 0xFFFFFF;
inline constexpr QRgb kOk = 0x2E7D32;
inline constexpr QRgb kBad = 0xC62828;
QColor source_colour(const QString& source);  // stable colour per source (parser / exhibit)
}  // namespace palette

// Marks recovered rows (tinted, with a marker in the first column) on any workbench model.
class RecoveredDelegate : public QStyledItemDelegate {
 public:
  using QStyledItemDelegate::QStyledItemDelegate;
  void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override;
};

// A QTableView set up for large models: fixed row height, no size-to-contents passes over all rows,
// a header context menu to choose columns (defaults from ColumnVisibleByDefaultRole), sorting in the model.
class DataTable : public QTableView {
  Q_OBJECT
 public:
  explicit DataTable(QWidget* parent = nullptr);
  void setModel(QAbstractItemModel* model) override;
  void applyDefaultColumns();
  qint64 currentArtifactId() const;

 Q_SIGNALS:
  void artifactActivated(qint64 artifact_id);  // current row changed to an artifact

 private:
  void showColumnMenu(const QPoint& pos);
};

// Chat bubbles for a conversation (SqlWindowModel over conversation_spec).
class BubbleDelegate : public QStyledItemDelegate {
 public:
  using QStyledItemDelegate::QStyledItemDelegate;
  void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
  QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

// The conversation list: variable-height bubbles, re-laid out as pages arrive.
class ConversationView : public QListView {
  Q_OBJECT
 public:
  explicit ConversationView(QWidget* parent = nullptr);
  void relayout() { scheduleDelayedItemsLayout(); }
};

// Histogram of events over time (SnapshotModel over histogram_loader). Drag to select a range (zoom in),
// double-click or the reset button to zoom out.
class HistogramWidget : public QWidget {
  Q_OBJECT
 public:
  explicit HistogramWidget(QWidget* parent = nullptr);
  void setModel(SnapshotModel* model);
  QSize sizeHint() const override { return {600, 170}; }

 Q_SIGNALS:
  void rangeSelected(qint64 from_us, qint64 to_us);
  void resetRequested();

 protected:
  void paintEvent(QPaintEvent*) override;
  void mousePressEvent(QMouseEvent*) override;
  void mouseMoveEvent(QMouseEvent*) override;
  void mouseReleaseEvent(QMouseEvent*) override;
  void mouseDoubleClickEvent(QMouseEvent*) override;

 private:
  int bucketAt(int x) const;
  QRect plotRect() const;
  SnapshotModel* model_ = nullptr;
  int drag_from_ = -1, drag_to_ = -1;
};

// The selected artifact's provenance and fields, its tags, and actions: tag, show source.
class ProvenancePane : public QWidget {
  Q_OBJECT
 public:
  ProvenancePane(CaseService* service, QWidget* parent = nullptr);
  void showArtifact(qint64 artifact_id);
  qint64 artifactId() const { return artifact_id_; }
  SnapshotModel* model() const { return model_; }
  // Adds a tag to the shown artifact (what the "Tag" button does); result via tagResult.
  void addTag(const QString& tag, const QString& note);

 Q_SIGNALS:
  void tagResult(bool ok, const QString& message);

 private:
  void showSource();
  CaseService* service_;
  SnapshotModel* model_;
  QTableView* table_;
  QLabel* title_;
  QLineEdit* tag_edit_;
  QLineEdit* note_edit_;
  QPushButton* tag_button_;
  QPushButton* source_button_;
  qint64 artifact_id_ = -1;
};

// Shows a SourceRecord: the source row as a table, or a hex dump for recovered records.
class SourceDialog : public QDialog {
  Q_OBJECT
 public:
  SourceDialog(CaseService* service, qint64 artifact_id, QWidget* parent = nullptr);
};

}  // namespace kanshiki::gui
