// The workbench end to end, offscreen, on the demo case: open it, select a thread, search a Japanese word,
// tag a message (the custody log gains a signed "tag" entry), write a report, switch the UI to Japanese.
#include <QApplication>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTranslator>
#include <QtTest>

#include "gui/main_window.h"
#include "gui/models/time_display.h"
#include "gui/pages.h"
#include "gui/report_wizard.h"
#include "gui_test_support.h"

using namespace kanshiki::gui;

class WidgetTests : public QObject {
  Q_OBJECT
  QTemporaryDir settings_dir_;
  std::filesystem::path case_;
  std::unique_ptr<MainWindow> window_;

  static int rowOfGroupThread(SnapshotModel* threads) {
    for (int r = 0; r < threads->rowCount(); ++r)
      if (threads->valueAt(r, kThreadKey).toString().endsWith(QLatin1String("@g.us"))) return r;
    return -1;
  }

 private Q_SLOTS:
  void initTestCase() {
    // Settings (recent cases, language) go to a throw-away folder, not the user's.
    qputenv("XDG_CONFIG_HOME", settings_dir_.path().toUtf8());
    QCoreApplication::setOrganizationName(QStringLiteral("KanshikiTest"));
    case_ = test::demo_case();
    window_ = std::make_unique<MainWindow>();
    window_->resize(1400, 900);
  }

  void openCase() {
    QVERIFY(!window_->openCase(QStringLiteral("/nonexistent/case")));
    QVERIFY(window_->openCase(QString::fromStdString(case_.string())));
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    QTRY_COMPARE_WITH_TIMEOUT(window_->evidencePage()->evidenceModel()->rowCount(), 2, 20000);
    QVERIFY(QSettings()
                .value(QStringLiteral("recentCases"))
                .toStringList()
                .contains(QString::fromStdString(case_.string())));
  }

  void selectThread() {
    window_->showPage(MainWindow::kConversations);
    auto* page = window_->conversationsPage();
    QTRY_VERIFY_WITH_TIMEOUT(page->threads()->rowCount() > 0, 20000);
    int group = rowOfGroupThread(page->threads());
    QVERIFY(group >= 0);
    page->selectThread(group);
    QVERIFY(page->conversation());
    QTRY_COMPARE_WITH_TIMEOUT(page->conversation()->rowCount(),
                              page->threads()->valueAt(group, kThreadMessages).toInt(), 20000);
    QTRY_VERIFY(page->conversation()->artifactId(0) > 0);
    // Selecting a bubble shows its provenance.
    page->view()->setCurrentIndex(page->conversation()->index(0, 0));
    QTRY_COMPARE(window_->provenance()->artifactId(), page->conversation()->artifactId(0));
    QTRY_VERIFY(window_->provenance()->model()->rowCount() > 10);
  }

  void searchJapanese() {
    window_->showPage(MainWindow::kSearch);
    auto* page = window_->searchPage();
    QSignalSpy logged(page, &SearchPage::searchLogged);
    page->search(QStringLiteral("ホワイト案件"));
    QTRY_VERIFY_WITH_TIMEOUT(!page->results()->isLoading() && page->results()->rowCount() >= 1, 20000);
    QTRY_VERIFY(page->results()
                    ->data(page->results()->index(0, kTimelineSummary))
                    .toString()
                    .contains(QStringLiteral("ホワイト案件")));
    QTRY_COMPARE_WITH_TIMEOUT(logged.count(), 1, 20000);  // the search is in the custody log
  }

