#include "gui/pages.h"

#include <QCheckBox>
#include <filesystem>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>

#include "core/search_index.h"
#include "gui/map_canvas.h"
#include "gui/models/time_display.h"

namespace kanshiki::gui {

namespace {

QLabel* heading(const QString& text, QWidget* parent) {
  auto* l = new QLabel(text, parent);
  l->setObjectName(QStringLiteral("pageHeading"));
  return l;
}

// Filters as the user types, without a query per keystroke.
void debounce(QLineEdit* edit, QObject* context, std::function<void(const QString&)> apply) {
  auto* timer = new QTimer(context);
  timer->setSingleShot(true);
  timer->setInterval(250);
  QObject::connect(edit, &QLineEdit::textChanged, timer, qOverload<>(&QTimer::start));
  QObject::connect(timer, &QTimer::timeout, context, [edit, apply] { apply(edit->text()); });
}

QString count_text(const SqlWindowModel* m) {
  if (!m) return {};
  if (!m->countKnown()) return QCoreApplication::translate("Pages", "counting…");
  return QCoreApplication::translate("Pages", "%n row(s)", nullptr, m->rowCount());
}

}  // namespace

// ---- evidence

EvidencePage::EvidencePage(CaseService* service, QWidget* parent)
    : Page(service, parent),
      evidence_(new SnapshotModel(db(), evidence_loader(), this)),
      last_verify_(new SnapshotModel(
          db(),
          [](sql::Db& d) {
            return query_snapshot(
                d,
                {{"utc", "Time", ColumnKind::iso_time},
                 {"status", "Status", ColumnKind::text},
                 {"examiner", "Examiner", ColumnKind::text}},
                QStringLiteral("FROM custody WHERE action = 'verify' ORDER BY seq DESC LIMIT 1"));
          },
          this)) {
  auto* layout = new QVBoxLayout(this);
  auto* top = new QHBoxLayout;
  top->addWidget(heading(tr("Evidence"), this));
  top->addStretch();
  verify_label_ = new QLabel(this);
  verify_label_->setObjectName(QStringLiteral("verifyStatus"));
  top->addWidget(verify_label_);
  auto* verify = new QPushButton(tr("Verify now"), this);
  verify->setObjectName(QStringLiteral("verifyNowButton"));
  verify->setToolTip(tr("Re-hashes every evidence item against the ingest record, in the background"));
  connect(verify, &QPushButton::clicked, this, &EvidencePage::verifyRequested);
  top->addWidget(verify);
  layout->addLayout(top);
  auto* split = new QSplitter(Qt::Vertical, this);
  evidence_table_ = new DataTable(split);
  evidence_table_->setModel(evidence_);
  auto* items_box = new QWidget(split);
  auto* items_layout = new QVBoxLayout(items_box);
  items_layout->setContentsMargins(0, 0, 0, 0);
  item_filter_ = new QLineEdit(items_box);
  item_filter_->setPlaceholderText(tr("Filter items by path or SHA-256"));
  item_filter_->setClearButtonEnabled(true);
  items_layout->addWidget(item_filter_);
  items_table_ = new DataTable(items_box);
  items_layout->addWidget(items_table_);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 3);
  layout->addWidget(split, 1);
  debounce(item_filter_, this, [this](const QString& t) {
    if (items_) items_->setFilterText(t);
  });
  connect(evidence_table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& i) { showItems(i.row()); });
  connect(evidence_, &QAbstractItemModel::modelReset, this, [this] {
    if (evidence_->rowCount() > 0 && !evidence_table_->currentIndex().isValid())
      evidence_table_->setCurrentIndex(evidence_->index(0, 0));
  });
  connect(last_verify_, &QAbstractItemModel::modelReset, this, [this] {
    if (last_verify_->rowCount() == 0) {
      verify_label_->setText(tr("Not verified since ingest"));
      verify_label_->setStyleSheet(QStringLiteral("color:#8A6D00"));
      return;
    }
    bool ok = last_verify_->valueAt(0, 1).toString() == QLatin1String("ok");
    verify_label_->setText((ok ? tr("✔ Last verification passed: %1") : tr("✘ Last verification FAILED: %1"))
                               .arg(last_verify_->data(last_verify_->index(0, 0)).toString()));
    verify_label_->setStyleSheet(ok ? QStringLiteral("color:#2E7D32;font-weight:600")
                                    : QStringLiteral("color:#C62828;font-weight:600"));
  });
}

