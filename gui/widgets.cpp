#include "gui/widgets.h"

#include <QApplication>
#include <QCompleter>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStandardItemModel>
#include <QVBoxLayout>

#include "gui/models/case_models.h"
#include "gui/models/time_display.h"

namespace kanshiki::gui {

QColor palette::source_colour(const QString& source) {
  static const QRgb colours[] = {0x1F77B4, 0xD62728, 0x2CA02C, 0xFF7F0E, 0x9467BD,
                                 0x8C564B, 0xE377C2, 0x17BECF, 0xBCBD22};
  return QColor(colours[qHash(source) % (sizeof colours / sizeof colours[0])]);
}

void RecoveredDelegate::initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const {
  QStyledItemDelegate::initStyleOption(option, index);
  if (index.data(RecoveredRole).toBool()) {
    option->backgroundBrush = QColor(palette::kRecoveredBg);
    option->palette.setColor(QPalette::Text, QColor(palette::kRecoveredFg));
    if (index.column() == 0) option->text = QStringLiteral("⟲ ") + option->text;
  }
}

DataTable::DataTable(QWidget* parent) : QTableView(parent) {
  setSelectionBehavior(QAbstractItemView::SelectRows);
  setSelectionMode(QAbstractItemView::SingleSelection);
  setAlternatingRowColors(true);
  setWordWrap(false);
  setItemDelegate(new RecoveredDelegate(this));
  verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);  // never measure a million rows
  verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
  verticalHeader()->hide();
  horizontalHeader()->setStretchLastSection(true);
  horizontalHeader()->setDefaultSectionSize(140);
  horizontalHeader()->setHighlightSections(false);
  horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
  horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
  connect(horizontalHeader(), &QWidget::customContextMenuRequested, this, &DataTable::showColumnMenu);
}

void DataTable::setModel(QAbstractItemModel* new_model) {
  QTableView::setModel(new_model);
  if (!new_model) return;
  applyDefaultColumns();
  connect(new_model, &QAbstractItemModel::modelReset, this, [this] {
    // Snapshot models learn their columns on load.
    if (model()->columnCount() != horizontalHeader()->count() ||
        property("columnsApplied").toInt() != model()->columnCount())
      applyDefaultColumns();
  });
  connect(selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) {
            if (current.isValid()) Q_EMIT artifactActivated(current.data(ArtifactIdRole).toLongLong());
          });
}

void DataTable::applyDefaultColumns() {
  auto* m = model();
  for (int c = 0; c < m->columnCount(); ++c) {
    QVariant shown = m->headerData(c, Qt::Horizontal, ColumnVisibleByDefaultRole);
    setColumnHidden(c, shown.isValid() && !shown.toBool());
    // Wide columns for text and times, narrow for flags and numbers; no pass over the rows.
    QString title = m->headerData(c, Qt::Horizontal).toString();
    int w = std::clamp(fontMetrics().horizontalAdvance(title) + 28, 70, 420);
    // Free-text columns get room to be read; the exact width is the examiner's (and kept by the header).
    static const QStringList wide = {"text", "summary",   "url",        "title", "parameters",
                                     "path", "item path", "name",       "label", "value",
                                     "note", "source",    "recipients", "phones"};
    QString raw = m->headerData(c, Qt::Horizontal, RawValueRole).toString().toLower();
    if (wide.contains(raw)) w = std::max(w, raw == "text" || raw == "summary" ? 380 : 220);
    if (title.contains(QLatin1Char('[')))
      w = std::max(w, fontMetrics().horizontalAdvance(QStringLiteral("2024-03-16 12:12:40 JST")) + 24);
    setColumnWidth(c, w);
  }
  setProperty("columnsApplied", m->columnCount());
}

qint64 DataTable::currentArtifactId() const {
  QModelIndex i = currentIndex();
  return i.isValid() ? i.data(ArtifactIdRole).toLongLong() : -1;
}

void DataTable::showColumnMenu(const QPoint& pos) {
  QMenu menu(this);
  menu.setObjectName(QStringLiteral("columnChooser"));
  auto* m = model();
  for (int c = 0; c < m->columnCount(); ++c) {
    QAction* a = menu.addAction(m->headerData(c, Qt::Horizontal).toString());
    a->setCheckable(true);
    a->setChecked(!isColumnHidden(c));
    connect(a, &QAction::toggled, this, [this, c](bool on) { setColumnHidden(c, !on); });
  }
  menu.addSeparator();
  connect(menu.addAction(tr("Default columns")), &QAction::triggered, this, &DataTable::applyDefaultColumns);
  menu.exec(horizontalHeader()->mapToGlobal(pos));
}