  void tagMessage() {
    window_->showPage(MainWindow::kArtifacts);
    auto* page = window_->artifactsPage();
    page->setType(QStringLiteral("message"));
    QTRY_VERIFY_WITH_TIMEOUT(page->model()->rowCount() > 0 && page->model()->artifactId(2) > 0, 20000);
    page->table()->selectRow(2);
    const qint64 id = page->model()->artifactId(2);
    QTRY_COMPARE(window_->provenance()->artifactId(), id);
    auto* custody = window_->custodyPage()->model();
    custody->reload();  // settle any reload still on its way (the search entry)
    QTRY_VERIFY_WITH_TIMEOUT(!custody->isLoading(), 20000);
    const int before = custody->rowCount();
    auto* tags = window_->tagsPage()->model();
    tags->reload();  // pages load when first shown; this one has not been
    QTRY_VERIFY_WITH_TIMEOUT(!tags->isLoading(), 20000);
    const int tags_before = tags->rowCount();
    QSignalSpy result(window_->provenance(), &ProvenancePane::tagResult);
    window_->provenance()->addTag(QStringLiteral("重要"), QStringLiteral("指示役からの連絡"));
    QTRY_COMPARE_WITH_TIMEOUT(result.count(), 1, 20000);
    QVERIFY2(result.at(0).at(0).toBool(), qPrintable(result.at(0).at(1).toString()));
    // The custody view reloads itself: a new signed "tag" entry at the end, and the chain still verifies.
    QTRY_COMPARE_WITH_TIMEOUT(custody->rowCount(), before + 1, 20000);
    QCOMPARE(custody->valueAt(custody->rowCount() - 1, 3).toString(), QStringLiteral("tag"));
    window_->custodyPage()->verify();
    QTRY_VERIFY_WITH_TIMEOUT(!window_->custodyPage()->busy() && window_->custodyPage()->verified(), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(tags->rowCount(), tags_before + 1, 20000);
    QCOMPARE(tags->valueAt(tags_before, 0).toString(), QStringLiteral("重要"));
  }

  void jumpFromConversationToTable() {
    window_->showPage(MainWindow::kConversations);
    auto* conv = window_->conversationsPage();
    const qint64 id = conv->conversation()->artifactId(0);
    Q_EMIT conv->showInTable(QStringLiteral("message"), id);
    QTRY_COMPARE_WITH_TIMEOUT(window_->currentPage(), MainWindow::kArtifacts, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(window_->artifactsPage()->table()->currentArtifactId(), id, 20000);
  }

  void exportReport() {
    QTemporaryDir out;
    ReportWizard* wizard = window_->openReportWizard();
    QVERIFY(wizard);
    ReportRequest r;
    r.lang = QStringLiteral("ja");
    r.output = out.filePath(QStringLiteral("report.html"));
    wizard->setRequest(r);
    QSignalSpy done(wizard, &ReportWizard::reportFinished);
    wizard->runReport();
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 120000);
    QVERIFY2(done.at(0).at(0).toBool(), qPrintable(done.at(0).at(2).toString()));
    QFile f(r.output);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(QString::fromUtf8(f.readAll()).contains(QStringLiteral("DEMO-2024-001")));
    wizard->close();
  }

  // Long work runs as the CLI in the background: verify finishes and the evidence view shows the result;
  // a cancelled job reports -1 and leaves the UI usable.
  void backgroundJobs() {
    int code = -2;
    window_->runJob(QStringLiteral("Verify"),
                    {QStringLiteral("--quiet"), QStringLiteral("verify"), QStringLiteral("--case"),
                     QString::fromStdString(case_.string())},
                    [&code](int c, const QString&) { code = c; });
    QTRY_COMPARE_WITH_TIMEOUT(code, 0, 60000);
    auto* label = window_->evidencePage()->findChild<QLabel*>(QStringLiteral("verifyStatus"));
    QVERIFY(label);
    QTRY_VERIFY_WITH_TIMEOUT(label->text().startsWith(QStringLiteral("✔")), 20000);
    int cancelled = -2;
    window_->runJob(QStringLiteral("Verify"),
                    {QStringLiteral("--quiet"), QStringLiteral("verify"), QStringLiteral("--case"),
                     QString::fromStdString(case_.string())},
                    [&cancelled](int c, const QString&) { cancelled = c; });
    QVERIFY(window_->currentJob());
    window_->currentJob()->cancel();
    QTRY_COMPARE_WITH_TIMEOUT(cancelled, -1, 20000);
  }

  void japaneseUi() {
    QTranslator ja;
    QVERIFY(ja.load(QStringLiteral(":/i18n/kanshiki_ja.qm")));
    QVERIFY(qApp->installTranslator(&ja));
    MainWindow w;
    QVERIFY(w.openCase(QString::fromStdString(case_.string())));
    auto* nav = w.findChild<QListWidget*>(QStringLiteral("navigation"));
    QVERIFY(nav);
    QCOMPARE(nav->item(MainWindow::kEvidence)->text(), QStringLiteral("証拠品"));
    QCOMPARE(w.menuBar()->actions().at(0)->text(), QStringLiteral("事件(&C)"));
    qApp->removeTranslator(&ja);
  }

  void cleanupTestCase() { window_.reset(); }
};

QTEST_MAIN(WidgetTests)
#include "test_gui_widgets.moc"