void EvidencePage::activate() { reload(); }

void EvidencePage::reload() {
  evidence_->reload();
  last_verify_->reload();
}

bool EvidencePage::busy() const {
  return evidence_->isLoading() || last_verify_->isLoading() || (items_ && items_->isLoading());
}

void EvidencePage::showItems(int row) {
  qint64 id = evidence_->keyAt(row);
  if (id < 0) return;
  auto* old = items_;
  items_ = new SqlWindowModel(db(), items_spec(id), this);
  items_->setFilterText(item_filter_->text());
  items_table_->setModel(items_);
  delete old;
  items_->refresh();
}

// ---- artifacts

ArtifactsPage::ArtifactsPage(CaseService* service, QWidget* parent) : Page(service, parent) {
  auto* layout = new QHBoxLayout(this);
  types_ = new QListWidget(this);
  types_->setObjectName(QStringLiteral("artifactTypes"));
  types_->setFixedWidth(170);
  for (const auto& t : artifact_types()) {
    auto* item = new QListWidgetItem(type_title(t.type), types_);
    item->setData(Qt::UserRole, t.type);
  }
  layout->addWidget(types_);
  auto* right = new QVBoxLayout;
  auto* bar = new QHBoxLayout;
  filter_ = new QLineEdit(this);
  filter_->setObjectName(QStringLiteral("artifactFilter"));
  filter_->setPlaceholderText(tr("Filter (substring, Japanese works)…"));
  filter_->setClearButtonEnabled(true);
  bar->addWidget(filter_, 1);
  count_ = new QLabel(this);
  bar->addWidget(count_);
  auto* hint = new QLabel(tr("Right-click the header to choose columns"), this);
  hint->setStyleSheet(QStringLiteral("color:#6B7280"));
  bar->addWidget(hint);
  right->addLayout(bar);
  table_ = new DataTable(this);
  table_->setObjectName(QStringLiteral("artifactTable"));
  table_->setSortingEnabled(true);
  right->addWidget(table_, 1);
  layout->addLayout(right, 1);
  connect(types_, &QListWidget::currentRowChanged, this,
          [this](int row) { setType(types_->item(row)->data(Qt::UserRole).toString()); });
  connect(table_, &DataTable::artifactActivated, this, &Page::artifactSelected);
  debounce(filter_, this, [this](const QString& t) {
    if (model()) model()->setFilterText(t);
  });
}

void ArtifactsPage::activate() {
  if (type_.isEmpty()) types_->setCurrentRow(0);
}

void ArtifactsPage::setType(const QString& type) {
  if (type == type_ && model()) return;
  type_ = type;
  for (int i = 0; i < types_->count(); ++i)
    if (types_->item(i)->data(Qt::UserRole).toString() == type && types_->currentRow() != i)
      types_->setCurrentRow(i);
  SqlWindowModel* m = models_.value(type);
  if (!m) {
    m = new SqlWindowModel(db(), artifact_spec(type), this);
    models_.insert(type, m);
    connect(m, &SqlWindowModel::countChanged, this, [this, m] {
      if (m == model()) count_->setText(count_text(m));
    });
    connect(m, &SqlWindowModel::errorOccurred, this, &Page::status);
    m->refresh();
  }
  table_->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
  table_->setModel(m);
  // Media rows show their thumbnail (`kanshiki thumbnails`): taller rows and a visible picture.
  const bool media = type == QLatin1String("media");
  table_->setIconSize(media ? QSize(96, 96) : QSize());
  table_->verticalHeader()->setDefaultSectionSize(media ? 100 : table_->fontMetrics().height() + 8);
  filter_->blockSignals(true);
  filter_->setText(m->filterText());
  filter_->blockSignals(false);
  count_->setText(count_text(m));
}

