#pragma once
// The main views of the workbench. Each page reads the case through its own models (background
// connections) and reports the artifact the examiner selects, so the provenance pane can follow.
#include <QHash>
#include <QWidget>

#include "gui/models/case_models.h"
#include "gui/models/case_service.h"
#include "gui/widgets.h"

class QComboBox;
class QDateTimeEdit;
class QCheckBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace kanshiki::gui {

class MapCanvas;

class Page : public QWidget {
  Q_OBJECT
 public:
  Page(CaseService* service, QWidget* parent) : QWidget(parent), service_(service) {}
  // True while any of the page's models is still loading (screenshots and tests wait on it).
  virtual bool busy() const = 0;
  // Loads the page's data the first time it is shown (or now, when asked): opening a case with a million
  // artifacts must not start every page's queries at once on the examiner's two cores.
  void ensureActivated() {
    if (activated_) return;
    activated_ = true;
    activate();
  }

 Q_SIGNALS:
  void artifactSelected(qint64 artifact_id);
  void status(const QString& message);

 protected:
  virtual void activate() = 0;
  void showEvent(QShowEvent* e) override {
    QWidget::showEvent(e);
    ensureActivated();
  }
  std::filesystem::path db() const { return service_->dbPath(); }
  CaseService* service_;

 private:
  bool activated_ = false;
};

class EvidencePage : public Page {
  Q_OBJECT
 public:
  EvidencePage(CaseService* service, QWidget* parent = nullptr);
  bool busy() const override;

 protected:
  void activate() override;

 public:
  void reload();
  SnapshotModel* evidenceModel() const { return evidence_; }

 Q_SIGNALS:
  void verifyRequested();

 private:
  void showItems(int evidence_row);
  SnapshotModel* evidence_;
  SnapshotModel* last_verify_;
  SqlWindowModel* items_ = nullptr;
  DataTable* evidence_table_;
  DataTable* items_table_;
  QLabel* verify_label_;
  QLineEdit* item_filter_;
};

class ArtifactsPage : public Page {
  Q_OBJECT
 public:
  ArtifactsPage(CaseService* service, QWidget* parent = nullptr);
  bool busy() const override;

 protected:
  void activate() override;

 public:
  void setType(const QString& type);
  QString type() const { return type_; }
  // Shows the artifact's row in the table of its type (jump from the conversation view).
  void showArtifact(const QString& type, qint64 artifact_id);
  SqlWindowModel* model() const { return models_.value(type_); }
  DataTable* table() const { return table_; }

 private:
  QListWidget* types_;
  QLineEdit* filter_;
  DataTable* table_;
  QLabel* count_;
  QHash<QString, SqlWindowModel*> models_;
  QString type_;
};

class ConversationsPage : public Page {
  Q_OBJECT
 public:
  ConversationsPage(CaseService* service, QWidget* parent = nullptr);
  bool busy() const override;

 protected:
  void activate() override;

 public:
  SnapshotModel* threads() const { return threads_; }
  SqlWindowModel* conversation() const { return conversation_; }
  void selectThread(int row);
  ConversationView* view() const { return view_; }

 Q_SIGNALS:
  void showInTable(const QString& type, qint64 artifact_id);

 private:
  SnapshotModel* threads_;
  SqlWindowModel* conversation_ = nullptr;
  DataTable* thread_table_;
  ConversationView* view_;
  QLabel* header_;
  QLineEdit* filter_;
  QPushButton* jump_;
};

class TimelinePage : public Page {
  Q_OBJECT
 public:
  TimelinePage(CaseService* service, QWidget* parent = nullptr);
  bool busy() const override;

 protected:
  void activate() override;

 public:
  void zoomTo(qint64 from_us, qint64 to_us);  // 0, 0 = whole case

 private:
  SnapshotModel* histogram_;
  SqlWindowModel* events_;
  HistogramWidget* chart_;
  DataTable* table_;
  QLabel* range_;
  QVector<QPair<qint64, qint64>> zoom_stack_;
};

class MapPage : public Page {
  Q_OBJECT
 public:
  MapPage(CaseService* service, QWidget* parent = nullptr);
  bool busy() const override;

 protected:
  void activate() override;

 public:
  MapCanvas* canvas() const { return canvas_; }

 private:
  SnapshotModel* points_;
  MapCanvas* canvas_;
  QLabel* info_;
};

class SearchPage : public Page {
  Q_OBJECT
 public:
  SearchPage(CaseService* service, QWidget* parent = nullptr);
  bool busy() const override;

 protected:
  void activate() override;

 public:
  void search(const QString& text);  // as if typed and "Search" pressed
  SqlWindowModel* results() const { return results_; }

 Q_SIGNALS:
  void searchLogged(qint64 custody_seq);

 private:
  void runSearch();
  QLineEdit* query_;
  QCheckBox* use_from_;
  QCheckBox* use_to_;
  QDateTimeEdit* from_;
  QDateTimeEdit* to_;
  QComboBox* device_;
  QComboBox* app_;
  SqlWindowModel* results_;
  SnapshotModel* evidence_;
  SnapshotModel* apps_;
  DataTable* table_;
  QLabel* summary_;
  SearchFilter pending_log_;
  bool log_pending_ = false;
};

class TagsPage : public Page {
  Q_OBJECT
 public:
  TagsPage(CaseService* service, QWidget* parent = nullptr);
  bool busy() const override;

 protected:
  void activate() override;

 public:
  SnapshotModel* model() const { return tags_; }

 private:
  SnapshotModel* tags_;
  DataTable* table_;
};

class CustodyPage : public Page {
  Q_OBJECT
 public:
  CustodyPage(CaseService* service, QWidget* parent = nullptr);
  bool busy() const override;

 protected:
  void activate() override;

 public:
  SnapshotModel* model() const { return custody_; }
  void verify();
  bool verified() const { return verified_; }

 private:
  SnapshotModel* custody_;
  DataTable* table_;
  QLabel* banner_;
  bool verifying_ = false, verified_ = false;
};

}  // namespace kanshiki::gui
