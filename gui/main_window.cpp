#include "gui/main_window.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include "gui/background_job.h"
#include "gui/map_canvas.h"
#include "gui/models/case_service.h"
#include "gui/models/time_display.h"
#include "gui/pages.h"
#include "gui/report_wizard.h"

namespace kanshiki::gui {

namespace {

const char* kRecentKey = "recentCases";

const char* const kPages[MainWindow::kPageCount] = {
    QT_TRANSLATE_NOOP("Navigation", "Evidence"),      QT_TRANSLATE_NOOP("Navigation", "Artifacts"),
    QT_TRANSLATE_NOOP("Navigation", "Conversations"), QT_TRANSLATE_NOOP("Navigation", "Timeline"),
    QT_TRANSLATE_NOOP("Navigation", "Map"),           QT_TRANSLATE_NOOP("Navigation", "Search"),
    QT_TRANSLATE_NOOP("Navigation", "Tags"),          QT_TRANSLATE_NOOP("Navigation", "Custody log"),
};

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(tr("Kanshiki workbench"));
  resize(1440, 900);
  buildMenus();
  buildWelcome();

  auto* sb = statusBar();
  job_label_ = new QLabel(sb);
  job_progress_ = new QProgressBar(sb);
  job_progress_->setRange(0, 0);
  job_progress_->setMaximumWidth(160);
  job_progress_->hide();
  job_cancel_ = new QPushButton(tr("Cancel"), sb);
  job_cancel_->setObjectName(QStringLiteral("cancelJob"));
  job_cancel_->hide();
  examiner_label_ = new QLabel(sb);
  zone_label_ = new QLabel(sb);
  sb->addWidget(job_label_, 1);
  sb->addPermanentWidget(job_progress_);
  sb->addPermanentWidget(job_cancel_);
  sb->addPermanentWidget(examiner_label_);
  sb->addPermanentWidget(zone_label_);
  zone_label_->setText(tr("Times: %1").arg(TimeDisplay::instance().zoneLabel()));
  connect(&TimeDisplay::instance(), &TimeDisplay::changed, this,
          [this] { zone_label_->setText(tr("Times: %1").arg(TimeDisplay::instance().zoneLabel())); });
  connect(job_cancel_, &QPushButton::clicked, this, [this] {
    if (job_) job_->cancel();
  });
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
  auto* file = menuBar()->addMenu(tr("&Case"));
  auto* open = file->addAction(tr("&Open case…"), this, &MainWindow::chooseCase);
  open->setShortcut(QKeySequence::Open);
  file->addAction(tr("&New case…"), this, &MainWindow::newCase)->setShortcut(QKeySequence::New);
  recent_menu_ = file->addMenu(tr("Recent cases"));
  updateRecentMenu();
  file->addSeparator();
  case_actions_ << file->addAction(tr("&Ingest evidence…"), this, &MainWindow::ingestEvidence);
  case_actions_ << file->addAction(tr("&Process (run parsers)"), this, &MainWindow::processCase);
  case_actions_ << file->addAction(tr("&Verify evidence"), this, &MainWindow::verifyEvidence);
  case_actions_ << file->addAction(tr("Write &report…"), this, [this] { openReportWizard(); });
  file->addSeparator();
  file->addAction(tr("&Settings…"), this, &MainWindow::openSettings);
  file->addAction(tr("&Quit"), qApp, &QApplication::quit)->setShortcut(QKeySequence::Quit);
  for (auto* a : case_actions_) a->setEnabled(false);