// ---- conversation bubbles

namespace {

struct Bubble {
  QString sender, text, meta, marks;
  bool outgoing = false, recovered = false, deleted = false, expiring = false, attachment = false;
};

Bubble bubble_of(const QModelIndex& index) {
  Bubble b;
  QVariantList v = index.data(RowValuesRole).toList();
  if (v.size() < kConvColumnCount) return b;
  b.outgoing = v[kConvDirection].toString() == QLatin1String("outgoing");
  b.sender = v[kConvSenderName].toString();
  if (b.sender.isEmpty()) b.sender = v[kConvSender].toString();
  if (b.outgoing && b.sender.isEmpty())
    b.sender = QCoreApplication::translate("Conversation", "Device owner");
  b.text = v[kConvText].toString();
  QString attachments = v[kConvAttachments].toString();
  b.attachment = !attachments.isEmpty() && attachments != QLatin1String("[]");
  if (b.attachment)
    b.text += (b.text.isEmpty() ? QString() : QStringLiteral("\n")) + QStringLiteral("📎 ") + attachments;
  if (b.text.isEmpty()) b.text = QStringLiteral("(%1)").arg(v[kConvKind].toString());
  b.recovered = v[kConvRecovered].toLongLong() != 0;
  b.deleted = v[kConvDeleted].toLongLong() != 0;
  b.expiring = !v[kConvExpires].isNull() && v[kConvExpires].toLongLong() > 0;
  b.meta = v[kConvTime].isNull() ? QString() : TimeDisplay::instance().format(v[kConvTime].toLongLong());
  QStringList marks;
  if (b.recovered) marks << QCoreApplication::translate("Conversation", "⟲ recovered (deleted record)");
  if (b.deleted) marks << QCoreApplication::translate("Conversation", "deleted");
  if (b.expiring)
    marks << QCoreApplication::translate("Conversation", "⏱ disappearing (%1 s)")
                 .arg(v[kConvExpires].toLongLong());
  if (v[kConvEdited].toLongLong() != 0) marks << QCoreApplication::translate("Conversation", "edited");
  b.marks = marks.join(QStringLiteral(" · "));
  return b;
}

constexpr int kMargin = 8, kPad = 9;

int bubble_width(const QStyleOptionViewItem& option) { return std::max(200, option.rect.width() * 68 / 100); }

}  // namespace

QSize BubbleDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const {
  const int width = option.rect.width() > 0 ? option.rect.width() : 600;
  if (!index.data(IsLoadedRole).toBool()) return {width, 64};  // estimate; never load a page to measure
  Bubble b = bubble_of(index);
  QStyleOptionViewItem o(option);
  o.rect.setWidth(width);
  QFontMetrics fm(option.font);
  QRect text = fm.boundingRect(QRect(0, 0, bubble_width(o) - 2 * kPad, 100000), Qt::TextWordWrap, b.text);
  int h = kMargin + kPad + fm.height() + 2 + text.height() + 4 + fm.height() + kPad + kMargin;
  if (!b.marks.isEmpty()) h += fm.height();
  return {width, h};
}

