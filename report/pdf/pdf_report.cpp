// PDF court report: an own, streaming page layout over QPainter (see pdf_report.h for why not one big
// QTextDocument). Units are PDF device units at kDpi; fonts are given in points and scaled by Qt.
#include "report/pdf/pdf_report.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <QFont>
#include <QFontInfo>
#include <QFontMetricsF>
#include <QGuiApplication>
#include <QImage>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QRawFont>
#include <QTextLayout>
#include <array>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/case_db.h"
#include "core/case_schema.h"
#include "core/error.h"
#include "kanshiki/version.h"

namespace kanshiki {
namespace fs = std::filesystem;

namespace {

constexpr int kDpi = 720;  // 10 device units per point: fine enough for vector output, simple to reason about
constexpr qreal mm(qreal v) { return v / 25.4 * kDpi; }
constexpr qreal pt(qreal v) { return v * kDpi / 72.0; }
constexpr qreal kPictureMaxHeight = mm(28);  // media thumbnails beside their rows

// Qt needs an application object for fonts; a headless CLI has none. The GUI has its own, which is reused.
void ensure_qt_application() {
  if (QCoreApplication::instance()) return;
  if (!std::getenv("QT_QPA_PLATFORM")) ::setenv("QT_QPA_PLATFORM", "offscreen", 1);
  // Without a session, Qt warns about XDG_RUNTIME_DIR on every run; that line is noise for a CLI user.
  static const QtMessageHandler previous =
      qInstallMessageHandler([](QtMsgType type, const QMessageLogContext& context, const QString& message) {
        if (type == QtWarningMsg && message.startsWith(QLatin1String("QStandardPaths:"))) return;
        if (previous) previous(type, context, message);
      });
  static int argc = 1;
  static char name[] = "kanshiki";
  static char* argv[] = {name, nullptr};
  static QGuiApplication* app = new QGuiApplication(argc, argv);  // lives for the process
  (void)app;
}

QString qs(std::string_view s) { return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size())); }