void ArtifactsPage::showArtifact(const QString& type, qint64 artifact_id) {
  ensureActivated();
  setType(type);
  auto* m = model();
  filter_->clear();
  auto conn = std::make_shared<QMetaObject::Connection>();
  *conn = connect(m, &SqlWindowModel::located, this, [this, m, conn, artifact_id](int row) {
    disconnect(*conn);
    if (row < 0) return;
    // The count may still be on its way; select once the row exists.
    auto select = [this, m, row, artifact_id] {
      QModelIndex i = m->index(row, 0);
      table_->scrollTo(i, QAbstractItemView::PositionAtCenter);
      table_->setCurrentIndex(i);
      Q_EMIT artifactSelected(artifact_id);
    };
    if (row < m->rowCount()) {
      select();
    } else {
      auto wait = std::make_shared<QMetaObject::Connection>();
      *wait = connect(m, &SqlWindowModel::countChanged, this, [wait, select] {
        disconnect(*wait);
        select();
      });
    }
  });
  m->locateArtifact(artifact_id);
}

bool ArtifactsPage::busy() const { return model() && model()->isLoading(); }

// ---- conversations

ConversationsPage::ConversationsPage(CaseService* service, QWidget* parent)
    : Page(service, parent), threads_(new SnapshotModel(db(), thread_list_loader(), this)) {
  auto* layout = new QHBoxLayout(this);
  auto* split = new QSplitter(this);
  thread_table_ = new DataTable(split);
  thread_table_->setObjectName(QStringLiteral("threadTable"));
  thread_table_->setModel(threads_);
  auto* right = new QWidget(split);
  auto* rl = new QVBoxLayout(right);
  rl->setContentsMargins(0, 0, 0, 0);
  auto* bar = new QHBoxLayout;
  header_ = new QLabel(tr("Choose a conversation"), right);
  header_->setObjectName(QStringLiteral("pageHeading"));
  bar->addWidget(header_, 1);
  filter_ = new QLineEdit(right);
  filter_->setPlaceholderText(tr("Find in conversation…"));
  filter_->setClearButtonEnabled(true);
  bar->addWidget(filter_);
  jump_ = new QPushButton(tr("Show in table"), right);
  jump_->setObjectName(QStringLiteral("jumpToTable"));
  jump_->setEnabled(false);
  bar->addWidget(jump_);
  rl->addLayout(bar);
  view_ = new ConversationView(right);
  // Long threads are laid out in batches between events, so tens of thousands of bubbles never freeze the UI.
  view_->setLayoutMode(QListView::Batched);
  view_->setBatchSize(200);
  view_->setObjectName(QStringLiteral("conversationView"));
  rl->addWidget(view_, 1);
  split->setStretchFactor(0, 2);
  split->setStretchFactor(1, 3);
  layout->addWidget(split);
  connect(thread_table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& i) { selectThread(i.row()); });
  connect(threads_, &QAbstractItemModel::modelReset, this, [this] {
    // Thread tables show name, app, count, last activity; the key is in the column chooser.
    thread_table_->setColumnHidden(kThreadKey, true);
    thread_table_->horizontalHeader()->moveSection(kThreadName, 0);
    thread_table_->setColumnWidth(kThreadName, 200);
  });
  connect(jump_, &QPushButton::clicked, this, [this] {
    QModelIndex i = view_->currentIndex();
    if (i.isValid()) Q_EMIT showInTable(QStringLiteral("message"), i.data(ArtifactIdRole).toLongLong());
  });
  debounce(filter_, this, [this](const QString& t) {
    if (conversation_) conversation_->setFilterText(t);
  });
}

void ConversationsPage::activate() { threads_->reload(); }