void BubbleDelegate::paint(QPainter* p, const QStyleOptionViewItem& option, const QModelIndex& index) const {
  p->save();
  p->setRenderHint(QPainter::Antialiasing);
  if (!index.data(IsLoadedRole).toBool()) {
    (void)index.data(Qt::DisplayRole);  // asks for the page
    p->setPen(Qt::gray);
    p->drawText(option.rect, Qt::AlignCenter, QStringLiteral("…"));
    p->restore();
    return;
  }
  Bubble b = bubble_of(index);
  QFontMetrics fm(option.font);
  const int w = bubble_width(option);
  QRect text = fm.boundingRect(QRect(0, 0, w - 2 * kPad, 100000), Qt::TextWordWrap, b.text);
  int bw = std::max({text.width(), fm.horizontalAdvance(b.sender), fm.horizontalAdvance(b.meta),
                     fm.horizontalAdvance(b.marks)}) +
           2 * kPad;
  bw = std::min(bw, w);
  int bh = option.rect.height() - 2 * kMargin;
  int x = b.outgoing ? option.rect.right() - kMargin - bw : option.rect.left() + kMargin;
  QRectF r(x, option.rect.top() + kMargin, bw, bh);
  QColor fill = b.recovered ? QColor(palette::kRecoveredBg)
                            : QColor(b.outgoing ? palette::kOutgoing : palette::kIncoming);
  QPainterPath path;
  path.addRoundedRect(r, 10, 10);
  p->fillPath(path, fill);
  QPen border(b.recovered ? QColor(palette::kRecoveredFg) : QColor(0xC8D0D8));
  if (b.recovered || b.deleted) border.setStyle(Qt::DashLine);
  if (option.state & QStyle::State_Selected) border = QPen(QColor(palette::kAccent), 2);
  p->setPen(border);
  p->drawPath(path);
  int y = option.rect.top() + kMargin + kPad;
  QFont bold = option.font;
  bold.setBold(true);
  p->setFont(bold);
  p->setPen(palette::source_colour(b.sender).darker(130));
  p->drawText(QRect(x + kPad, y, bw - 2 * kPad, fm.height()), Qt::AlignLeft, b.sender);
  y += fm.height() + 2;
  p->setFont(option.font);
  p->setPen(QColor(0x1A1A1A));
  p->drawText(QRect(x + kPad, y, bw - 2 * kPad, text.height()), Qt::TextWordWrap, b.text);
  y += text.height() + 4;
  p->setPen(QColor(0x6B7280));
  p->drawText(QRect(x + kPad, y, bw - 2 * kPad, fm.height()), Qt::AlignRight, b.meta);
  if (!b.marks.isEmpty()) {
    y += fm.height();
    p->setPen(QColor(palette::kRecoveredFg));
    p->drawText(QRect(x + kPad, y, bw - 2 * kPad, fm.height()), Qt::AlignLeft, b.marks);
  }
  p->restore();
}

ConversationView::ConversationView(QWidget* parent) : QListView(parent) {
  setItemDelegate(new BubbleDelegate(this));
  setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
  setResizeMode(QListView::Adjust);
  setSelectionMode(QAbstractItemView::SingleSelection);
  setSpacing(0);
  setStyleSheet(QStringLiteral("QListView { background: #EEF2F6; border: none; }"));
}

// ---- histogram

HistogramWidget::HistogramWidget(QWidget* parent) : QWidget(parent) {
  setMinimumHeight(150);
  setMouseTracking(true);
  setCursor(Qt::CrossCursor);
}

void HistogramWidget::setModel(SnapshotModel* model) {
  model_ = model;
  connect(model, &QAbstractItemModel::modelReset, this, qOverload<>(&QWidget::update));
  connect(&TimeDisplay::instance(), &TimeDisplay::changed, this, qOverload<>(&QWidget::update));
}

QRect HistogramWidget::plotRect() const { return rect().adjusted(56, 12, -16, -34); }

int HistogramWidget::bucketAt(int x) const {
  if (!model_ || model_->rowCount() == 0) return -1;
  QRect pr = plotRect();
  int n = model_->rowCount();
  return std::clamp((x - pr.left()) * n / std::max(1, pr.width()), 0, n - 1);
}

