#pragma once
// Builds the bundled demo case once per test process with the CLI (examiner identity in a temporary
// KANSHIKI_HOME) and hands out its path.
#include <QString>
#include <filesystem>

namespace kanshiki::gui::test {

// Creates (once) and returns the demo case folder; QFAIL-style abort with a message when the CLI fails.
std::filesystem::path demo_case();
// Runs the CLI with the given arguments; returns its exit code, output in *out when given.
int run_cli(const QStringList& args, QString* out = nullptr);

}  // namespace kanshiki::gui::test