// Evidence text may hold control characters: show them visibly (as the HTML report does) instead of letting
// them vanish or break the layout. Tabs become spaces, CR LF / CR become line breaks.
QString printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\r') {
      out += '\n';
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else if (c == '\t') {
      out += ' ';
    } else if ((c < 0x20 && c != '\n') || c == 0x7f) {
      out += fmt::format("\\x{:02X}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return qs(out);
}

struct Style {
  QFont font;
  std::unique_ptr<QFontMetricsF> metrics;
  qreal line_height = 0;
};

enum class Font { body, small, mono, bold, h1, h2, title };

class Layout {
 public:
  Layout(QPdfWriter& writer, QPainter* painter, const CourtReport& report, int total_pages)
      : w_(writer), p_(painter), r_(report), t_(court_text(report.ja)), total_pages_(total_pages) {
    const QString sans = "Noto Sans CJK JP";
    const QString serif = "Noto Serif CJK JP";
    auto make = [&](Font f, const QString& family, qreal size, bool bold) {
      Style& s = styles_[static_cast<size_t>(f)];
      s.font = QFont(family);
      s.font.setPointSizeF(size);
      s.font.setBold(bold);
      // No OpenType shaping: glyphs then come straight from the cmap, which is what Qt's ToUnicode map is
      // built from (with shaping, substituted glyphs such as proportional digits had no text mapping at all).
      s.font.setStyleStrategy(QFont::StyleStrategy(QFont::PreferOutline | QFont::PreferNoShaping));
      s.metrics = std::make_unique<QFontMetricsF>(s.font, &w_);
      s.line_height = s.metrics->lineSpacing();
    };
    make(Font::body, sans, 9, false);
    make(Font::small, sans, 7, false);
    make(Font::mono, "Noto Sans Mono CJK JP", 6.5, false);
    make(Font::bold, sans, 9, true);
    make(Font::h1, serif, 14, true);
    make(Font::h2, sans, 10.5, true);
    make(Font::title, serif, 20, true);
    page_w_ = w_.width();
    page_h_ = w_.height();
    x0_ = mm(18);
    x1_ = page_w_ - mm(18);
    top_ = mm(22);
    bottom_ = page_h_ - mm(18);
  }

  int page() const { return page_; }

  // Every drawn character is remembered: the ToUnicode fix-up (fix_pdf_tounicode) needs to know which of the
  // code points sharing a glyph the document really contains.
  void draw_text(QPointF at, const QString& text) {
    if (used_)
      for (QChar ch : text) (*used_)[ch.unicode()] = true;
    p_->drawText(at, text);
  }
  void set_used_chars(std::vector<bool>* used) { used_ = used; }
  qreal width() const { return x1_ - x0_; }
  bool drawing() const { return p_ != nullptr; }

  void start() {
    page_ = 1;
    decorate_page();
  }

  void new_page() {
    if (p_) w_.newPage();
    ++page_;
    decorate_page();
  }

  void space(qreal h) { y_ += h; }

  void ensure(qreal h) {
    if (y_ + h > bottom_) new_page();
  }

  // A section heading; keeps at least a few lines of what follows on the same page.
  void heading(const QString& text, Font f = Font::h1) {
    const Style& s = style(f);
    ensure(s.line_height * 2 + style(Font::body).line_height * 4);
    y_ += s.line_height * (f == Font::h1 ? 0.6 : 0.3);
    if (p_) {
      p_->setFont(s.font);
      p_->setPen(QColor(0x1a, 0x2a, 0x4a));
      draw_text(QPointF(x0_, y_ + s.metrics->ascent()), text);
      if (f == Font::h1) {
        p_->setPen(QPen(QColor(0x1a, 0x2a, 0x4a), pt(1)));
        p_->drawLine(QPointF(x0_, y_ + s.line_height + pt(1.5)), QPointF(x1_, y_ + s.line_height + pt(1.5)));
      }
      p_->setPen(Qt::black);
    }
    y_ += s.line_height + pt(f == Font::h1 ? 6 : 3);
  }

  void paragraph(const QString& text, Font f = Font::body, QColor color = Qt::black, qreal indent = 0) {
    const Style& s = style(f);
    for (const QString& line : wrap(text, f, width() - indent)) {
      ensure(s.line_height);
      if (p_) {
        p_->setFont(s.font);
        p_->setPen(color);
        draw_text(QPointF(x0_ + indent, y_ + s.metrics->ascent()), line);
      }
      y_ += s.line_height;
    }
    if (p_) p_->setPen(Qt::black);
    y_ += pt(3);
  }

  // A boxed statement (verification results): green when ok, red when not.
  void verdict(bool ok, const QString& text, const std::vector<std::string>& details = {}) {
    const Style& s = style(Font::bold);
    auto lines = wrap(text, Font::bold, width() - pt(16));
    std::vector<QString> more;
    for (const auto& d : details)
      for (const auto& l : wrap(printable(d), Font::small, width() - pt(24))) more.push_back(l);
    const qreal h = lines.size() * s.line_height + more.size() * style(Font::small).line_height + pt(10);
    ensure(std::min(h, bottom_ - top_));
    if (p_) {
      const QColor edge = ok ? QColor(0x1d, 0x7a, 0x3a) : QColor(0xc0, 0, 0);
      const QColor fill = ok ? QColor(0xe9, 0xf6, 0xee) : QColor(0xfd, 0xe8, 0xe8);
      p_->setPen(QPen(edge, pt(ok ? 1 : 2)));
      p_->setBrush(fill);
      p_->drawRect(QRectF(x0_, y_, width(), std::min(h, bottom_ - y_)));
      p_->setBrush(Qt::NoBrush);
      p_->setPen(ok ? Qt::black : QColor(0x80, 0, 0));
    }
    y_ += pt(5);
    for (const auto& l : lines) {
      if (p_) {
        p_->setFont(s.font);
        draw_text(QPointF(x0_ + pt(8), y_ + s.metrics->ascent()), l);
      }
      y_ += s.line_height;
    }
    for (const auto& l : more) {
      ensure(style(Font::small).line_height);
      if (p_) {
        p_->setFont(style(Font::small).font);
        draw_text(QPointF(x0_ + pt(14), y_ + style(Font::small).metrics->ascent()), l);
      }
      y_ += style(Font::small).line_height;
    }
    if (p_) p_->setPen(Qt::black);
    y_ += pt(9);
  }

  // ----- tables: begin_table, row..., end_table. Rows split across pages at line boundaries; the header
  // row is repeated on every page the table continues on.
  struct Column {
    QString title;
    qreal fraction;
    Font font = Font::small;
  };

  void begin_table(std::vector<Column> columns) {
    columns_ = std::move(columns);
    widths_.clear();
    for (const auto& c : columns_) widths_.push_back(c.fraction * width());
    ensure(header_height() + style(Font::small).line_height * 3);
    draw_header();
  }

  // `picture` (optional) is drawn at the top of column `picture_column`, scaled to the column's width and at
  // most kPictureMaxHeight high; the row is made tall enough for it.
  void row(const std::vector<QString>& cells, bool shaded = false, const QImage* picture = nullptr,
           size_t picture_column = 0) {
    constexpr qreal pad_unit = 2.2;
    const qreal pad = pt(pad_unit);
    std::vector<std::vector<QString>> lines(cells.size());
    size_t n_lines = 1;
    for (size_t i = 0; i < cells.size() && i < columns_.size(); ++i) {
      lines[i] = wrap(cells[i], columns_[i].font, widths_[i] - 2 * pad);
      n_lines = std::max(n_lines, lines[i].size());
    }
    qreal lh = 0;
    for (const auto& c : columns_) lh = std::max(lh, style(c.font).line_height);
    QSizeF picture_size;
    if (picture && !picture->isNull() && picture_column < columns_.size()) {
      picture_size = QSizeF(picture->size()).scaled(widths_[picture_column] - 2 * pad, kPictureMaxHeight,
                                                    Qt::KeepAspectRatio);
      n_lines = std::max(n_lines, static_cast<size_t>(std::ceil(picture_size.height() / lh)));
    }
    size_t start = 0;
    while (start < n_lines) {
      const size_t remaining = n_lines - start;
      const qreal avail_h = bottom_ - y_ - 2 * pad;
      const size_t avail = avail_h < lh ? 0 : static_cast<size_t>(avail_h / lh);
      const qreal fresh_capacity = bottom_ - top_ - header_height() - 2 * pad;
      const bool fits_fresh_page = remaining * lh <= fresh_capacity;
      if (avail == 0 || (avail < remaining && fits_fresh_page && !at_table_top_)) {
        new_page();
        draw_header();
        continue;
      }
      const size_t n = std::min(avail, remaining);
      const qreal h = n * lh + 2 * pad;
      if (p_) {
        if (shaded) p_->fillRect(QRectF(x0_, y_, width(), h), QColor(0xff, 0xf1, 0xcc));
        p_->setPen(QPen(QColor(0x99, 0x99, 0x99), pt(0.4)));
        qreal x = x0_;
        for (size_t i = 0; i < columns_.size(); ++i) {
          p_->drawRect(QRectF(x, y_, widths_[i], h));
          const Style& s = style(columns_[i].font);
          p_->setFont(s.font);
          p_->setPen(Qt::black);
          for (size_t k = start; k < start + n && k < lines[i].size(); ++k)
            draw_text(QPointF(x + pad, y_ + pad + (k - start) * lh + s.metrics->ascent()), lines[i][k]);
          if (start == 0 && i == picture_column && !picture_size.isEmpty()) {
            // On the row's first page; shrunk if the row had to be split before the picture's bottom.
            const QSizeF fits = picture_size.scaled(picture_size.width(), n * lh, Qt::KeepAspectRatio);
            p_->drawImage(QRectF(QPointF(x + pad, y_ + pad), fits), *picture);
          }
          p_->setPen(QPen(QColor(0x99, 0x99, 0x99), pt(0.4)));
          x += widths_[i];
        }
        p_->setPen(Qt::black);
      }
      y_ += h;
      start += n;
      at_table_top_ = false;
    }
  }

  void end_table() {
    columns_.clear();
    y_ += pt(8);
  }

  void kv_table(const std::vector<LabelValue>& rows, qreal label_fraction = 0.3) {
    begin_table({{"", label_fraction, Font::bold}, {"", 1 - label_fraction, Font::body}});
    for (const auto& [k, v] : rows) row({printable(k), printable(v)});
    end_table();
  }

  // Table of contents entry (title page): dotted leader to the page number.
  void toc_line(const QString& text, int page, qreal indent) {
    const Style& s = style(indent > 0 ? Font::body : Font::bold);
    ensure(s.line_height);
    if (p_) {
      p_->setFont(s.font);
      draw_text(QPointF(x0_ + indent, y_ + s.metrics->ascent()), text);
      const QString num = page > 0 ? QString::number(page) : QString("–");
      const qreal nw = s.metrics->horizontalAdvance(num);
      draw_text(QPointF(x1_ - nw, y_ + s.metrics->ascent()), num);
      const qreal tx = x0_ + indent + s.metrics->horizontalAdvance(text) + pt(4);
      p_->setPen(QPen(QColor(0x88, 0x88, 0x88), pt(0.5), Qt::DotLine));
      p_->drawLine(QPointF(tx, y_ + s.metrics->ascent()),
                   QPointF(x1_ - nw - pt(4), y_ + s.metrics->ascent()));
      p_->setPen(Qt::black);
    }
    y_ += s.line_height * 1.25;
  }

  void title_block(const QString& title, const QString& subtitle) {
    y_ += mm(18);
    const Style& s = style(Font::title);
    if (p_) {
      p_->setFont(s.font);
      p_->setPen(QColor(0x1a, 0x2a, 0x4a));
      const qreal tw = s.metrics->horizontalAdvance(title);
      draw_text(QPointF(x0_ + (width() - tw) / 2, y_ + s.metrics->ascent()), title);
      p_->setFont(style(Font::body).font);
      const qreal sw = style(Font::body).metrics->horizontalAdvance(subtitle);
      draw_text(
          QPointF(x0_ + (width() - sw) / 2, y_ + s.line_height + pt(6) + style(Font::body).metrics->ascent()),
          subtitle);
      p_->setPen(QPen(QColor(0x1a, 0x2a, 0x4a), pt(2)));
      const qreal ly = y_ + s.line_height + pt(6) + style(Font::body).line_height + pt(8);
      p_->drawLine(QPointF(x0_, ly), QPointF(x1_, ly));
      p_->setPen(Qt::black);
    }
    y_ += s.line_height + pt(6) + style(Font::body).line_height + pt(22);
  }

  std::vector<QString> wrap(const QString& text, Font f, qreal max_width) {
    const Style& s = style(f);
    std::vector<QString> out;
    const QStringList paragraphs = text.split(QLatin1Char('\n'));
    for (const QString& par : paragraphs) {
      if (par.isEmpty()) {
        out.emplace_back();
        continue;
      }
      if (s.metrics->horizontalAdvance(par) <= max_width) {
        out.push_back(par);
        continue;
      }
      QTextLayout layout(par, s.font, &w_);
      QTextOption opt;
      opt.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
      layout.setTextOption(opt);
      layout.beginLayout();
      for (QTextLine line = layout.createLine(); line.isValid(); line = layout.createLine()) {
        line.setLineWidth(max_width);
        out.push_back(par.mid(line.textStart(), line.textLength()));
      }
      layout.endLayout();
    }
    if (out.empty()) out.emplace_back();
    return out;
  }

 private:
  const Style& style(Font f) const { return styles_[static_cast<size_t>(f)]; }

  qreal header_height() const { return style(Font::bold).line_height + pt(5); }

  void draw_header() {
    if (columns_.empty()) return;
    bool any_title = false;
    for (const auto& c : columns_) any_title |= !c.title.isEmpty();
    at_table_top_ = true;
    if (!any_title) return;
    const qreal h = header_height();
    if (p_) {
      p_->fillRect(QRectF(x0_, y_, width(), h), QColor(0xe3, 0xe7, 0xee));
      p_->setPen(QPen(QColor(0x99, 0x99, 0x99), pt(0.4)));
      qreal x = x0_;
      const Style& s = style(Font::bold);
      for (size_t i = 0; i < columns_.size(); ++i) {
        p_->drawRect(QRectF(x, y_, widths_[i], h));
        p_->setFont(style(Font::small).font);
        QFont f = style(Font::small).font;
        f.setBold(true);
        p_->setFont(f);
        p_->setPen(Qt::black);
        draw_text(QPointF(x + pt(2.2), y_ + pt(2.5) + s.metrics->ascent() * 0.8), columns_[i].title);
        p_->setPen(QPen(QColor(0x99, 0x99, 0x99), pt(0.4)));
        x += widths_[i];
      }
      p_->setPen(Qt::black);
    }
    y_ += h;
  }

  // Running header (case number, report title) and footer (generated, page i of N) on every page.
  void decorate_page() {
    y_ = top_;
    if (!p_) return;
    const Style& s = style(Font::small);
    p_->setFont(s.font);
    p_->setPen(QColor(0x33, 0x33, 0x33));
    const qreal hy = mm(12);
    draw_text(QPointF(x0_, hy), qs(fmt::format("{} {}", t_.case_number, r_.case_number)));
    const QString title = qs(t_.title);
    draw_text(QPointF((page_w_ - s.metrics->horizontalAdvance(title)) / 2, hy), title);
    const QString tool = qs(r_.tool);
    draw_text(QPointF(x1_ - s.metrics->horizontalAdvance(tool), hy), tool);
    p_->setPen(QPen(QColor(0x66, 0x66, 0x66), pt(0.5)));
    p_->drawLine(QPointF(x0_, hy + pt(3)), QPointF(x1_, hy + pt(3)));
    const qreal fy = page_h_ - mm(10);
    p_->drawLine(QPointF(x0_, fy - s.line_height), QPointF(x1_, fy - s.line_height));
    p_->setPen(QColor(0x33, 0x33, 0x33));
    const QString left = qs(fmt::format("{} UTC · {}", r_.generated_utc,
                                        r_.scope == FindingScope::tagged ? t_.scope_tagged : t_.scope_all));
    draw_text(QPointF(x0_, fy), left);
    const QString right = qs(r_.ja ? fmt::format("{} {} / {}", t_.page, page_, total_pages_)
                                   : fmt::format("{} {} {} {}", t_.page, page_, t_.of_pages, total_pages_));
    draw_text(QPointF(x1_ - s.metrics->horizontalAdvance(right), fy), right);
    p_->setPen(Qt::black);
  }

  QPdfWriter& w_;
  QPainter* p_;
  const CourtReport& r_;
  const CourtText& t_;
  int total_pages_;
  std::array<Style, 7> styles_;
  qreal page_w_ = 0, page_h_ = 0, x0_ = 0, x1_ = 0, top_ = 0, bottom_ = 0, y_ = 0;
  int page_ = 0;
  std::vector<Column> columns_;
  std::vector<qreal> widths_;
  bool at_table_top_ = false;
  std::vector<bool>* used_ = nullptr;
};

// ----- the document -----

struct TocEntry {
  QString title;
  int page = 0;
  bool sub = false;
};

struct RenderOutcome {
  int pages = 0;
  int64_t findings = 0;
  std::vector<TocEntry> toc;
};

QString finding_content(const Finding& f) {
  // Long free text (message body, URL, note) on its own lines; the short fields joined on one line.
  std::string head, body;
  for (const auto& [label, value] : f.fields) {
    const bool long_text = value.size() > 60 || value.find('\n') != std::string::npos;
    if (long_text || label == "本文" || label == "Text") {
      body += (body.empty() ? "" : "\n") + label + ": " + value;
    } else {
      head += (head.empty() ? "" : " · ") + label + ": " + value;
    }
  }
  if (!f.tags.empty()) head = "[" + f.tags + "] " + head;
  return printable(head.empty() ? body : body.empty() ? head : head + "\n" + body);
}

RenderOutcome render(CaseDb& c, const CourtReport& r, QPdfWriter& writer, QPainter* painter, int total_pages,
                     const std::vector<TocEntry>& toc_in, std::vector<bool>* used_chars = nullptr) {
  const CourtText& t = court_text(r.ja);
  const bool ja = r.ja;
  Layout L(writer, painter, r, total_pages);
  L.set_used_chars(used_chars);
  RenderOutcome out;
  auto section = [&](std::string_view title, bool sub = false) {
    if (!sub && L.page() > 1) L.space(0);
    L.heading(qs(title), sub ? Font::h2 : Font::h1);
    out.toc.push_back({qs(title), L.page(), sub});
  };

  // Page 1: title, key facts, contents.
  L.start();
  L.title_block(qs(t.title), qs(t.subtitle));
  {
    std::vector<LabelValue> key;
    key.emplace_back(std::string(t.case_number), r.case_number);
    for (const auto& kv : r.admin)
      if (kv.first == (ja ? "鑑定機関" : "Laboratory") ||
          kv.first == (ja ? "事件番号" : "Agency case number") ||
          kv.first == (ja ? "鑑定機関の受付番号" : "Laboratory case number"))
        key.push_back(kv);
    key.emplace_back(std::string(ja ? "報告対象" : "Scope"),
                     std::string(r.scope == FindingScope::tagged ? t.scope_tagged : t.scope_all));
    key.emplace_back(std::string(t.examiner), r.examiner_name);
    key.emplace_back(std::string(ja ? "作成日時 (UTC)" : "Generated (UTC)"), r.generated_utc);
    L.kv_table(key, 0.3);
  }
  L.heading(qs(t.contents), Font::h2);
  for (const auto& e : toc_in) L.toc_line(e.title, e.page, e.sub ? pt(14) : 0);
  L.new_page();

  // 1 Administrative information.
  section(t.s_admin);
  L.kv_table(r.admin);

  // 2 Evidence items.
  section(t.s_items);
  for (const auto& e : r.evidence) {
    L.heading(qs(fmt::format("E{} — {}{}", e.id, e.exhibit, e.label.empty() ? "" : " (" + e.label + ")")),
              Font::h2);
    std::vector<LabelValue> rows = e.facts;
    if (e.facts.empty())
      rows.emplace_back(ja ? "端末情報" : "Device facts", ja ? "（未登録：kanshiki evidence set で記録）"
                                                             : "(not recorded: see kanshiki evidence set)");
    rows.emplace_back(ja ? "取得元" : "Source", e.source_path);
    rows.emplace_back(ja ? "形式" : "Format", e.kind);
    if (!e.derived_from.empty()) rows.emplace_back(ja ? "派生元" : "Derived from", e.derived_from);
    if (!e.derivation.empty()) rows.emplace_back(ja ? "読み取り方法" : "How it was read", e.derivation);
    rows.emplace_back(ja ? "取り込み日時 (UTC)" : "Ingested (UTC)", e.ingested_utc);
    rows.emplace_back(ja ? "ファイル数 / 合計サイズ" : "Items / total bytes",
                      fmt::format("{} / {}", e.items, e.bytes));
    rows.emplace_back(ja ? "状態 / 問題件数" : "Status / problems",
                      fmt::format("{} / {}", e.status, e.problems));
    if (!e.sha256.empty()) {
      rows.emplace_back(ja ? "コンテナ MD5" : "Container MD5", e.md5);
      rows.emplace_back(ja ? "コンテナ SHA-1" : "Container SHA-1", e.sha1);
      rows.emplace_back(ja ? "コンテナ SHA-256" : "Container SHA-256", e.sha256);
    }
    rows.emplace_back(ja ? "ファイル一覧（マニフェスト）" : "Item manifest",
                      e.manifest_path + "\nSHA-256 " + e.manifest_sha256);
    L.kv_table(rows);
  }

  // 3 Chain of custody.
  section(t.s_custody);
  L.verdict(r.custody_verification.ok,
            qs(fmt::format("{} — {}", r.custody_verification.ok ? t.verified_ok : t.verified_failed,
                           r.custody_verification.summary())),
            r.custody_verification.problems);
  L.begin_table({{ja ? "番号" : "Seq", 0.06},
                 {"UTC", 0.18, Font::mono},
                 {qs(t.examiner), 0.11},
                 {ja ? "操作 / 状態" : "Action / status", 0.12},
                 {ja ? "内容" : "Details", 0.39},
                 {ja ? "記録ハッシュ" : "Entry hash", 0.14, Font::mono}});
  for (const auto& e : r.custody)
    L.row({QString::number(e.seq), qs(e.utc), printable(e.examiner), printable(e.action + "\n" + e.status),
           printable(e.detail), qs(e.entry_hash.substr(0, 16) + "…")},
          e.status == "failed");
  L.end_table();

  // 4 Method.
  section(t.s_method);
  L.kv_table(r.method);
  L.heading(qs(ja ? "使用したパーサと版" : "Parsers and versions used"), Font::h2);
  L.begin_table({{ja ? "パーサ" : "Parser", 0.36},
                 {ja ? "版" : "Version", 0.12},
                 {ja ? "ファイル数" : "Files", 0.13},
                 {ja ? "抽出件数" : "Artifacts", 0.13},
                 {ja ? "警告数" : "Warnings", 0.13},
                 {ja ? "正常終了以外" : "Not ok", 0.13}});
  for (const auto& p : r.parsers)
    L.row({qs(p.id), qs(p.version), QString::number(p.files), QString::number(p.artifacts),
           QString::number(p.warnings), QString::number(p.not_ok)});
  L.end_table();

  // 5 Integrity.
  section(t.s_integrity);
  {
    std::vector<std::string> issues;
    for (const auto& i : r.verify.issues)
      issues.push_back(fmt::format("E{} {}: {} — {}", i.evidence_id, i.kind, i.path, i.detail));
    L.verdict(r.verify.ok(),
              qs(fmt::format("{} ({} {})", r.verify.ok() ? t.originals_unmodified : t.originals_modified,
                             r.verify.items_checked, ja ? "ファイルを再計算" : "items re-hashed")),
              issues);
  }
  L.heading(qs(ja ? "証拠品のハッシュ値" : "Evidence hashes"), Font::h2);
  L.begin_table(
      {{ja ? "証拠品" : "Evidence", 0.16}, {ja ? "対象" : "Of", 0.22}, {"SHA-256", 0.62, Font::mono}});
  for (const auto& e : r.evidence) {
    const std::string ex = fmt::format("E{} {}", e.id, e.exhibit);
    if (!e.sha256.empty()) L.row({qs(ex), qs(ja ? "コンテナ" : "container"), qs(e.sha256)});
    L.row({qs(ex), qs(ja ? "ファイル一覧（全ファイルのハッシュ）" : "manifest (hashes of every item)"),
           qs(e.manifest_sha256)});
  }
  L.end_table();
  L.heading(qs(ja ? "出力ファイルのハッシュ値" : "Hashes of exported files"), Font::h2);
  if (r.exported_files.empty()) {
    L.paragraph(
        qs(ja ? "本報告書以前に出力されたファイルはない。" : "No files were exported before this report."));
  } else {
    L.begin_table({{ja ? "番号" : "Seq", 0.07},
                   {ja ? "操作" : "Action", 0.1},
                   {ja ? "ファイル" : "File", 0.43},
                   {"SHA-256", 0.4, Font::mono}});
    for (const auto& f : r.exported_files)
      L.row({QString::number(f.seq), qs(f.action), printable(f.path), qs(f.sha256)});
    L.end_table();
  }
  L.paragraph(
      qs(ja ? "本報告書ファイル自体の SHA-256 は、作成後に保管記録（操作 report）に記録される。"
            : "The SHA-256 of this report file itself is recorded in the custody log (action \"report\") "
              "once it is written."),
      Font::small);

  // 6 Results.
  section(t.s_results);
  L.paragraph(qs(r.scope == FindingScope::tagged
                     ? fmt::format("{}（{} 件）。", t.scope_tagged, r.findings_in_scope)
                     : fmt::format("{}（{} 件）。", t.scope_all, r.findings_in_scope)));
  if (r.scope == FindingScope::tagged && !ja) {
    // (the Japanese sentence above already reads naturally; English gets its own)
  }
  L.begin_table({{ja ? "種別" : "Type", 0.4},
                 {ja ? "全件数" : "Total", 0.2},
                 {ja ? "報告対象" : "In this report", 0.2},
                 {qs(t.recovered), 0.2}});
  for (const auto& tc : r.types)
    if (tc.total > 0)
      L.row({qs(artifact_type_label(tc.type, ja)), QString::number(tc.total), QString::number(tc.in_scope),
             QString::number(tc.recovered)});
  L.end_table();
  if (r.findings_in_scope == 0) L.paragraph(qs(t.no_findings));
  for (const auto& tc : r.types) {
    if (tc.in_scope == 0) continue;
    section(fmt::format("{} ({})", artifact_type_label(tc.type, ja), tc.in_scope), true);
    L.paragraph(qs(fmt::format(
                    fmt::runtime(
                        ja ? "日時は上段が UTC、下段が {}。網掛けは削除後に復元されたレコード。"
                           : "Times: UTC above, {} below. Shaded rows are records recovered after deletion."),
                    utc_offset_label(r.offset_minutes))),
                Font::small);
    // Media: a thumbnail column (`kanshiki thumbnails`, read from CASE/thumbnails) beside the content.
    const bool media = tc.type == "media";
    if (media)
      L.begin_table({{"ID", 0.06},
                     {ja ? "日時" : "Time", 0.15, Font::mono},
                     {ja ? "サムネイル" : "Thumbnail", 0.15},
                     {ja ? "内容" : "Content", 0.36},
                     {ja ? "出所" : "Provenance", 0.28, Font::mono}});
    else
      L.begin_table({{"ID", 0.06},
                     {ja ? "日時" : "Time", 0.17, Font::mono},
                     {ja ? "内容" : "Content", 0.49},
                     {ja ? "出所" : "Provenance", 0.28, Font::mono}});
    FindingCursor cursor(c.db(), tc.type, tc.table, r.scope, ja, r.offset_minutes);
    Finding f;
    while (cursor.next(f)) {
      std::string prov = f.evidence + " " + f.item_path + "\n" + f.location + "\n" + f.parser + "\nSHA-256 " +
                         f.item_sha256.substr(0, 16) + "…";
      if (f.recovered) prov += "\n" + std::string(t.recovered) + " (RECOVERED)";
      const QString when = qs(f.time_utc.empty() ? "—" : f.time_utc + "\n" + f.time_local);
      if (media) {
        // Loaded per row (the layout pass too, for the row height): at most one ~20 KB image in memory.
        QImage thumbnail;
        if (!f.thumbnail.empty()) thumbnail.load(QString::fromStdString((c.dir() / f.thumbnail).string()));
        L.row({QString::number(f.id), when, thumbnail.isNull() ? QStringLiteral("—") : QString(),
               finding_content(f), printable(prov)},
              f.recovered, thumbnail.isNull() ? nullptr : &thumbnail, 2);
      } else {
        L.row({QString::number(f.id), when, finding_content(f), printable(prov)}, f.recovered);
      }
      ++out.findings;
    }
    L.end_table();
  }

  // Known files (hash sets): in the results, since a known-bad match is a finding of its own.
  if (r.known_files) {
    const report::KnownFiles& k = *r.known_files;
    section(report::known_files_title(ja), true);
    L.begin_table({{ja ? "セット" : "Set", 0.2},
                   {ja ? "種別" : "Kind", 0.16},
                   {ja ? "形式" : "Format", 0.07},
                   {ja ? "ハッシュ数" : "Hashes", 0.08},
                   {ja ? "一致" : "Matches", 0.07},
                   {ja ? "セットファイルの SHA-256" : "SHA-256 of the set file", 0.42, Font::mono}});
    for (const auto& s : k.sets)
      L.row({printable(s.name), qs(report::known_file_kind_label(s.kind, ja)), printable(s.format),
             QString::number(s.entries), QString::number(s.matching_items), qs(s.source_sha256)},
            s.kind == "known-bad" && s.matching_items > 0);
    L.end_table();
    L.heading(qs(report::known_bad_heading(ja, k.bad_total)), Font::h2);
    if (k.bad_matches.empty()) {
      L.paragraph(qs(ja ? "なし。" : "None."));
    } else {
      L.begin_table({{ja ? "証拠品" : "Exhibit", 0.1},
                     {ja ? "パス" : "Path", 0.3},
                     {ja ? "セット / 一致した値" : "Set / matched on", 0.16},
                     {ja ? "カテゴリ / セット内の名前" : "Category / name in the set", 0.16},
                     {"SHA-256", 0.28, Font::mono}});
      for (const auto& m : k.bad_matches)
        L.row({printable(m.exhibit), printable(m.path), printable(m.set_name + "\n" + m.algo),
               printable(m.category + (m.file_name.empty() ? "" : "\n" + m.file_name)), qs(m.sha256)});
      L.end_table();
      if (k.bad_total > static_cast<int64_t>(k.bad_matches.size()))
        L.paragraph(qs(report::known_files_more_note(ja, k.bad_matches.size(), k.bad_total)), Font::small);
    }
    L.paragraph(qs(report::known_good_note(ja, k.good_items)), Font::small);
  }

  // 7 Limitations.
  section(t.s_limitations);
  {
    std::string w;
    for (const auto& [sev, n] : r.warnings_by_severity) w += (w.empty() ? "" : ", ") + sev + ": " + n;
    L.paragraph(qs(fmt::format("{}: {}", ja ? "記録された警告" : "Warnings recorded",
                               w.empty() ? (ja ? "なし" : "none") : w)));
  }
  L.heading(qs(ja ? "解析できなかったファイル・エラー" : "Files that failed or could not be read"), Font::h2);
  if (r.failures.empty()) {
    L.paragraph(qs(ja ? "なし。" : "None."));
  } else {
    for (const auto& f : r.failures) L.paragraph(printable("• " + f), Font::small);
    if (r.failures_total > static_cast<int64_t>(r.failures.size()))
      L.paragraph(
          qs(fmt::format(
              fmt::runtime(ja ? "ほか {} 件（事件データベースの warnings 表及び HTML 報告書を参照）。"
                              : "and {} more (see the warnings table of the case and the HTML report)."),
              r.failures_total - static_cast<int64_t>(r.failures.size()))),
          Font::small);
  }
  L.heading(qs(ja ? "パーサの既知の制限事項" : "Known parser limitations"), Font::h2);
  for (const auto& p : r.parsers) {
    if (p.limitations.empty()) continue;
    L.paragraph(qs(p.id + " " + p.version), Font::bold);
    for (const auto& l : p.limitations) L.paragraph(printable("• " + l), Font::small, Qt::black, pt(8));
  }
  L.paragraph(
      qs(ja ? "削除されたデータの復元（復元データ）は部分的であり、見つからないことは存在しなかったことを"
              "意味しない。報告対象外の所見は事件データベースに保存されている。"
            : "Recovery of deleted records is partial; absence of a record does not prove it never "
              "existed. Findings outside the scope of this report remain in the case database."));

  // 8 Examiner and reviewer.
  section(t.s_signoff);
  {
    std::vector<LabelValue> ex{{std::string(t.examiner), r.examiner_name},
                               {ja ? "職・資格" : "Title / qualification",
                                r.examiner_title.empty() ? std::string(t.not_stated) : r.examiner_title},
                               {std::string(t.fingerprint), r.examiner_fingerprint},
                               {std::string(t.date), r.generated_utc.substr(0, 10)},
                               {std::string(t.signature), "\n\n"}};
    L.kv_table(ex);
    std::vector<LabelValue> rv{
        {std::string(t.reviewer), r.reviewer.empty() ? std::string(t.not_stated) : r.reviewer},
        {ja ? "職" : "Title", r.reviewer_title.empty() ? std::string(t.not_stated) : r.reviewer_title},
        {std::string(t.date), r.review_date.empty() ? std::string(t.not_stated) : r.review_date},
        {std::string(t.signature), "\n\n"}};
    L.kv_table(rv);
  }

  // Appendix: hash manifest.
  L.new_page();
  section(t.s_appendix);
  {
    ManifestCursor m(c.db());
    L.paragraph(qs(fmt::format(fmt::runtime(ja ? "全 {} ファイル（証拠品番号・パス順）。"
                                               : "{} items, by evidence and path."),
                               m.count())),
                Font::small);
    L.begin_table({{ja ? "証拠" : "Ev.", 0.05},
                   {ja ? "パス" : "Path", 0.38},
                   {ja ? "サイズ" : "Size", 0.09},
                   {"MD5 / SHA-1 / SHA-256", 0.48, Font::mono}});
    ManifestRow row;
    while (m.next(row))
      L.row({qs(fmt::format("E{}", row.evidence_id)), printable(row.path), QString::number(row.size),
             qs(row.md5 + "\n" + row.sha1 + "\n" + row.sha256)});
    L.end_table();
  }
  out.pages = L.page();
  return out;
}

}  // namespace