void HistogramWidget::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), Qt::white);
  QRect pr = plotRect();
  p.setPen(QColor(0xD0D5DB));
  p.drawRect(pr);
  if (!model_ || model_->rowCount() == 0) {
    p.setPen(Qt::gray);
    p.drawText(pr, Qt::AlignCenter, model_ && model_->isLoading() ? tr("Loading…") : tr("No timed events"));
    return;
  }
  const int n = model_->rowCount();
  qint64 max = 1;
  for (int i = 0; i < n; ++i) max = std::max(max, model_->valueAt(i, 2).toLongLong());
  // Horizontal guide lines with counts.
  p.setFont(font());
  for (int g = 0; g <= 4; ++g) {
    int y = pr.bottom() - pr.height() * g / 4;
    p.setPen(QColor(0xEEF0F3));
    p.drawLine(pr.left(), y, pr.right(), y);
    p.setPen(QColor(0x6B7280));
    p.drawText(QRect(0, y - 8, pr.left() - 6, 16), Qt::AlignRight | Qt::AlignVCenter,
               QString::number(max * g / 4));
  }
  int sel_lo = std::min(drag_from_, drag_to_), sel_hi = std::max(drag_from_, drag_to_);
  for (int i = 0; i < n; ++i) {
    qint64 c = model_->valueAt(i, 2).toLongLong();
    int x0 = pr.left() + pr.width() * i / n, x1 = pr.left() + pr.width() * (i + 1) / n;
    int h = static_cast<int>(pr.height() * c / max);
    QColor bar(palette::kAccent);
    if (drag_from_ >= 0 && i >= sel_lo && i <= sel_hi) bar = QColor(0xE07A1F);
    p.fillRect(QRect(x0, pr.bottom() - h + 1, std::max(1, x1 - x0 - 1), h), bar);
  }
  // Axis labels: first, middle, last bucket start, in the display zone.
  p.setPen(QColor(0x374151));
  auto label = [&](int i, Qt::Alignment a) {
    int x = pr.left() + pr.width() * i / n;
    QString t =
        TimeDisplay::instance().format(model_->valueAt(std::min(i, n - 1), i == n ? 1 : 0).toLongLong());
    QRect r(a & Qt::AlignLeft ? x : a & Qt::AlignRight ? x - 260 : x - 130, pr.bottom() + 6, 260, 20);
    p.drawText(r, a | Qt::AlignTop, t);
  };
  label(0, Qt::AlignLeft);
  label(n / 2, Qt::AlignHCenter);
  label(n, Qt::AlignRight);
}

void HistogramWidget::mousePressEvent(QMouseEvent* e) {
  drag_from_ = drag_to_ = bucketAt(e->position().toPoint().x());
  update();
}

void HistogramWidget::mouseMoveEvent(QMouseEvent* e) {
  int b = bucketAt(e->position().toPoint().x());
  if (b >= 0 && model_) {
    setToolTip(tr("%1 – %2: %n event(s)", nullptr, model_->valueAt(b, 2).toInt())
                   .arg(TimeDisplay::instance().format(model_->valueAt(b, 0).toLongLong()),
                        TimeDisplay::instance().format(model_->valueAt(b, 1).toLongLong())));
  }
  if (drag_from_ < 0 || !(e->buttons() & Qt::LeftButton)) return;
  drag_to_ = b;
  update();
}

void HistogramWidget::mouseReleaseEvent(QMouseEvent*) {
  if (drag_from_ >= 0 && model_ && model_->rowCount() > 0) {
    int lo = std::min(drag_from_, drag_to_), hi = std::max(drag_from_, drag_to_);
    Q_EMIT rangeSelected(model_->valueAt(lo, 0).toLongLong(), model_->valueAt(hi, 1).toLongLong());
  }
  drag_from_ = drag_to_ = -1;
  update();
}

void HistogramWidget::mouseDoubleClickEvent(QMouseEvent*) { Q_EMIT resetRequested(); }

// ---- provenance pane

ProvenancePane::ProvenancePane(CaseService* service, QWidget* parent)
    : QWidget(parent),
      service_(service),
      model_(new SnapshotModel(service->dbPath(), provenance_loader(-1), this)) {
  setObjectName(QStringLiteral("provenancePane"));
  auto* layout = new QVBoxLayout(this);
  title_ = new QLabel(tr("Select a row to see where it came from."), this);
  title_->setWordWrap(true);
  title_->setStyleSheet(QStringLiteral("font-weight: 600; color: #1F4E79;"));
  layout->addWidget(title_);
  table_ = new QTableView(this);
  table_->setModel(model_);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setWordWrap(true);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setAlternatingRowColors(true);
  connect(model_, &QAbstractItemModel::modelReset, this, [this] {
    if (model_->columnCount() > 2) table_->setColumnHidden(2, true);  // the untranslated key
    table_->resizeColumnToContents(0);
    table_->resizeRowsToContents();  // a few dozen rows: cheap
  });
  layout->addWidget(table_, 1);

  auto* tag_row = new QHBoxLayout;
  tag_edit_ = new QLineEdit(this);
  tag_edit_->setObjectName(QStringLiteral("tagEdit"));
  tag_edit_->setPlaceholderText(tr("Tag, e.g. 重要"));
  note_edit_ = new QLineEdit(this);
  note_edit_->setObjectName(QStringLiteral("noteEdit"));
  note_edit_->setPlaceholderText(tr("Note (optional)"));
  tag_button_ = new QPushButton(tr("Tag"), this);
  tag_button_->setObjectName(QStringLiteral("tagButton"));
  tag_button_->setToolTip(tr("Adds the tag; the change is signed into the custody log"));
  tag_row->addWidget(tag_edit_, 1);
  tag_row->addWidget(note_edit_, 2);
  tag_row->addWidget(tag_button_);
  layout->addLayout(tag_row);
  source_button_ = new QPushButton(tr("Show source…"), this);
  source_button_->setObjectName(QStringLiteral("showSourceButton"));
  source_button_->setToolTip(
      tr("Reads the source row (or bytes) from a fresh, hash-verified copy of the evidence item"));
  layout->addWidget(source_button_);
  tag_button_->setEnabled(false);
  source_button_->setEnabled(false);

  connect(tag_button_, &QPushButton::clicked, this,
          [this] { addTag(tag_edit_->text(), note_edit_->text()); });
  connect(tag_edit_, &QLineEdit::returnPressed, tag_button_, &QPushButton::click);
  connect(source_button_, &QPushButton::clicked, this, &ProvenancePane::showSource);
  connect(service_, &CaseService::tagsChanged, this, [this] {
    if (artifact_id_ >= 0) model_->reload();
  });
  service_->tagNames().then(this, [this](const Outcome<QStringList>& names) {
    if (names.ok()) tag_edit_->setCompleter(new QCompleter(names.value, tag_edit_));
  });
}