  auto* tb = addToolBar(tr("Main"));
  tb->setObjectName(QStringLiteral("mainToolbar"));
  tb->setMovable(false);
  tb->setToolButtonStyle(Qt::ToolButtonTextOnly);
  tb->addAction(open);
  for (auto* a : case_actions_) tb->addAction(a);
  auto* spacer = new QWidget(tb);
  spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
  tb->addWidget(spacer);
  tb->addWidget(new QLabel(tr("Show times in "), tb));
  zone_ = new QComboBox(tb);
  zone_->setObjectName(QStringLiteral("zoneChooser"));
  zone_->addItem(QStringLiteral("JST (UTC+09:00)"), int(ZoneMode::jst));
  zone_->addItem(QStringLiteral("UTC"), int(ZoneMode::utc));
  zone_->addItem(tr("Device zone (%1)").arg(QString::fromLatin1(TimeDisplay::instance().deviceZoneId())),
                 int(ZoneMode::device));
  zone_->setCurrentIndex(std::max(0, zone_->findData(int(TimeDisplay::instance().mode()))));
  connect(zone_, &QComboBox::currentIndexChanged, this, [this] {
    auto mode = static_cast<ZoneMode>(zone_->currentData().toInt());
    TimeDisplay::instance().setMode(mode);
    QSettings().setValue(QStringLiteral("ui/zone"), int(mode));
  });
  tb->addWidget(zone_);
}

void MainWindow::buildWelcome() {
  stack_ = new QStackedWidget(this);
  setCentralWidget(stack_);
  welcome_ = new QWidget(stack_);
  auto* l = new QVBoxLayout(welcome_);
  l->addStretch();
  auto* title = new QLabel(QStringLiteral("鑑識 Kanshiki"), welcome_);
  title->setAlignment(Qt::AlignCenter);
  title->setStyleSheet(QStringLiteral("font-size: 30pt; font-weight: 600; color: #1F4E79;"));
  l->addWidget(title);
  auto* sub = new QLabel(tr("Open a case to review its evidence, or create a new one."), welcome_);
  sub->setAlignment(Qt::AlignCenter);
  l->addWidget(sub);
  auto* row = new QHBoxLayout;
  row->addStretch();
  auto* open = new QPushButton(tr("Open case…"), welcome_);
  auto* create = new QPushButton(tr("New case…"), welcome_);
  connect(open, &QPushButton::clicked, this, &MainWindow::chooseCase);
  connect(create, &QPushButton::clicked, this, &MainWindow::newCase);
  row->addWidget(open);
  row->addWidget(create);
  row->addStretch();
  l->addLayout(row);
  auto* recent = new QListWidget(welcome_);
  recent->setObjectName(QStringLiteral("recentList"));
  recent->setMaximumWidth(640);
  for (const QString& r : QSettings().value(QLatin1String(kRecentKey)).toStringList()) recent->addItem(r);
  connect(recent, &QListWidget::itemActivated, this, [this](QListWidgetItem* i) { openCase(i->text()); });
  auto* rl = new QHBoxLayout;
  rl->addStretch();
  rl->addWidget(recent);
  rl->addStretch();
  l->addLayout(rl);
  l->addStretch();
  stack_->addWidget(welcome_);
}

bool MainWindow::openCase(const QString& case_dir) {
  QDir dir(case_dir);
  if (!dir.exists(QStringLiteral("case.db"))) {
    setStatus(tr("%1 is not a case folder (no case.db)").arg(case_dir), true);
    return false;
  }
  if (workspace_) {
    stack_->removeWidget(workspace_);
    delete workspace_;
    delete provenance_dock_;
  }
  service_ = std::make_unique<CaseService>(dir.absolutePath().toStdString());
  workspace_ = new QWidget(stack_);
  auto* h = new QHBoxLayout(workspace_);
  h->setContentsMargins(0, 0, 0, 0);
  h->setSpacing(0);
  nav_ = new QListWidget(workspace_);
  nav_->setObjectName(QStringLiteral("navigation"));
  nav_->setFixedWidth(190);
  for (const char* p : kPages) nav_->addItem(QCoreApplication::translate("Navigation", p));
  auto* pages = new QStackedWidget(workspace_);
  pages->setObjectName(QStringLiteral("pages"));
  evidence_ = new EvidencePage(service_.get(), pages);
  artifacts_ = new ArtifactsPage(service_.get(), pages);
  conversations_ = new ConversationsPage(service_.get(), pages);
  timeline_ = new TimelinePage(service_.get(), pages);
  map_ = new MapPage(service_.get(), pages);
  search_ = new SearchPage(service_.get(), pages);
  tags_ = new TagsPage(service_.get(), pages);
  custody_ = new CustodyPage(service_.get(), pages);
  for (Page* p : std::initializer_list<Page*>{evidence_, artifacts_, conversations_, timeline_, map_, search_,
                                              tags_, custody_}) {
    pages->addWidget(p);
    connect(p, &Page::status, this, [this](const QString& s) { setStatus(s, true); });
  }
  h->addWidget(nav_);
  h->addWidget(pages, 1);
  connect(nav_, &QListWidget::currentRowChanged, pages, &QStackedWidget::setCurrentIndex);
  stack_->addWidget(workspace_);
  stack_->setCurrentWidget(workspace_);

  provenance_ = new ProvenancePane(service_.get(), this);
  provenance_dock_ = new QDockWidget(tr("Provenance"), this);
  provenance_dock_->setObjectName(QStringLiteral("provenanceDock"));
  provenance_dock_->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
  provenance_dock_->setWidget(provenance_);
  provenance_dock_->setMinimumWidth(380);
  addDockWidget(Qt::RightDockWidgetArea, provenance_dock_);
  resizeDocks({provenance_dock_}, {420}, Qt::Horizontal);
  for (Page* p : std::initializer_list<Page*>{artifacts_, conversations_, timeline_, map_, search_, tags_})
    connect(p, &Page::artifactSelected, provenance_, &ProvenancePane::showArtifact);
  connect(provenance_, &ProvenancePane::tagResult, this,
          [this](bool ok, const QString& m) { setStatus(m, !ok); });
  connect(conversations_, &ConversationsPage::showInTable, this, [this](const QString& type, qint64 id) {
    showPage(kArtifacts);
    artifacts_->showArtifact(type, id);
  });
  connect(evidence_, &EvidencePage::verifyRequested, this, &MainWindow::verifyEvidence);

  for (auto* a : case_actions_) a->setEnabled(true);
  setWindowTitle(tr("Kanshiki workbench — %1").arg(dir.absolutePath()));
  service_->examinerName().then(this, [this](const Outcome<QString>& n) {
    examiner_label_->setText(
        n.ok() ? tr("Examiner: %1").arg(n.value)
               : tr("No examiner identity: tags are disabled (run kanshiki examiner init)"));
  });
  addRecent(dir.absolutePath());
  nav_->setCurrentRow(kEvidence);
  Q_EMIT caseOpened(dir.absolutePath());
  return true;
}

QString MainWindow::caseDir() const {
  return service_ ? QString::fromStdString(service_->caseDir().string()) : QString();
}

void MainWindow::showPage(PageId page) {
  if (nav_) nav_->setCurrentRow(page);
}

MainWindow::PageId MainWindow::currentPage() const { return nav_ ? PageId(nav_->currentRow()) : kEvidence; }

bool MainWindow::busy() const {
  if (!service_) return false;
  Page* pages[] = {evidence_, artifacts_, conversations_, timeline_, map_, search_, tags_, custody_};
  return pages[currentPage()]->busy() || provenance_->model()->isLoading();
}

ReportWizard* MainWindow::openReportWizard() {
  if (!service_) return nullptr;
  auto* w = new ReportWizard(service_->caseDir(), this);
  w->setAttribute(Qt::WA_DeleteOnClose);
  connect(w, &ReportWizard::reportFinished, this, [this](bool ok, const QString& path, const QString& log) {
    setStatus(ok ? tr("Report written: %1").arg(path)
                 : tr("Report failed: %1").arg(log.trimmed().section('\n', -1)),
              !ok);
    if (custody_) custody_->model()->reload();
  });
  w->show();
  return w;
}

void MainWindow::runJob(const QString& title, const QStringList& arguments,
                        std::function<void(int, const QString&)> done) {
  if (job_ && job_->running()) {
    setStatus(tr("“%1” is still running; wait for it or cancel it").arg(job_->title()), true);
    return;
  }
  auto* job = new CliJob(title, arguments, this);
  job_ = job;
  job_label_->setText(tr("%1…").arg(title));
  job_progress_->show();
  job_cancel_->show();
  connect(job, &CliJob::outputLine, this, [this, title](const QString& line) {
    job_label_->setText(title + QStringLiteral(": ") + line.left(120));
  });
  connect(job, &CliJob::finished, this, [this, job, title, done](int code, const QString& output) {
    job_progress_->hide();
    job_cancel_->hide();
    bool ok = code == 0 || code == 10;
    setStatus(
        code < 0 ? tr("%1 cancelled or failed to start").arg(title)
        : ok
            ? tr("%1 finished (%2 s)").arg(title).arg(job->elapsedMs() / 1000.0, 0, 'f', 1)
            : tr("%1 failed (exit code %2): %3").arg(title).arg(code).arg(output.trimmed().section('\n', -1)),
        !ok);
    if (done) done(code, output);
    if (custody_) custody_->model()->reload();
    job->deleteLater();
  });
  job->start();
}

void MainWindow::setStatus(const QString& text, bool error) {
  job_label_->setText(text);
  job_label_->setStyleSheet(error ? QStringLiteral("color:#C62828") : QString());
}

void MainWindow::chooseCase() {
  QString d = QFileDialog::getExistingDirectory(this, tr("Open case folder"));
  if (!d.isEmpty()) openCase(d);
}

void MainWindow::newCase() {
  QString d = QFileDialog::getSaveFileName(this, tr("New case folder"));
  if (d.isEmpty()) return;
  bool ok = false;
  QString number = QInputDialog::getText(this, tr("New case"), tr("Case number"), QLineEdit::Normal,
                                         QFileInfo(d).fileName(), &ok);
  if (!ok) return;
  runJob(tr("Create case"),
         {QStringLiteral("--quiet"), QStringLiteral("case"), QStringLiteral("create"),
          QStringLiteral("--case"), d, QStringLiteral("--number"), number},
         [this, d](int code, const QString&) {
           if (code == 0) openCase(d);
         });
}

void MainWindow::ingestEvidence() {
  QDialog dlg(this);
  dlg.setWindowTitle(tr("Ingest evidence"));
  auto* form = new QFormLayout(&dlg);
  auto* path = new QLineEdit(&dlg);
  auto* pick_file = new QPushButton(tr("File…"), &dlg);
  auto* pick_dir = new QPushButton(tr("Folder…"), &dlg);
  auto* row = new QHBoxLayout;
  row->addWidget(path, 1);
  row->addWidget(pick_file);
  row->addWidget(pick_dir);
  form->addRow(tr("Evidence"), row);
  auto* exhibit = new QLineEdit(&dlg);
  auto* label = new QLineEdit(&dlg);
  form->addRow(tr("Exhibit number"), exhibit);
  form->addRow(tr("Label"), label);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dlg);
  form->addRow(buttons);
  connect(pick_file, &QPushButton::clicked, &dlg,
          [&] { path->setText(QFileDialog::getOpenFileName(&dlg, tr("Evidence file"))); });
  connect(pick_dir, &QPushButton::clicked, &dlg,
          [&] { path->setText(QFileDialog::getExistingDirectory(&dlg, tr("Evidence folder"))); });
  connect(buttons, &QDialogButtonBox::accepted, &dlg, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, &dlg, &QDialog::reject);
  if (dlg.exec() != QDialog::Accepted || path->text().isEmpty()) return;
  QStringList args{QStringLiteral("--quiet"), QStringLiteral("ingest"), path->text(),
                   QStringLiteral("--case"), caseDir()};
  if (!exhibit->text().isEmpty()) args << QStringLiteral("--exhibit") << exhibit->text();
  if (!label->text().isEmpty()) args << QStringLiteral("--label") << label->text();
  runJob(tr("Ingest"), args, [this](int, const QString&) { evidence_->reload(); });
}