void ConversationsPage::selectThread(int row) {
  if (row < 0 || row >= threads_->rowCount()) return;
  if (thread_table_->currentIndex().row() != row) {
    thread_table_->setCurrentIndex(threads_->index(row, kThreadName));
    return;  // currentRowChanged comes back here
  }
  auto* old = conversation_;
  QString app = threads_->valueAt(row, kThreadApp).toString();
  QVariant key = threads_->valueAt(row, kThreadKey);
  conversation_ = new SqlWindowModel(db(),
                                     conversation_spec(threads_->valueAt(row, kThreadEvidence).toLongLong(),
                                                       app, key.isNull() ? QString() : key.toString()),
                                     this);
  conversation_->setFilterText(filter_->text());
  view_->setModel(conversation_);
  delete old;
  header_->setText(QStringLiteral("%1 — %2 %3 · %4")
                       .arg(threads_->valueAt(row, kThreadName).toString(),
                            threads_->valueAt(row, kThreadExhibit).toString(), app,
                            tr("%n message(s)", nullptr, threads_->valueAt(row, kThreadMessages).toInt())));
  jump_->setEnabled(false);
  connect(conversation_, &SqlWindowModel::pageLoaded, view_, &ConversationView::relayout);
  connect(view_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& i) {
            jump_->setEnabled(i.isValid());
            if (i.isValid()) Q_EMIT artifactSelected(i.data(ArtifactIdRole).toLongLong());
          });
  conversation_->refresh();
}

bool ConversationsPage::busy() const {
  return threads_->isLoading() || (conversation_ && conversation_->isLoading());
}

// ---- timeline

TimelinePage::TimelinePage(CaseService* service, QWidget* parent)
    : Page(service, parent),
      histogram_(new SnapshotModel(db(), histogram_loader(0, 0, 120), this)),
      events_(new SqlWindowModel(db(), timeline_spec(), this)) {
  auto* layout = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  bar->addWidget(heading(tr("Timeline — all artifact types and devices"), this));
  bar->addStretch();
  range_ = new QLabel(this);
  bar->addWidget(range_);
  auto* back = new QPushButton(tr("Zoom out"), this);
  auto* reset = new QPushButton(tr("Whole case"), this);
  bar->addWidget(back);
  bar->addWidget(reset);
  layout->addLayout(bar);
  chart_ = new HistogramWidget(this);
  chart_->setObjectName(QStringLiteral("histogram"));
  chart_->setModel(histogram_);
  chart_->setToolTip(tr("Drag across bars to zoom in; double-click to zoom out"));
  layout->addWidget(chart_);
  table_ = new DataTable(this);
  table_->setModel(events_);
  layout->addWidget(table_, 1);
  connect(table_, &DataTable::artifactActivated, this, &Page::artifactSelected);
  connect(chart_, &HistogramWidget::rangeSelected, this, [this](qint64 from, qint64 to) {
    zoom_stack_.push_back({from, to});
    zoomTo(from, to);
  });
  auto out = [this] {
    if (!zoom_stack_.isEmpty()) zoom_stack_.pop_back();
    auto r = zoom_stack_.isEmpty() ? QPair<qint64, qint64>(0, 0) : zoom_stack_.back();
    zoomTo(r.first, r.second);
  };
  connect(chart_, &HistogramWidget::resetRequested, this, out);
  connect(back, &QPushButton::clicked, this, out);
  connect(reset, &QPushButton::clicked, this, [this] {
    zoom_stack_.clear();
    zoomTo(0, 0);
  });
  connect(events_, &SqlWindowModel::countChanged, this, [this](qint64 n) {
    range_->setText(tr("%n event(s)", nullptr, int(n)) + QStringLiteral(" · ") +
                    TimeDisplay::instance().zoneLabel());
  });
}

void TimelinePage::activate() { zoomTo(0, 0); }