namespace {

// Rewrites the destination code points of one CMap (buf[from, to)) in place; returns how many changed.
// Destinations: in "beginbfrange" lines every <XXXX> after the first two, in "beginbfchar" lines the second.
size_t fix_cmap(std::string& buf, size_t from, size_t to,
                const std::unordered_map<uint16_t, uint16_t>& alias) {
  size_t fixed = 0;
  bool in_range = false, in_char = false;
  for (size_t line_start = from; line_start < to;) {
    size_t line_end = buf.find('\n', line_start);
    if (line_end == std::string::npos || line_end > to) line_end = to;
    const std::string_view line(buf.data() + line_start, line_end - line_start);
    if (line.find("beginbfrange") != std::string_view::npos)
      in_range = true;
    else if (line.find("endbfrange") != std::string_view::npos)
      in_range = false;
    else if (line.find("beginbfchar") != std::string_view::npos)
      in_char = true;
    else if (line.find("endbfchar") != std::string_view::npos)
      in_char = false;
    else if ((in_range || in_char) && !line.empty() && line.front() == '<') {
      int token = 0;
      for (size_t i = 0; i < line.size(); ++i) {
        if (line[i] != '<') continue;
        const size_t close = line.find('>', i);
        if (close == std::string_view::npos) break;
        const bool destination = in_range ? token >= 2 : token >= 1;
        if (destination && close - i == 5) {
          const unsigned v =
              static_cast<unsigned>(std::strtoul(std::string(line.substr(i + 1, 4)).c_str(), nullptr, 16));
          if (auto it = alias.find(static_cast<uint16_t>(v)); it != alias.end()) {
            const unsigned fixed_v = it->second;
            const std::string hex = fmt::format("{:04X}", fixed_v);
            buf.replace(line_start + i + 1, 4, hex);
            ++fixed;
          }
        }
        ++token;
        i = close;
      }
    }
    line_start = line_end + 1;
  }
  return fixed;
}

}  // namespace

