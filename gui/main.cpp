// kanshiki-gui: the examiner's workbench.
//   kanshiki-gui [CASE] [--lang ja|en] [--page artifacts] [--screenshot DIR] [--bench]
// --screenshot saves PNGs of the main views of CASE into DIR and exits (scripts/screenshots runs it under
// xvfb-run). --bench prints first-paint and event-loop stall measurements as JSON and exits
// (bench/bench_gui_open).
#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFontDatabase>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLibraryInfo>
#include <QLineEdit>
#include <QPointer>
#include <QRandomGenerator>
#include <QScrollBar>
#include <QSettings>
#include <QStyleFactory>
#include <QTimer>
#include <QTranslator>
#include <iostream>

#include "gui/main_window.h"
#include "gui/models/case_models.h"
#include "gui/models/time_display.h"
#include "gui/pages.h"

using namespace kanshiki::gui;

namespace {

QElapsedTimer g_since_start;

void install_translators(QApplication& app, const QString& lang) {
  static QTranslator* ours = nullptr;
  static QTranslator* qt = nullptr;
  for (QTranslator** t : {&ours, &qt}) {
    if (*t) {
      app.removeTranslator(*t);
      delete *t;
      *t = nullptr;
    }
  }
  ours = new QTranslator(&app);
  if (ours->load(QStringLiteral(":/i18n/kanshiki_%1.qm").arg(lang))) app.installTranslator(ours);
  qt = new QTranslator(&app);
  if (qt->load(QStringLiteral("qtbase_%1").arg(lang), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
    app.installTranslator(qt);
}

void apply_look(QApplication& app) {
  app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
  // Noto Sans CJK JP covers Japanese and Latin evenly (fonts-noto-cjk); fall back to the system font.
  QFont f(QStringLiteral("Noto Sans CJK JP"));
  f.setPointSizeF(10);
  f.setStyleHint(QFont::SansSerif);
  app.setFont(f);
  app.setStyleSheet(QStringLiteral(
      "QMainWindow { background: #F5F7FA; }"
      "QListWidget#navigation { background: #1F2A37; color: #E5E7EB; border: none; font-size: 11pt; "
      "padding-top: 8px; }"
      "QListWidget#navigation::item { padding: 9px 12px; }"
      "QListWidget#navigation::item:selected { background: #1F4E79; color: white; border-left: 4px solid "
      "#F59E0B; }"
      "QListWidget#artifactTypes { background: white; border: 1px solid #D8DEE6; }"
      "QListWidget#artifactTypes::item { padding: 6px 8px; }"
      "QListWidget#artifactTypes::item:selected { background: #DCE8F5; color: #0F2F4F; }"
      "QLabel#pageHeading { font-size: 13pt; font-weight: 600; color: #1F4E79; padding: 4px 0; }"
      "QTableView { background: white; alternate-background-color: #F7F9FB; gridline-color: #E5E9EF;"
      "  selection-background-color: #CFE2F6; selection-color: #0B1F33; border: 1px solid #D8DEE6; }"
      "QHeaderView::section { background: #EDF1F5; color: #334155; padding: 5px 6px; border: none;"
      "  border-right: 1px solid #D8DEE6; border-bottom: 1px solid #D8DEE6; font-weight: 600; }"
      "QToolBar#mainToolbar { background: #FFFFFF; border-bottom: 1px solid #D8DEE6; spacing: 6px; padding: "
      "4px; }"
      "QToolBar#mainToolbar QToolButton { padding: 5px 10px; border-radius: 4px; }"
      "QToolBar#mainToolbar QToolButton:hover { background: #E8EEF5; }"
      "QPushButton { padding: 5px 12px; }"
      "QDockWidget::title { background: #EDF1F5; padding: 6px; font-weight: 600; }"
      "QStatusBar { background: #FFFFFF; border-top: 1px solid #D8DEE6; }"));
}

// Measures what the examiner feels on a big case: time to the first painted rows, and the longest gap
// between event-loop ticks while scrolling, filtering and sorting (a gap = the UI could not respond).
class Bench : public QObject {
 public:
  Bench(MainWindow* w) : w_(w) {
    tick_.setTimerType(Qt::PreciseTimer);
    tick_.setInterval(2);
    connect(&tick_, &QTimer::timeout, this, [this] {
      qint64 now = clock_.nsecsElapsed();
      if (last_ > 0) max_gap_ns_ = std::max(max_gap_ns_, now - last_);
      last_ = now;
    });
    w_->artifactsPage()->table()->viewport()->installEventFilter(this);
  }

 protected:
  bool eventFilter(QObject*, QEvent* e) override {
    if (e->type() == QEvent::Paint && first_paint_ms_ < 0 && w_->artifactsPage()->model() &&
        w_->artifactsPage()->model()->rowCount() > 0) {
      first_paint_ms_ = g_since_start.elapsed();
      QTimer::singleShot(0, this, [this] { startScrolling(); });
    }
    return false;
  }

 private:
  void startPhase() {
    clock_.start();
    last_ = 0;
    max_gap_ns_ = 0;
    tick_.start();
  }
  double endPhase() {
    tick_.stop();
    return max_gap_ns_ / 1e6;
  }
  void waitIdle(std::function<void()> then) {
    auto* m = w_->artifactsPage()->model();
    if (m->isLoading() || !m->countKnown()) {
      QTimer::singleShot(5, this, [this, then] { waitIdle(then); });
      return;
    }
    then();
  }
  void startScrolling() {
    waitIdle([this] {
      rows_ = w_->artifactsPage()->model()->rowCount();
      count_ms_ = g_since_start.elapsed();
      startPhase();
      auto* bar = w_->artifactsPage()->table()->verticalScrollBar();
      auto n = std::make_shared<int>(0);
      auto* t = new QTimer(this);
      connect(t, &QTimer::timeout, this, [this, bar, n, t] {
        // Jumps anywhere (scrollbar drags) and small steps (wheel), alternating.
        if (*n % 2 == 0)
          bar->setValue(QRandomGenerator::global()->bounded(std::max(1, bar->maximum())));
        else
          bar->setValue(std::min(bar->maximum(), bar->value() + 20));
        if (++*n == 80) {
          t->stop();
          QTimer::singleShot(300, this, [this] {
            scroll_ms_ = endPhase();
            startFiltering();
          });
        }
      });
      t->start(25);
    });
  }
  void startFiltering() {
    startPhase();
    auto* edit = w_->artifactsPage()->findChild<QLineEdit*>(QStringLiteral("artifactFilter"));
    const QString word = QStringLiteral("ホワイト案件");
    auto i = std::make_shared<int>(0);
    auto* t = new QTimer(this);
    connect(t, &QTimer::timeout, this, [this, edit, word, i, t] {
      edit->setText(word.left(++*i));
      if (*i == word.size()) {
        t->stop();
        QTimer::singleShot(400, this, [this] {
          waitIdle([this] {
            filtered_rows_ = w_->artifactsPage()->model()->rowCount();
            filter_ms_ = endPhase();
            edit_clear();
          });
        });
      }
    });
    t->start(120);
  }
  void edit_clear() {
    startPhase();
    w_->artifactsPage()->findChild<QLineEdit*>(QStringLiteral("artifactFilter"))->clear();
    auto* table = w_->artifactsPage()->table();
    int text_col = w_->artifactsPage()->model()->columnIndex(QStringLiteral("sender_name"));
    table->sortByColumn(std::max(0, text_col), Qt::DescendingOrder);
    QTimer::singleShot(400, this, [this] {
      waitIdle([this] {
        sort_ms_ = endPhase();
        startConversation();
      });
    });
  }
  // Conversations: the thread list groups every message (background), then the largest thread opens and
  // its bubbles are scrolled through.
  void startConversation() {
    startPhase();
    w_->showPage(MainWindow::kConversations);
    auto* page = w_->conversationsPage();
    auto wait_threads = std::make_shared<std::function<void()>>();
    *wait_threads = [this, page, wait_threads] {
      if (page->threads()->isLoading() || page->threads()->rowCount() == 0) {
        QTimer::singleShot(5, this, *wait_threads);
        return;
      }
      threads_ms_ = clock_.elapsed();
      int biggest = 0;
      for (int r = 0; r < page->threads()->rowCount(); ++r)
        if (page->threads()->valueAt(r, kThreadMessages).toLongLong() >
            page->threads()->valueAt(biggest, kThreadMessages).toLongLong())
          biggest = r;
      thread_messages_ = page->threads()->valueAt(biggest, kThreadMessages).toLongLong();
      page->selectThread(biggest);
      auto n = std::make_shared<int>(0);
      auto* t = new QTimer(this);
      connect(t, &QTimer::timeout, this, [this, page, n, t] {
        auto* bar = page->view()->verticalScrollBar();
        bar->setValue(*n % 2 ? QRandomGenerator::global()->bounded(std::max(1, bar->maximum()))
                             : std::min(bar->maximum(), bar->value() + 400));
        if (++*n == 60) {
          t->stop();
          QTimer::singleShot(300, this, [this] {
            conversation_ms_ = endPhase();
            finish();
          });
        }
      });
      t->start(25);
    };
    (*wait_threads)();
  }
  void finish() {
    QJsonObject r{{"rows", rows_},
                  {"first_paint_ms", first_paint_ms_},
                  {"count_known_ms", count_ms_},
                  {"max_stall_scroll_ms", scroll_ms_},
                  {"max_stall_filter_ms", filter_ms_},
                  {"filtered_rows", filtered_rows_},
                  {"max_stall_sort_ms", sort_ms_},
                  {"thread_list_ms", threads_ms_},
                  {"largest_thread_messages", thread_messages_},
                  {"max_stall_conversation_ms", conversation_ms_}};
    std::cout << QJsonDocument(r).toJson(QJsonDocument::Compact).toStdString() << std::endl;
    qApp->quit();
  }

  MainWindow* w_;
  QTimer tick_;
  QElapsedTimer clock_;
  qint64 last_ = 0, max_gap_ns_ = 0;
  qint64 first_paint_ms_ = -1, count_ms_ = 0;
  int rows_ = 0, filtered_rows_ = 0;
  double scroll_ms_ = 0, filter_ms_ = 0, sort_ms_ = 0, conversation_ms_ = 0;
  qint64 threads_ms_ = 0, thread_messages_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  g_since_start.start();
  QApplication app(argc, argv);
  QCoreApplication::setOrganizationName(QStringLiteral("Kanshiki"));
  QCoreApplication::setApplicationName(QStringLiteral("kanshiki-gui"));
  QCommandLineParser cli;
  cli.setApplicationDescription(QStringLiteral("Kanshiki workbench"));
  cli.addHelpOption();
  cli.addPositionalArgument(QStringLiteral("case"), QStringLiteral("Case folder to open"));
  QCommandLineOption lang_opt(QStringLiteral("lang"), QStringLiteral("UI language: ja or en"),
                              QStringLiteral("lang"));
  QCommandLineOption page_opt(QStringLiteral("page"),
                              QStringLiteral("Page to show first (artifacts, conversations, ...)"),
                              QStringLiteral("page"));
  QCommandLineOption shot_opt(QStringLiteral("screenshot"),
                              QStringLiteral("Save PNGs of the main views into DIR and exit"),
                              QStringLiteral("dir"));
  QCommandLineOption bench_opt(QStringLiteral("bench"),
                               QStringLiteral("Measure first paint and event-loop stalls, print JSON, exit"));
  cli.addOptions({lang_opt, page_opt, shot_opt, bench_opt});
  cli.process(app);

  QSettings settings;
  QString lang = cli.isSet(lang_opt)
                     ? cli.value(lang_opt)
                     : settings.value(QStringLiteral("ui/language"), QStringLiteral("ja")).toString();
  if (cli.isSet(lang_opt)) settings.setValue(QStringLiteral("ui/language"), lang);
  install_translators(app, lang);
  apply_look(app);
  TimeDisplay::instance().setDeviceZoneId(
      settings.value(QStringLiteral("ui/deviceZone"), QStringLiteral("Asia/Tokyo")).toString().toLatin1());
  TimeDisplay::instance().setMode(
      static_cast<ZoneMode>(settings.value(QStringLiteral("ui/zone"), int(ZoneMode::jst)).toInt()));

  const QString case_dir = cli.positionalArguments().value(0);
  QPointer<MainWindow> window;
  std::function<void()> make_window;
  make_window = [&] {
    QString open = window ? window->caseDir() : case_dir;
    QByteArray geometry = window ? window->saveGeometry() : QByteArray();
    if (window) window->deleteLater();
    window = new MainWindow;
    window->setAttribute(Qt::WA_DeleteOnClose);
    QObject::connect(window, &MainWindow::languageChangeRequested, &app, [&](const QString& l) {
      install_translators(app, l);
      QTimer::singleShot(0, &app, make_window);  // rebuild the window in the new language
    });
    if (!geometry.isEmpty()) window->restoreGeometry(geometry);
    if (!open.isEmpty() && !window->openCase(open) && (cli.isSet(shot_opt) || cli.isSet(bench_opt))) {
      std::cerr << "kanshiki-gui: not a case folder: " << open.toStdString() << std::endl;
      std::exit(7);
    }
  };
  make_window();

  if (cli.isSet(page_opt) && window->artifactsPage()) {
    const QString p = cli.value(page_opt);
    const char* names[] = {"evidence", "artifacts", "conversations", "timeline",
                           "map",      "search",    "tags",          "custody"};
    for (int i = 0; i < MainWindow::kPageCount; ++i)
      if (p == QLatin1String(names[i])) window->showPage(MainWindow::PageId(i));
  }
  if (cli.isSet(bench_opt)) {
    if (!window->artifactsPage()) return 7;
    window->showPage(MainWindow::kArtifacts);
    new Bench(window);
  }
  if (cli.isSet(shot_opt)) {
    window->resize(1500, 920);
    window->show();
    QTimer::singleShot(200, window, [&] {
      window->captureScreenshots(cli.value(shot_opt), [](const QStringList& files) {
        for (const QString& f : files) std::cout << f.toStdString() << std::endl;
        qApp->quit();
      });
    });
    return app.exec();
  }
  window->show();
  return app.exec();
}
