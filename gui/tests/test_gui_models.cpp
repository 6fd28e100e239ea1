// Every workbench model and its loaders on the demo case, each under QAbstractItemModelTester (which checks
// the model's invariants on every signal), plus paging on a synthetic case larger than the page cache.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "core/case_db.h"
#include "gui/models/case_models.h"
#include "gui/models/case_service.h"
#include "gui/models/time_display.h"
#include "gui_test_support.h"

using namespace kanshiki;
using namespace kanshiki::gui;

namespace {

std::filesystem::path db_of(const std::filesystem::path& c) { return c / "case.db"; }

void wait_loaded(SqlWindowModel& m) {
  QTRY_VERIFY_WITH_TIMEOUT(!m.isLoading(), 20000);
  QVERIFY2(m.lastError().isEmpty(), qPrintable(m.lastError()));
}
void wait_loaded(SnapshotModel& m) {
  QTRY_VERIFY_WITH_TIMEOUT(!m.isLoading(), 20000);
  QVERIFY2(m.lastError().isEmpty(), qPrintable(m.lastError()));
}

// Reads every row's column `c` (waiting for pages to arrive) and returns the display texts.
QStringList column_texts(SqlWindowModel& m, int c) {
  QStringList out;
  for (int r = 0; r < m.rowCount(); ++r) {
    QModelIndex i = m.index(r, c);
    if (m.artifactId(r) < 0) QTest::qWaitFor([&] { return m.artifactId(r) >= 0; }, 10000);
    out << m.data(i).toString();
  }
  return out;
}

}  // namespace

class ModelTests : public QObject {
  Q_OBJECT
  std::filesystem::path case_;

 private Q_SLOTS:
  void initTestCase() {
    case_ = test::demo_case();
    TimeDisplay::instance().setMode(ZoneMode::jst);
  }

  void artifactTableMessages() {
    SqlWindowModel m(db_of(case_), artifact_spec("message"));
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m.refresh();
    wait_loaded(m);
    QCOMPARE(m.rowCount(), 74);
    // Time column: shown in the chosen zone, labelled.
    QVERIFY(m.data(m.index(0, 0)).toString().endsWith(" JST"));
    QVERIFY(m.headerData(0, Qt::Horizontal).toString().contains("JST"));
    // Filter (Japanese substring) and sort run in SQL.
    m.setFilterText(QStringLiteral("ホワイト案件"));
    wait_loaded(m);
    QVERIFY(m.rowCount() >= 1 && m.rowCount() < 74);
    int text = m.columnIndex("text");
    QVERIFY(text > 0);
    for (const QString& t : column_texts(m, text))
      QVERIFY2(t.contains(QStringLiteral("ホワイト案件")), qPrintable(t));
    m.setFilterText(QString());
    m.sort(m.columnIndex("sender_name"), Qt::DescendingOrder);
    wait_loaded(m);
    QCOMPARE(m.rowCount(), 74);
    // Zone switch re-labels without reloading.
    TimeDisplay::instance().setMode(ZoneMode::utc);
    QVERIFY(m.data(m.index(0, 0)).toString().endsWith(" UTC"));
    TimeDisplay::instance().setMode(ZoneMode::jst);
  }

  void artifactTableEveryType() {
    for (const auto& t : artifact_types()) {
      SqlWindowModel m(db_of(case_), artifact_spec(t.type));
      QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
      m.refresh();
      wait_loaded(m);
      QVERIFY2(m.columnCount() > 5, qPrintable(t.type));
      if (t.type == "call" || t.type == "contact" || t.type == "web_visit" || t.type == "device_info")
        QVERIFY2(m.rowCount() > 0, qPrintable(t.type));
    }
  }

  // `kanshiki thumbnails` on the demo case: the media browser's thumbnail column decorates each photo with its
  // image (8x8, the sample JPEGs' own size), and shows no text.
  void mediaThumbnails() {
    QString out;
    QCOMPARE(test::run_cli({"thumbnails", "--case", QString::fromStdString(case_.string())}, &out), 0);
    SqlWindowModel m(db_of(case_), artifact_spec("media"));
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    m.refresh();
    wait_loaded(m);
    QCOMPARE(m.rowCount(), 2);
    const int column = m.columnIndex(QStringLiteral("Thumbnail"));
    QVERIFY(column > 0);
    for (int r = 0; r < m.rowCount(); ++r) {
      QTRY_VERIFY_WITH_TIMEOUT(m.data(m.index(r, column), IsLoadedRole).toBool(), 10000);
      const QVariant decoration = m.data(m.index(r, column), Qt::DecorationRole);
      QVERIFY(decoration.canConvert<QImage>());
      const QImage image = decoration.value<QImage>();
      QVERIFY(!image.isNull());
      QCOMPARE(image.size(), QSize(8, 8));
      QVERIFY(m.data(m.index(r, column)).toString().isEmpty());
    }
  }