void MainWindow::processCase() {
  runJob(tr("Process"),
         {QStringLiteral("--quiet"), QStringLiteral("process"), QStringLiteral("--case"), caseDir()},
         [this](int, const QString&) {
           // New artifacts: reopen the case so every view starts from the new data.
           QString d = caseDir();
           QTimer::singleShot(0, this, [this, d] { openCase(d); });
         });
}

void MainWindow::verifyEvidence() {
  runJob(tr("Verify evidence"),
         {QStringLiteral("--quiet"), QStringLiteral("verify"), QStringLiteral("--case"), caseDir()},
         [this](int, const QString&) { evidence_->reload(); });
}

void MainWindow::openSettings() {
  QDialog dlg(this);
  dlg.setWindowTitle(tr("Settings"));
  auto* form = new QFormLayout(&dlg);
  auto* lang = new QComboBox(&dlg);
  lang->addItem(QStringLiteral("日本語"), QStringLiteral("ja"));
  lang->addItem(QStringLiteral("English"), QStringLiteral("en"));
  QSettings s;
  lang->setCurrentIndex(
      std::max(0, lang->findData(s.value(QStringLiteral("ui/language"), QStringLiteral("ja")))));
  form->addRow(tr("Language"), lang);
  auto* device_zone = new QLineEdit(QString::fromLatin1(TimeDisplay::instance().deviceZoneId()), &dlg);
  device_zone->setToolTip(
      tr("IANA zone of the seized device, e.g. Asia/Tokyo, used when times are shown in the device zone"));
  form->addRow(tr("Device time zone"), device_zone);
  auto* tiles = new QLineEdit(s.value(QStringLiteral("map/mbtiles")).toString(), &dlg);
  tiles->setPlaceholderText(tr("Optional: an MBTiles file of raster tiles (offline)"));
  form->addRow(tr("Map tiles (MBTiles)"), tiles);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dlg);
  form->addRow(buttons);
  connect(buttons, &QDialogButtonBox::accepted, &dlg, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, &dlg, &QDialog::reject);
  if (dlg.exec() != QDialog::Accepted) return;
  s.setValue(QStringLiteral("ui/deviceZone"), device_zone->text().trimmed());
  TimeDisplay::instance().setDeviceZoneId(device_zone->text().trimmed().toLatin1());
  zone_->setItemText(2,
                     tr("Device zone (%1)").arg(QString::fromLatin1(TimeDisplay::instance().deviceZoneId())));
  s.setValue(QStringLiteral("map/mbtiles"), tiles->text().trimmed());
  if (map_) map_->canvas()->setMbtiles(tiles->text().trimmed());
  QString new_lang = lang->currentData().toString();
  if (new_lang != s.value(QStringLiteral("ui/language"), QStringLiteral("ja")).toString()) {
    s.setValue(QStringLiteral("ui/language"), new_lang);
    Q_EMIT languageChangeRequested(new_lang);
  }
}