size_t fix_pdf_tounicode(const fs::path& pdf, const std::unordered_map<uint16_t, uint16_t>& alias) {
  // Qt writes each ToUnicode CMap as an uncompressed stream ("begincmap" ... "endcmap"); replacing 4 hex
  // digits by 4 others keeps every byte offset, so the xref table stays valid. One forward pass in chunks; a
  // chunk ends after the last complete CMap it holds (CMaps are far smaller than a chunk).
  const int fd = ::open(pdf.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) throw Error(ExitCode::failure, "cannot reopen " + pdf.string() + " to fix its text map");
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  const off_t size = ::lseek(fd, 0, SEEK_END);
  constexpr off_t kChunk = 16 << 20, kOverlap = 2 << 20;
  size_t fixed = 0;
  std::string buf;
  for (off_t begin = 0; begin < size;) {
    const off_t end = std::min(size, begin + kChunk);
    buf.resize(static_cast<size_t>(end - begin));
    if (::pread(fd, buf.data(), buf.size(), begin) != static_cast<ssize_t>(buf.size()))
      throw Error(ExitCode::failure, "cannot read back " + pdf.string());
    size_t pos = 0, resume = 0, fixed_here = 0;
    while ((pos = buf.find("begincmap", pos)) != std::string::npos) {
      const size_t stop = buf.find("endcmap", pos);
      if (stop == std::string::npos) break;
      fixed_here += fix_cmap(buf, pos, stop, alias);
      pos = resume = stop;
    }
    if (fixed_here && ::pwrite(fd, buf.data(), buf.size(), begin) != static_cast<ssize_t>(buf.size()))
      throw Error(ExitCode::failure, "cannot write " + pdf.string());
    fixed += fixed_here;
    if (end == size) break;
    begin = resume ? begin + static_cast<off_t>(resume) : std::max(begin + 1, end - kOverlap);
  }
  ::fsync(fd);
  return fixed;
}