void TimelinePage::zoomTo(qint64 from_us, qint64 to_us) {
  histogram_->setLoader(histogram_loader(from_us, to_us, 120));
  histogram_->reload();
  auto [where, params] = timeline_range(from_us, to_us);
  events_->setExtraWhere(where, params);
}

bool TimelinePage::busy() const { return histogram_->isLoading() || events_->isLoading(); }

// ---- map

MapPage::MapPage(CaseService* service, QWidget* parent)
    : Page(service, parent), points_(new SnapshotModel(db(), locations_loader(), this)) {
  auto* layout = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  bar->addWidget(heading(tr("Map (offline)"), this));
  info_ = new QLabel(tr("Scroll to zoom, drag to pan, click a point to see its artifact"), this);
  info_->setStyleSheet(QStringLiteral("color:#6B7280"));
  bar->addWidget(info_, 1);
  auto* fit = new QPushButton(tr("Fit to points"), this);
  bar->addWidget(fit);
  layout->addLayout(bar);
  canvas_ = new MapCanvas(this);
  canvas_->setObjectName(QStringLiteral("mapCanvas"));
  canvas_->setModel(points_);
  layout->addWidget(canvas_, 1);
  connect(fit, &QPushButton::clicked, canvas_, &MapCanvas::fitToPoints);
  connect(canvas_, &MapCanvas::artifactActivated, this, &Page::artifactSelected);
  connect(canvas_, &MapCanvas::clusterInfo, info_, &QLabel::setText);
  QString tiles = QSettings().value(QStringLiteral("map/mbtiles")).toString();
  if (!tiles.isEmpty()) canvas_->setMbtiles(tiles);
}

void MapPage::activate() { points_->reload(); }

bool MapPage::busy() const { return points_->isLoading(); }

// ---- search

