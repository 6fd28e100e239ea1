#pragma once
// Long work (ingest, process, verify, report, case create) runs as the `kanshiki` CLI in a child process:
// the same engine steps, the same custody entries and locks as on the command line, and cancel is simply
// ending the process (the engine commits per unit of work, so a cancelled step leaves the case consistent
// and a re-run finishes it). The UI only watches the process.
#include <QElapsedTimer>
#include <QObject>
#include <QProcess>
#include <QStringList>

namespace kanshiki::gui {

// Where the CLI is: $KANSHIKI_CLI, beside this executable, the build tree's cli/, then PATH.
QString cli_executable();

class CliJob : public QObject {
  Q_OBJECT
 public:
  CliJob(QString title, QStringList arguments, QObject* parent = nullptr);
  void start();
  void cancel();
  const QString& title() const { return title_; }
  const QString& output() const { return output_; }
  bool running() const { return process_.state() != QProcess::NotRunning; }
  qint64 elapsedMs() const { return timer_.elapsed(); }

 Q_SIGNALS:
  void outputLine(const QString& line);
  // exit_code: the CLI's exit code (docs/cli.md); -1 when it could not start or was cancelled.
  void finished(int exit_code, const QString& output);

 private:
  QString title_;
  QStringList arguments_;
  QProcess process_;
  QString output_;
  QElapsedTimer timer_;
  bool cancelled_ = false;
};

}  // namespace kanshiki::gui
