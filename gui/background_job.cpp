#include "gui/background_job.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTimer>

namespace kanshiki::gui {

QString cli_executable() {
  QString env = qEnvironmentVariable("KANSHIKI_CLI");
  if (!env.isEmpty()) return env;
  const QString dir = QCoreApplication::applicationDirPath();
  for (const QString& candidate :
       {dir + QStringLiteral("/" KANSHIKI_CLI_NAME), dir + QStringLiteral("/../cli/" KANSHIKI_CLI_NAME),
        dir + QStringLiteral("/../../cli/" KANSHIKI_CLI_NAME)}) {
    QFileInfo f(candidate);
    if (f.isExecutable() && f.isFile()) return f.canonicalFilePath();
  }
  QString in_path = QStandardPaths::findExecutable(QStringLiteral(KANSHIKI_CLI_NAME));
  return in_path.isEmpty() ? QStringLiteral(KANSHIKI_CLI_NAME) : in_path;
}

CliJob::CliJob(QString title, QStringList arguments, QObject* parent)
    : QObject(parent), title_(std::move(title)), arguments_(std::move(arguments)) {
  process_.setProcessChannelMode(QProcess::MergedChannels);
  connect(&process_, &QProcess::readyRead, this, [this] {
    while (process_.canReadLine()) {
      QString line = QString::fromUtf8(process_.readLine()).trimmed();
      output_ += line + QLatin1Char('\n');
      if (!line.isEmpty()) Q_EMIT outputLine(line);
    }
  });
  connect(&process_, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
    QString rest = QString::fromUtf8(process_.readAll());
    output_ += rest;
    Q_EMIT finished(cancelled_ || status != QProcess::NormalExit ? -1 : code, output_);
  });
  connect(&process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
    if (e == QProcess::FailedToStart) {
      output_ += tr("Cannot start %1: %2").arg(process_.program(), process_.errorString());
      Q_EMIT finished(-1, output_);
    }
  });
}

void CliJob::start() {
  timer_.start();
  // --quiet keeps progress bars (meant for a terminal) out; results come as JSON where a command has them.
  process_.start(cli_executable(), arguments_);
}

void CliJob::cancel() {
  if (!running()) return;
  cancelled_ = true;
  process_.terminate();  // SIGTERM; the engine's per-unit commits keep the case consistent
  QTimer::singleShot(3000, this, [this] {
    if (running()) process_.kill();
  });
}

}  // namespace kanshiki::gui