SearchPage::SearchPage(CaseService* service, QWidget* parent)
    : Page(service, parent),
      results_(new SqlWindowModel(db(), search_spec(), this)),
      evidence_(new SnapshotModel(db(), evidence_loader(), this)),
      apps_(new SnapshotModel(db(), apps_loader(), this)) {
  auto* layout = new QVBoxLayout(this);
  auto* row1 = new QHBoxLayout;
  query_ = new QLineEdit(this);
  query_->setObjectName(QStringLiteral("searchQuery"));
  query_->setPlaceholderText(tr("Search message text and contacts (substring; e.g. ホワイト案件)"));
  query_->setClearButtonEnabled(true);
  auto* go = new QPushButton(tr("Search"), this);
  go->setObjectName(QStringLiteral("searchButton"));
  go->setDefault(true);
  row1->addWidget(query_, 1);
  row1->addWidget(go);
  layout->addLayout(row1);
  auto* row2 = new QHBoxLayout;
  use_from_ = new QCheckBox(tr("From"), this);
  from_ = new QDateTimeEdit(this);
  use_to_ = new QCheckBox(tr("To"), this);
  to_ = new QDateTimeEdit(this);
  for (auto* e : {from_, to_}) {
    e->setCalendarPopup(true);
    e->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
    e->setDateTime(QDateTime::currentDateTime());
    e->setToolTip(tr("In the display zone (%1)").arg(TimeDisplay::instance().zoneLabel()));
  }
  device_ = new QComboBox(this);
  device_->setObjectName(QStringLiteral("searchDevice"));
  app_ = new QComboBox(this);
  app_->setObjectName(QStringLiteral("searchApp"));
  row2->addWidget(use_from_);
  row2->addWidget(from_);
  row2->addWidget(use_to_);
  row2->addWidget(to_);
  row2->addSpacing(12);
  row2->addWidget(new QLabel(tr("Device"), this));
  row2->addWidget(device_);
  row2->addWidget(new QLabel(tr("App"), this));
  row2->addWidget(app_);
  row2->addStretch();
  layout->addLayout(row2);
  summary_ = new QLabel(this);
  summary_->setObjectName(QStringLiteral("searchSummary"));
  layout->addWidget(summary_);
  table_ = new DataTable(this);
  table_->setObjectName(QStringLiteral("searchResults"));
  table_->setModel(results_);
  layout->addWidget(table_, 1);
  connect(table_, &DataTable::artifactActivated, this, &Page::artifactSelected);
  connect(go, &QPushButton::clicked, this, &SearchPage::runSearch);
  connect(query_, &QLineEdit::returnPressed, this, &SearchPage::runSearch);
  connect(evidence_, &QAbstractItemModel::modelReset, this, [this] {
    device_->clear();
    device_->addItem(tr("All devices"), QVariant());
    for (int r = 0; r < evidence_->rowCount(); ++r)
      device_->addItem(QStringLiteral("%1 %2").arg(evidence_->valueAt(r, 0).toString(),
                                                   evidence_->valueAt(r, 1).toString()),
                       evidence_->keyAt(r));
  });
  connect(apps_, &QAbstractItemModel::modelReset, this, [this] {
    app_->clear();
    app_->addItem(tr("All apps"), QString());
    for (int r = 0; r < apps_->rowCount(); ++r)
      app_->addItem(apps_->valueAt(r, 0).toString(), apps_->valueAt(r, 0));
  });
  connect(&TimeDisplay::instance(), &TimeDisplay::changed, this, [this] {
    for (auto* e : {from_, to_})
      e->setToolTip(tr("In the display zone (%1)").arg(TimeDisplay::instance().zoneLabel()));
  });
  connect(results_, &SqlWindowModel::countChanged, this, [this](qint64 n) {
    summary_->setText(tr("%n hit(s) for “%1”", nullptr, int(n)).arg(pending_log_.text));
    if (!log_pending_) return;
    log_pending_ = false;
    // Searches are part of the examination record, as on the command line.
    QJsonObject p{{"query", pending_log_.text}, {"hits", n}};
    if (pending_log_.from_us) p["from_us"] = *pending_log_.from_us;
    if (pending_log_.to_us) p["to_us"] = *pending_log_.to_us;
    if (pending_log_.evidence_id) p["evidence_id"] = *pending_log_.evidence_id;
    if (!pending_log_.app.isEmpty()) p["app"] = pending_log_.app;
    service_
        ->logAction(QStringLiteral("search"),
                    QString::fromUtf8(QJsonDocument(p).toJson(QJsonDocument::Compact)))
        .then(this, [this](const Outcome<qint64>& out) {
          if (out.ok())
            Q_EMIT searchLogged(out.value);
          else
            Q_EMIT status(tr("Search not written to the custody log: %1").arg(out.error));
        });
  });
}

void SearchPage::activate() {
  evidence_->reload();
  apps_->reload();
}

void SearchPage::search(const QString& text) {
  ensureActivated();
  query_->setText(text);
  runSearch();
}

void SearchPage::runSearch() {
  SearchFilter f;
  f.text = query_->text().trimmed();
  if (f.text.isEmpty()) return;
  // The edits show wall-clock time in the display zone (QDateTimeEdit has no zone of its own in Qt 6.4).
  const QTimeZone zone = TimeDisplay::instance().zone();
  if (use_from_->isChecked())
    f.from_us = QDateTime(from_->date(), from_->time(), zone).toMSecsSinceEpoch() * 1000;
  if (use_to_->isChecked()) f.to_us = QDateTime(to_->date(), to_->time(), zone).toMSecsSinceEpoch() * 1000;
  if (device_->currentData().isValid()) f.evidence_id = device_->currentData().toLongLong();
  f.app = app_->currentData().toString();
  std::error_code ec;
  f.use_index = std::filesystem::exists(service_->dbPath().parent_path() / kSearchIndexFile, ec);
  pending_log_ = f;
  log_pending_ = true;
  summary_->setText(tr("Searching…"));
  auto [where, params] = search_condition(f);
  results_->setExtraWhere(where, params);
}

bool SearchPage::busy() const {
  return results_->isLoading() || evidence_->isLoading() || apps_->isLoading();
}

