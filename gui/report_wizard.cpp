#include "gui/report_wizard.h"

#include <QComboBox>
#include <QDesktopServices>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QUrl>
#include <QVBoxLayout>

#include "gui/background_job.h"

namespace kanshiki::gui {

QStringList report_arguments(const std::filesystem::path& case_dir, const ReportRequest& r,
                             const QString& tagged_flag) {
  QStringList a{QStringLiteral("--quiet"),  QStringLiteral("report"),
                QStringLiteral("--case"),   QString::fromStdString(case_dir.string()),
                QStringLiteral("--format"), r.format,
                QStringLiteral("--lang"),   r.lang};
  if (!r.output.isEmpty()) a << QStringLiteral("-o") << r.output;
  if (r.tagged_only && !tagged_flag.isEmpty()) a << tagged_flag.split(QLatin1Char(' '));
  return a;
}

ReportWizard::ReportWizard(std::filesystem::path case_dir, QWidget* parent)
    : QWizard(parent), case_dir_(std::move(case_dir)) {
  setWindowTitle(tr("Write a report"));
  setWizardStyle(QWizard::ClassicStyle);
  setOption(QWizard::NoBackButtonOnLastPage);
  resize(640, 460);

  auto* options = new QWizardPage(this);
  options->setTitle(tr("What goes into the report"));
  options->setSubTitle(tr("The report is written by the report engine and recorded in the custody log."));
  auto* form = new QFormLayout(options);
  all_ = new QRadioButton(tr("All findings"), options);
  tagged_ = new QRadioButton(tr("Tagged findings only"), options);
  all_->setChecked(true);
  auto* scope = new QVBoxLayout;
  scope->addWidget(all_);
  scope->addWidget(tagged_);
  form->addRow(tr("Findings"), scope);
  lang_ = new QComboBox(options);
  lang_->addItem(QStringLiteral("日本語"), QStringLiteral("ja"));
  lang_->addItem(QStringLiteral("English"), QStringLiteral("en"));
  form->addRow(tr("Language"), lang_);
  format_ = new QComboBox(options);
  format_->addItem(QStringLiteral("HTML"), QStringLiteral("html"));
  form->addRow(tr("Format"), format_);
  auto* out_row = new QHBoxLayout;
  output_ = new QLineEdit(options);
  output_->setPlaceholderText(tr("Default: CASE/reports/report.<format>"));
  auto* browse = new QPushButton(tr("Browse…"), options);
  out_row->addWidget(output_, 1);
  out_row->addWidget(browse);
  form->addRow(tr("Output"), out_row);
  capability_ = new QLabel(options);
  capability_->setWordWrap(true);
  capability_->setStyleSheet(QStringLiteral("color:#6B7280"));
  form->addRow(capability_);
  connect(browse, &QPushButton::clicked, this, [this] {
    QString f = QFileDialog::getSaveFileName(this, tr("Report file"),
                                             QString::fromStdString((case_dir_ / "reports").string()));
    if (!f.isEmpty()) output_->setText(f);
  });
  addPage(options);

  auto* run = new QWizardPage(this);
  run->setTitle(tr("Writing the report"));
  auto* rl = new QVBoxLayout(run);
  progress_ = new QProgressBar(run);
  progress_->setRange(0, 0);
  rl->addWidget(progress_);
  log_ = new QPlainTextEdit(run);
  log_->setReadOnly(true);
  rl->addWidget(log_, 1);
  run->setFinalPage(true);
  addPage(run);
  connect(this, &QWizard::currentIdChanged, this, [this](int id) {
    if (id == 1 && !running()) runReport();
  });
  probeCli();
}

void ReportWizard::probeCli() {
  auto* help = new QProcess(this);
  help->setProcessChannelMode(QProcess::MergedChannels);
  connect(help, &QProcess::finished, this, [this, help] {
    QString text = QString::fromUtf8(help->readAll());
    help->deleteLater();
    if (text.contains(QLatin1String("pdf"), Qt::CaseInsensitive) &&
        format_->findData(QStringLiteral("pdf")) < 0)
      format_->addItem(QStringLiteral("PDF"), QStringLiteral("pdf"));
    if (text.contains(QLatin1String("--tagged-only")))
      tagged_flag_ = QStringLiteral("--tagged-only");
    else if (text.contains(QLatin1String("--tagged")))
      tagged_flag_ = QStringLiteral("--tagged");
    else if (text.contains(QLatin1String("--findings")))
      tagged_flag_ = QStringLiteral("--findings tagged");
    tagged_->setEnabled(!tagged_flag_.isEmpty());
    capability_->setText(
        tagged_flag_.isEmpty()
            ? tr("This version of the report engine writes all findings (no tagged-only report).")
            : QString());
  });
  help->start(cli_executable(), {QStringLiteral("report"), QStringLiteral("--help")});
}

ReportRequest ReportWizard::request() const {
  ReportRequest r;
  r.format = format_->currentData().toString();
  r.lang = lang_->currentData().toString();
  r.tagged_only = tagged_->isChecked();
  r.output = output_->text().trimmed();
  return r;
}

void ReportWizard::setRequest(const ReportRequest& r) {
  int f = format_->findData(r.format);
  if (f >= 0) format_->setCurrentIndex(f);
  lang_->setCurrentIndex(std::max(0, lang_->findData(r.lang)));
  (r.tagged_only ? tagged_ : all_)->setChecked(true);
  output_->setText(r.output);
}

bool ReportWizard::running() const { return job_ && job_->running(); }

void ReportWizard::runReport() {
  ReportRequest r = request();
  if (r.output.isEmpty())
    r.output =
        QString::fromStdString((case_dir_ / "reports" / ("report." + r.format.toStdString())).string());
  last_output_ = r.output;
  log_->clear();
  progress_->setRange(0, 0);
  delete job_;
  job_ = new CliJob(tr("Report"), report_arguments(case_dir_, r, tagged_flag_), this);
  connect(job_, &CliJob::outputLine, log_, &QPlainTextEdit::appendPlainText);
  connect(job_, &CliJob::finished, this, [this](int code, const QString& output) {
    progress_->setRange(0, 1);
    progress_->setValue(1);
    bool ok = code == 0 || code == 10;  // 10: written, with recorded problems
    log_->appendPlainText(ok ? tr("Report written: %1").arg(last_output_)
                             : tr("The report failed (exit code %1).").arg(code));
    Q_EMIT reportFinished(ok, last_output_, output);
  });
  log_->appendPlainText(QStringLiteral("kanshiki ") +
                        report_arguments(case_dir_, r, tagged_flag_).join(QLatin1Char(' ')));
  job_->start();
}

}  // namespace kanshiki::gui
