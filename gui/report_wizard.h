#pragma once
// The report wizard: which findings (all, or only the tagged ones), which language, which format, where.
// It runs the report engine through the CLI (`kanshiki report`), so the report and its custody entry are
// exactly what the command line produces. What the installed CLI offers (formats, tagged-only) is read
// from its own --help, so the wizard never offers an option the engine does not have.
#include <QWizard>
#include <filesystem>

class QButtonGroup;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QRadioButton;

namespace kanshiki::gui {

class CliJob;

struct ReportRequest {
  QString format = QStringLiteral("html");
  QString lang = QStringLiteral("ja");
  bool tagged_only = false;
  QString output;
};

// The CLI arguments for a report request (`tagged_flag`: how this CLI spells "tagged only"; "" =
// unsupported).
QStringList report_arguments(const std::filesystem::path& case_dir, const ReportRequest& r,
                             const QString& tagged_flag);

class ReportWizard : public QWizard {
  Q_OBJECT
 public:
  ReportWizard(std::filesystem::path case_dir, QWidget* parent = nullptr);
  ReportRequest request() const;
  void setRequest(const ReportRequest& r);
  // Starts the report (what "Finish"/"Write report" does); finished() tells the outcome.
  void runReport();
  bool running() const;
  QString lastOutput() const { return last_output_; }

 Q_SIGNALS:
  void reportFinished(bool ok, const QString& output_path, const QString& log);

 private:
  void probeCli();
  std::filesystem::path case_dir_;
  QRadioButton* all_;
  QRadioButton* tagged_;
  QComboBox* lang_;
  QComboBox* format_;
  QLineEdit* output_;
  QLabel* capability_;
  QPlainTextEdit* log_;
  QProgressBar* progress_;
  CliJob* job_ = nullptr;
  QString tagged_flag_;
  QString last_output_;
};

}  // namespace kanshiki::gui