// ---- tags

TagsPage::TagsPage(CaseService* service, QWidget* parent)
    : Page(service, parent), tags_(new SnapshotModel(db(), tags_loader(), this)) {
  auto* layout = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  bar->addWidget(heading(tr("Tags, bookmarks and notes"), this));
  bar->addStretch();
  auto* remove = new QPushButton(tr("Remove tag"), this);
  remove->setToolTip(tr("Removing a tag is also signed into the custody log"));
  bar->addWidget(remove);
  layout->addLayout(bar);
  table_ = new DataTable(this);
  table_->setObjectName(QStringLiteral("tagTable"));
  table_->setModel(tags_);
  layout->addWidget(table_, 1);
  connect(table_, &DataTable::artifactActivated, this, [this] {
    QModelIndex i = table_->currentIndex();
    if (i.isValid()) Q_EMIT artifactSelected(tags_->valueAt(i.row(), 7).toLongLong());
  });
  connect(remove, &QPushButton::clicked, this, [this] {
    qint64 id = table_->currentArtifactId();  // the tag id for this model
    if (id < 0) return;
    service_->removeTag(id).then(this, [this](const Outcome<bool>& out) {
      if (!out.ok()) Q_EMIT status(out.error);
    });
  });
  connect(service_, &CaseService::tagsChanged, tags_, &SnapshotModel::reload);
}

void TagsPage::activate() { tags_->reload(); }

bool TagsPage::busy() const { return tags_->isLoading(); }

// ---- custody

CustodyPage::CustodyPage(CaseService* service, QWidget* parent)
    : Page(service, parent), custody_(new SnapshotModel(db(), custody_loader(), this)) {
  auto* layout = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  bar->addWidget(heading(tr("Chain of custody"), this));
  bar->addStretch();
  auto* verify_button = new QPushButton(tr("Verify log"), this);
  verify_button->setToolTip(tr("Checks every entry's hash, the chain, the signatures and the anchor"));
  bar->addWidget(verify_button);
  layout->addLayout(bar);
  banner_ = new QLabel(this);
  banner_->setObjectName(QStringLiteral("custodyBanner"));
  banner_->setWordWrap(true);
  layout->addWidget(banner_);
  table_ = new DataTable(this);
  table_->setObjectName(QStringLiteral("custodyTable"));
  table_->setModel(custody_);
  layout->addWidget(table_, 1);
  connect(verify_button, &QPushButton::clicked, this, &CustodyPage::verify);
  connect(service_, &CaseService::custodyChanged, this, [this] {
    custody_->reload();
    verify();
  });
  connect(custody_, &QAbstractItemModel::modelReset, this, [this] {
    if (custody_->rowCount() > 0) table_->scrollToBottom();
  });
}

void CustodyPage::activate() {
  custody_->reload();
  verify();
}

void CustodyPage::verify() {
  verifying_ = true;
  banner_->setText(tr("Verifying the custody log…"));
  service_->verifyCustody().then(this, [this](const Outcome<CustodyCheck>& out) {
    verifying_ = false;
    verified_ = out.ok() && out.value.ok;
    QString text = !out.ok()
                       ? out.error
                       : out.value.summary +
                             (out.value.problems.isEmpty()
                                  ? QString()
                                  : QStringLiteral("\n• ") + out.value.problems.join(QStringLiteral("\n• ")));
    banner_->setText((verified_ ? QStringLiteral("✔ ") : QStringLiteral("✘ ")) + text);
    banner_->setStyleSheet(
        verified_
            ? QStringLiteral("background:#E8F5E9;color:#1B5E20;padding:8px;border-radius:4px;font-weight:600")
            : QStringLiteral(
                  "background:#FDECEA;color:#B71C1C;padding:8px;border-radius:4px;font-weight:600"));
  });
}

bool CustodyPage::busy() const { return custody_->isLoading() || verifying_; }

}  // namespace kanshiki::gui
