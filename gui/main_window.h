#pragma once
// The workbench window: a case open at a time; pages on the left, the provenance of the selected artifact
// on the right, background jobs (ingest, process, verify, report) in the status bar with cancel.
#include <QMainWindow>
#include <QPointer>
#include <filesystem>
#include <functional>
#include <memory>

#include "gui/background_job.h"

class QComboBox;
class QDockWidget;
class QMenu;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QStackedWidget;

namespace kanshiki::gui {

class CaseService;

class Page;
class EvidencePage;
class ArtifactsPage;
class ConversationsPage;
class TimelinePage;
class MapPage;
class SearchPage;
class TagsPage;
class CustodyPage;
class ProvenancePane;
class ReportWizard;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  enum PageId {
    kEvidence,
    kArtifacts,
    kConversations,
    kTimeline,
    kMap,
    kSearch,
    kTags,
    kCustody,
    kPageCount
  };

  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Opens a case folder (must hold case.db); false with a message box-free error in lastError().
  bool openCase(const QString& case_dir);
  QString caseDir() const;
  void showPage(PageId page);
  PageId currentPage() const;
  // True while the current page (or the provenance pane) is loading.
  bool busy() const;

  EvidencePage* evidencePage() const { return evidence_; }
  ArtifactsPage* artifactsPage() const { return artifacts_; }
  ConversationsPage* conversationsPage() const { return conversations_; }
  TimelinePage* timelinePage() const { return timeline_; }
  MapPage* mapPage() const { return map_; }
  SearchPage* searchPage() const { return search_; }
  TagsPage* tagsPage() const { return tags_; }
  CustodyPage* custodyPage() const { return custody_; }
  ProvenancePane* provenance() const { return provenance_; }
  CaseService* service() const { return service_.get(); }
  ReportWizard* openReportWizard();

  // Runs a CLI job in the background (status bar shows it, with cancel); done(exit_code, output) after.
  void runJob(const QString& title, const QStringList& arguments,
              std::function<void(int, const QString&)> done = {});
  CliJob* currentJob() const { return job_; }

  // Saves PNGs of the main views into dir, then calls done (used by --screenshot).
  void captureScreenshots(const QString& dir, std::function<void(QStringList)> done);

 Q_SIGNALS:
  void languageChangeRequested(const QString& lang);
  void caseOpened(const QString& case_dir);

 private:
  void buildMenus();
  void buildWelcome();
  void newCase();
  void chooseCase();
  void ingestEvidence();
  void processCase();
  void verifyEvidence();
  void openSettings();
  void updateRecentMenu();
  void addRecent(const QString& dir);
  void setStatus(const QString& text, bool error = false);

  std::unique_ptr<CaseService> service_;
  QStackedWidget* stack_ = nullptr;
  QListWidget* nav_ = nullptr;
  QWidget* welcome_ = nullptr;
  QWidget* workspace_ = nullptr;
  EvidencePage* evidence_ = nullptr;
  ArtifactsPage* artifacts_ = nullptr;
  ConversationsPage* conversations_ = nullptr;
  TimelinePage* timeline_ = nullptr;
  MapPage* map_ = nullptr;
  SearchPage* search_ = nullptr;
  TagsPage* tags_ = nullptr;
  CustodyPage* custody_ = nullptr;
  ProvenancePane* provenance_ = nullptr;
  QDockWidget* provenance_dock_ = nullptr;
  QMenu* recent_menu_ = nullptr;
  QComboBox* zone_ = nullptr;
  QLabel* job_label_ = nullptr;
  QProgressBar* job_progress_ = nullptr;
  QPushButton* job_cancel_ = nullptr;
  QLabel* examiner_label_ = nullptr;
  QLabel* zone_label_ = nullptr;
  QPointer<CliJob> job_;
  QList<QAction*> case_actions_;
};

}  // namespace kanshiki::gui