void MainWindow::addRecent(const QString& dir) {
  QSettings s;
  QStringList r = s.value(QLatin1String(kRecentKey)).toStringList();
  r.removeAll(dir);
  r.prepend(dir);
  while (r.size() > 10) r.removeLast();
  s.setValue(QLatin1String(kRecentKey), r);
  updateRecentMenu();
}

void MainWindow::updateRecentMenu() {
  recent_menu_->clear();
  for (const QString& r : QSettings().value(QLatin1String(kRecentKey)).toStringList())
    recent_menu_->addAction(r, this, [this, r] { openCase(r); });
  recent_menu_->setEnabled(!recent_menu_->isEmpty());
}

void MainWindow::captureScreenshots(const QString& dir, std::function<void(QStringList)> done) {
  QDir().mkpath(dir);
  struct Shot {
    QString name;
    std::function<void()> prepare;
  };
  auto shots = std::make_shared<QVector<Shot>>();
  auto saved = std::make_shared<QStringList>();
  shots->push_back({QStringLiteral("evidence"), [this] { showPage(kEvidence); }});
  shots->push_back({QStringLiteral("artifacts"), [this] {
                      showPage(kArtifacts);
                      artifacts_->setType(QStringLiteral("message"));
                      QTimer::singleShot(300, this, [this] { artifacts_->table()->selectRow(3); });
                    }});
  shots->push_back({QStringLiteral("conversation"), [this] {
                      showPage(kConversations);
                      auto* t = conversations_->threads();
                      for (int r = 0; r < t->rowCount(); ++r)
                        if (t->valueAt(r, kThreadKey).toString().endsWith(QLatin1String("@g.us")))
                          conversations_->selectThread(r);
                    }});
  shots->push_back({QStringLiteral("timeline"), [this] { showPage(kTimeline); }});
  shots->push_back({QStringLiteral("map"), [this] { showPage(kMap); }});
  shots->push_back({QStringLiteral("search"), [this] {
                      showPage(kSearch);
                      search_->search(QStringLiteral("受け子"));
                    }});
  shots->push_back({QStringLiteral("custody"), [this] { showPage(kCustody); }});
  auto step = std::make_shared<std::function<void(int)>>();
  *step = [this, shots, saved, dir, done, step](int i) {
    if (i >= shots->size()) {
      done(*saved);
      return;
    }
    (*shots)[i].prepare();
    // Wait until the page has its data (bounded), then a little for painting.
    auto waited = std::make_shared<int>(0);
    auto poll = std::make_shared<std::function<void()>>();
    *poll = [this, shots, saved, dir, step, i, waited, poll] {
      if ((busy() && *waited < 100) || *waited < 6) {
        ++*waited;
        QTimer::singleShot(50, this, *poll);
        return;
      }
      QString file =
          QDir(dir).filePath(QStringLiteral("%1-%2.png").arg(i + 1, 2, 10, QChar('0')).arg((*shots)[i].name));
      grab().save(file);
      saved->append(file);
      QTimer::singleShot(0, this, [step, i] { (*step)(i + 1); });
    };
    QTimer::singleShot(50, this, *poll);
  };
  (*step)(0);
}

}  // namespace kanshiki::gui