std::unordered_map<uint16_t, uint16_t> tounicode_aliases(const std::vector<bool>& used) {
  // All Noto CJK faces share one character-to-glyph design, so the regular face stands for all of them.
  QFont font("Noto Sans CJK JP");
  const QRawFont raw = QRawFont::fromFont(font);
  std::unordered_map<uint32_t, uint16_t> drawn_by_glyph;
  auto glyph_of = [&](uint16_t cp) -> uint32_t {
    const QChar ch(cp);
    if (ch.isSurrogate()) return 0;
    const QList<quint32> g = raw.glyphIndexesForString(QString(ch));
    return g.isEmpty() ? 0 : g.front();
  };
  for (uint32_t cp = 1; cp < used.size(); ++cp)
    if (used[cp])
      if (const uint32_t g = glyph_of(static_cast<uint16_t>(cp)); g)
        drawn_by_glyph.emplace(g, static_cast<uint16_t>(cp));
  std::unordered_map<uint16_t, uint16_t> alias;
  for (uint32_t cp = 1; cp < 0x10000; ++cp) {
    if (used[cp]) continue;
    const uint32_t g = glyph_of(static_cast<uint16_t>(cp));
    if (!g) continue;
    if (auto it = drawn_by_glyph.find(g); it != drawn_by_glyph.end())
      alias.emplace(static_cast<uint16_t>(cp), it->second);
  }
  return alias;
}