void ProvenancePane::showArtifact(qint64 artifact_id) {
  artifact_id_ = artifact_id;
  tag_button_->setEnabled(artifact_id >= 0);
  source_button_->setEnabled(artifact_id >= 0);
  title_->setText(artifact_id >= 0 ? tr("Artifact %1 — provenance").arg(artifact_id)
                                   : tr("Select a row to see where it came from."));
  model_->setLoader(provenance_loader(artifact_id));
  model_->reload();
}

void ProvenancePane::addTag(const QString& tag, const QString& note) {
  if (artifact_id_ < 0 || tag.trimmed().isEmpty()) return;
  tag_button_->setEnabled(false);
  service_->addTag(artifact_id_, tag.trimmed(), note.trimmed())
      .then(this, [this](const Outcome<qint64>& out) {
        tag_button_->setEnabled(true);
        if (out.ok()) {
          tag_edit_->clear();
          note_edit_->clear();
        }
        Q_EMIT tagResult(out.ok(), out.ok() ? tr("Tag added and written to the custody log") : out.error);
      });
}

void ProvenancePane::showSource() {
  if (artifact_id_ < 0) return;
  auto* dialog = new SourceDialog(service_, artifact_id_, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  dialog->show();
}

SourceDialog::SourceDialog(CaseService* service, qint64 artifact_id, QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Source of artifact %1").arg(artifact_id));
  resize(760, 520);
  auto* layout = new QVBoxLayout(this);
  auto* note = new QLabel(tr("Copying the item out of the evidence and checking its SHA-256…"), this);
  note->setWordWrap(true);
  layout->addWidget(note);
  auto* table = new QTableView(this);
  auto* rows = new QStandardItemModel(0, 2, this);
  rows->setHorizontalHeaderLabels({tr("Column"), tr("Value")});
  table->setModel(rows);
  table->horizontalHeader()->setStretchLastSection(true);
  table->verticalHeader()->hide();
  layout->addWidget(table, 1);
  auto* hex = new QPlainTextEdit(this);
  hex->setReadOnly(true);
  hex->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  hex->hide();
  layout->addWidget(hex, 1);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  layout->addWidget(buttons);
  service->loadSource(artifact_id).then(this, [note, rows, table, hex](const Outcome<SourceRecord>& out) {
    if (!out.ok()) {
      note->setText(QStringLiteral("<span style='color:#C62828'>%1</span>").arg(out.error.toHtmlEscaped()));
      return;
    }
    note->setText(out.value.note);
    for (const auto& [k, v] : out.value.fields) rows->appendRow({new QStandardItem(k), new QStandardItem(v)});
    table->resizeColumnToContents(0);
    if (!out.value.hex.isEmpty()) {
      hex->setPlainText(out.value.hex);
      hex->show();
      if (out.value.fields.isEmpty()) table->hide();
    }
  });
}

}  // namespace kanshiki::gui
