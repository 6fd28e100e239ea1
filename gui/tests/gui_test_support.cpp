#include "gui_test_support.h"

#include <QProcess>
#include <QTemporaryDir>
#include <cstdlib>
#include <iostream>

namespace kanshiki::gui::test {

int run_cli(const QStringList& args, QString* out) {
  QProcess p;
  p.setProcessChannelMode(QProcess::MergedChannels);
  p.start(QStringLiteral(KANSHIKI_CLI_PATH), args);
  p.waitForFinished(120000);
  if (out) *out = QString::fromUtf8(p.readAll());
  return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

std::filesystem::path demo_case() {
  static QTemporaryDir* dir = nullptr;  // lives for the whole test process
  if (dir) return std::filesystem::path(dir->path().toStdString()) / "demo/case";
  dir = new QTemporaryDir;
  ::setenv("KANSHIKI_HOME", (dir->path() + "/home").toUtf8().constData(), 1);
  ::setenv("CI", "1", 1);
  QString out;
  if (run_cli({"examiner", "init", "--name", QStringLiteral("検査 花子")}, &out) != 0 ||
      run_cli({"demo", "--out", dir->path() + "/demo"}, &out) != 0) {
    std::cerr << "cannot build the demo case: " << out.toStdString() << std::endl;
    std::abort();
  }
  return std::filesystem::path(dir->path().toStdString()) / "demo/case";
}

}  // namespace kanshiki::gui::test