PdfReportResult write_pdf_report(CaseDb& c, const CourtReport& report, const PdfReportOptions& options) {
  if (options.output.filename().empty()) throw Error(ExitCode::usage, "PDF report output must name a file");
  ensure_qt_application();
  {
    QFont probe("Noto Sans CJK JP");
    const QString family = QFontInfo(probe).family();
    if (!family.contains("Noto Sans CJK", Qt::CaseInsensitive))
      throw Error(ExitCode::failure,
                  "the Noto CJK fonts are not installed (found \"" + family.toStdString() +
                      "\"): install fonts-noto-cjk (scripts/install-deps) / Noto CJK フォントがありません");
  }
  std::error_code ec;
  if (options.output.has_parent_path()) fs::create_directories(options.output.parent_path(), ec);
  const fs::path tmp = options.output.string() + ".tmp";

  // Pass 1 measures (no painter: nothing is drawn or written); pass 2 draws with the page numbers it found.
  RenderOutcome measured;
  {
    QPdfWriter probe(QString::fromStdString((options.output.string() + ".measure")));
    probe.setResolution(kDpi);
    probe.setPageSize(QPageSize(QPageSize::A4));
    probe.setPageMargins(QMarginsF(0, 0, 0, 0));
    std::vector<TocEntry> blank_toc;
    // The contents list has a fixed number of entries; measure with placeholders of the same count.
    RenderOutcome first = render(c, report, probe, nullptr, 0, blank_toc);
    std::vector<TocEntry> placeholder = first.toc;
    measured = render(c, report, probe, nullptr, 0, placeholder);
    fs::remove(options.output.string() + ".measure", ec);
  }
  RenderOutcome drawn;
  std::vector<bool> used_chars(0x10000, false);
  {
    QPdfWriter writer(QString::fromStdString(tmp.string()));
    writer.setResolution(kDpi);
    writer.setPageSize(QPageSize(QPageSize::A4));
    writer.setPageMargins(QMarginsF(0, 0, 0, 0));
    writer.setTitle(
        QString::fromStdString(fmt::format("{} {}", court_text(report.ja).title, report.case_number)));
    writer.setCreator(QString::fromStdString(report.tool));
    QPainter painter;
    if (!painter.begin(&writer)) throw Error(ExitCode::failure, "cannot write " + tmp.string());
    drawn = render(c, report, writer, &painter, measured.pages, measured.toc, &used_chars);
    painter.end();
  }
  if (drawn.pages != measured.pages)  // both passes run the same code over one snapshot; never expected
    throw Error(ExitCode::failure, fmt::format("PDF layout differs between passes ({} vs {} pages)",
                                               measured.pages, drawn.pages));
  if (!fs::exists(tmp) || fs::file_size(tmp) == 0)
    throw Error(ExitCode::failure, "PDF was not written: " + tmp.string());
  fix_pdf_tounicode(tmp, tounicode_aliases(used_chars));
  fs::rename(tmp, options.output);
  return {options.output, drawn.pages, drawn.findings};
}

}  // namespace kanshiki