  void evidenceAndItems() {
    SnapshotModel ev(db_of(case_), evidence_loader());
    QAbstractItemModelTester tester(&ev, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ev.reload();
    wait_loaded(ev);
    QCOMPARE(ev.rowCount(), 2);  // the Android tar and the iOS backup
    SqlWindowModel items(db_of(case_), items_spec(ev.keyAt(0)));
    QAbstractItemModelTester items_tester(&items, QAbstractItemModelTester::FailureReportingMode::QtTest);
    items.refresh();
    wait_loaded(items);
    QVERIFY(items.rowCount() > 3);
    QTRY_COMPARE(items.data(items.index(0, 2)).toString().size(), 64);  // SHA-256 hex
  }

  void threadsAndConversation() {
    SnapshotModel threads(db_of(case_), thread_list_loader());
    QAbstractItemModelTester tester(&threads, QAbstractItemModelTester::FailureReportingMode::QtTest);
    threads.reload();
    wait_loaded(threads);
    QVERIFY(threads.rowCount() >= 10);
    qint64 total = 0;
    for (int r = 0; r < threads.rowCount(); ++r) total += threads.valueAt(r, kThreadMessages).toLongLong();
    QCOMPARE(total, 74);
    // The group chat: its messages in time order.
    int group = -1;
    for (int r = 0; r < threads.rowCount(); ++r)
      if (threads.valueAt(r, kThreadKey).toString().endsWith("@g.us")) group = r;
    QVERIFY(group >= 0);
    SqlWindowModel conv(db_of(case_), conversation_spec(threads.valueAt(group, kThreadEvidence).toLongLong(),
                                                        threads.valueAt(group, kThreadApp).toString(),
                                                        threads.valueAt(group, kThreadKey).toString()));
    QAbstractItemModelTester conv_tester(&conv, QAbstractItemModelTester::FailureReportingMode::QtTest);
    conv.refresh();
    wait_loaded(conv);
    QCOMPARE(conv.rowCount(), threads.valueAt(group, kThreadMessages).toInt());
    QTRY_VERIFY(conv.artifactId(0) > 0);
    qint64 prev = 0;
    for (int r = 0; r < conv.rowCount(); ++r) {
      qint64 t = conv.data(conv.index(r, kConvTime), RawValueRole).toLongLong();
      QVERIFY(t >= prev);
      prev = t;
    }
  }

  void timeline() {
    SnapshotModel hist(db_of(case_), histogram_loader(0, 0, 50));
    QAbstractItemModelTester tester(&hist, QAbstractItemModelTester::FailureReportingMode::QtTest);
    hist.reload();
    wait_loaded(hist);
    QCOMPARE(hist.rowCount(), 50);
    qint64 sum = 0;
    for (int r = 0; r < hist.rowCount(); ++r) sum += hist.valueAt(r, 2).toLongLong();
    SqlWindowModel events(db_of(case_), timeline_spec());
    QAbstractItemModelTester events_tester(&events, QAbstractItemModelTester::FailureReportingMode::QtTest);
    events.refresh();
    wait_loaded(events);
    QCOMPARE(qint64(events.rowCount()), sum);
    // Zoom into the busiest bucket: the histogram and the event list agree on the range.
    int busiest = 0;
    for (int r = 0; r < hist.rowCount(); ++r)
      if (hist.valueAt(r, 2).toLongLong() > hist.valueAt(busiest, 2).toLongLong()) busiest = r;
    qint64 from = hist.valueAt(busiest, 0).toLongLong(), to = hist.valueAt(busiest, 1).toLongLong();
    auto [where, params] = timeline_range(from, to);
    events.setExtraWhere(where, params);
    wait_loaded(events);
    QCOMPARE(qint64(events.rowCount()), hist.valueAt(busiest, 2).toLongLong());
    hist.setLoader(histogram_loader(from, to, 10));
    hist.reload();
    wait_loaded(hist);
    qint64 zoomed = 0;
    for (int r = 0; r < hist.rowCount(); ++r) zoomed += hist.valueAt(r, 2).toLongLong();
    QCOMPARE(zoomed, qint64(events.rowCount()));
  }

  void search() {
    SqlWindowModel m(db_of(case_), search_spec());
    QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    SearchFilter f;
    f.text = QStringLiteral("ホワイト案件");
    auto [where, params] = search_condition(f);
    m.setExtraWhere(where, params);
    wait_loaded(m);
    QVERIFY(m.rowCount() >= 1);
    QTRY_VERIFY(m.data(m.index(0, kTimelineSummary)).toString().contains(QStringLiteral("ホワイト案件")));
    // Two characters: below the trigram size, answered by a scan.
    f.text = QStringLiteral("池袋");
    std::tie(where, params) = search_condition(f);
    m.setExtraWhere(where, params);
    wait_loaded(m);
    int short_hits = m.rowCount();
    QVERIFY(short_hits >= 1);
    // App filter narrows; an app that does not exist gives nothing.
    f.app = QStringLiteral("no-such-app");
    std::tie(where, params) = search_condition(f);
    m.setExtraWhere(where, params);
    wait_loaded(m);
    QCOMPARE(m.rowCount(), 0);
    // Time filter: an empty window.
    f.app.clear();
    f.from_us = 0;
    f.to_us = 1;
    std::tie(where, params) = search_condition(f);
    m.setExtraWhere(where, params);
    wait_loaded(m);
    QCOMPARE(m.rowCount(), 0);
  }

  void custodyAndTags() {
    SnapshotModel custody(db_of(case_), custody_loader());
    QAbstractItemModelTester tester(&custody, QAbstractItemModelTester::FailureReportingMode::QtTest);
    custody.reload();
    wait_loaded(custody);
    const int before = custody.rowCount();
    QVERIFY(before > 3);

    CaseService service(case_);
    auto check = service.verifyCustody();
    QTRY_VERIFY_WITH_TIMEOUT(check.isFinished(), 20000);
    QVERIFY2(check.result().ok(), qPrintable(check.result().error));
    QVERIFY2(check.result().value.ok, qPrintable(check.result().value.summary));

    SnapshotModel tags(db_of(case_), tags_loader());
    QAbstractItemModelTester tags_tester(&tags, QAbstractItemModelTester::FailureReportingMode::QtTest);
    tags.reload();
    wait_loaded(tags);
    const int tags_before = tags.rowCount();  // the demo tags a few findings itself
    SqlWindowModel messages(db_of(case_), artifact_spec("message"));
    messages.refresh();
    wait_loaded(messages);
    QTRY_VERIFY(messages.artifactId(0) > 0);
    auto added =
        service.addTag(messages.artifactId(0), QStringLiteral("重要"), QStringLiteral("受け子の指示"));
    QTRY_VERIFY_WITH_TIMEOUT(added.isFinished(), 20000);
    QVERIFY2(added.result().ok(), qPrintable(added.result().error));
    tags.reload();
    wait_loaded(tags);
    QCOMPARE(tags.rowCount(), tags_before + 1);
    QCOMPARE(tags.valueAt(tags_before, 0).toString(), QStringLiteral("重要"));
    QCOMPARE(tags.valueAt(tags_before, 1).toString(), QStringLiteral("受け子の指示"));
    custody.reload();
    wait_loaded(custody);
    QCOMPARE(custody.rowCount(), before + 1);
    QCOMPARE(custody.valueAt(custody.rowCount() - 1, 3).toString(), QStringLiteral("tag"));

    SnapshotModel prov(db_of(case_), provenance_loader(messages.artifactId(0)));
    QAbstractItemModelTester prov_tester(&prov, QAbstractItemModelTester::FailureReportingMode::QtTest);
    prov.reload();
    wait_loaded(prov);
    QStringList fields;
    for (int r = 0; r < prov.rowCount(); ++r) fields << prov.valueAt(r, 2).toString();
    for (const char* f :
         {"item_path", "item_sha256", "source_table", "source_rowid", "parser", "recovered", "tag"})
      QVERIFY2(fields.contains(QLatin1String(f)), f);

    auto removed = service.removeTag(tags.keyAt(tags_before));
    QTRY_VERIFY_WITH_TIMEOUT(removed.isFinished(), 20000);
    QVERIFY2(removed.result().ok(), qPrintable(removed.result().error));
    tags.reload();
    wait_loaded(tags);
    QCOMPARE(tags.rowCount(), tags_before);
    custody.reload();
    wait_loaded(custody);
    QCOMPARE(custody.valueAt(custody.rowCount() - 1, 3).toString(), QStringLiteral("untag"));
  }

  void showSource() {
    SqlWindowModel calls(db_of(case_), artifact_spec("call"));
    calls.refresh();
    wait_loaded(calls);
    QTRY_VERIFY(calls.artifactId(0) > 0);
    CaseService service(case_);
    auto src = service.loadSource(calls.artifactId(0));
    QTRY_VERIFY_WITH_TIMEOUT(src.isFinished(), 30000);
    QVERIFY2(src.result().ok(), qPrintable(src.result().error));
    QVERIFY(!src.result().value.fields.isEmpty());
    QVERIFY(src.result().value.note.contains("verified"));
  }

  void locationsAndApps() {
    SnapshotModel points(db_of(case_), locations_loader());
    QAbstractItemModelTester tester(&points, QAbstractItemModelTester::FailureReportingMode::QtTest);
    points.reload();
    wait_loaded(points);
    QVERIFY(points.rowCount() >= 1);
    QVERIFY(std::abs(points.valueAt(0, kMapLat).toDouble()) <= 90.0);
    SnapshotModel apps(db_of(case_), apps_loader());
    QAbstractItemModelTester apps_tester(&apps, QAbstractItemModelTester::FailureReportingMode::QtTest);
    apps.reload();
    wait_loaded(apps);
    QVERIFY(apps.rowCount() >= 2);
  }

  // More rows than the page cache holds: pages load on demand, old ones are evicted, nothing is lost.
  void pagingOnALargerCase() {
    QTemporaryDir tmp;
    std::filesystem::path dir = std::filesystem::path(tmp.path().toStdString()) / "big";
    const int n = SqlWindowModel::kPageRows * (SqlWindowModel::kMaxCachedPages + 6) + 17;
    {
      CaseDb c = CaseDb::create(dir, "SYN");
      auto& db = c.db();
      db.exec(
          "INSERT INTO evidence(id, exhibit, source_path, source_kind, status, ingested_utc) VALUES (1, "
          "'S-1', "
          "'/none', 'folder', 'complete', '2024-01-01T00:00:00Z')");
      sql::Transaction tx(db);
      sql::Stmt a(
          db,
          "INSERT INTO artifacts(id, type, evidence_id, item_id, item_path, item_sha256, source_table, "
          "source_rowid, parser_id, parser_version, parser_run_id, time_utc_us) VALUES (?, 'message', 1, 1, "
          "'msgstore.db', '', 'message', ?, 'synthetic', '1.0.0', 1, ?)");
      sql::Stmt m(db,
                  "INSERT INTO messages(artifact_id, app, thread_key, sender_name, text) VALUES (?, "
                  "'whatsapp', ?, ?, ?)");
      for (int i = 1; i <= n; ++i) {
        a.bind(1, i).bind(2, i).bind(3, int64_t{1700000000000000} + int64_t{i} * 1000000).run();
        m.bind(1, i)
            .bind(2, i % 3 == 0 ? "t3" : "t1")
            .bind(3, "送信者")
            .bind(4, "メッセージ " + std::to_string(i))
            .run();
      }
      tx.commit();
    }
    SqlWindowModel model(dir / "case.db", artifact_spec("message"));
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy counted(&model, &SqlWindowModel::countChanged);
    model.refresh();
    wait_loaded(model);
    QCOMPARE(model.rowCount(), n);
    QCOMPARE(counted.count(), 1);
    // Unloaded rows are placeholders until their page arrives.
    const int last = n - 1;
    (void)model.data(model.index(last, 0));
    QTRY_VERIFY(model.artifactId(last) == n);
    for (int r = 0; r < n; r += SqlWindowModel::kPageRows) {
      (void)model.data(model.index(r, 0));
      QTRY_COMPARE(model.artifactId(r), qint64(r + 1));
    }
    // Page 0 was evicted by now and comes back on demand.
    QTRY_COMPARE(model.artifactId(0), qint64(1));
    model.setFilterText(QStringLiteral("メッセージ 12"));
    wait_loaded(model);
    QVERIFY(model.rowCount() > 10 && model.rowCount() < n);
  }
};

QTEST_GUILESS_MAIN(ModelTests)
#include "test_gui_models.moc"
