#pragma once
// One read-only SQLite connection to the case database, used by one background thread at a time. Models
// hand it queries; results come back to the UI thread through QFuture continuations, so the UI thread never
// waits on SQLite or the disk. Each model owns its own worker, so interrupting a stale query (the user typed
// another filter character) never cancels another model's work.
#include <QFuture>
#include <QString>
#include <QThreadPool>
#include <QVariant>
#include <QtConcurrent/QtConcurrentRun>
#include <atomic>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <type_traits>

#include "core/sqlite_util.h"

namespace kanshiki::gui {

// A background result or the reason there is none.
template <typename T>
struct Outcome {
  T value{};
  QString error;
  bool ok() const { return error.isEmpty(); }
};

// Makes the calling (worker) thread yield the CPU to the UI thread: on two busy cores a query scanning a
// million rows must not delay the examiner's scrolling. Once per thread (Linux: per-thread nice value).
void lower_thread_priority();

class DbWorker {
 public:
  explicit DbWorker(std::filesystem::path case_db);
  ~DbWorker();
  DbWorker(const DbWorker&) = delete;
  DbWorker& operator=(const DbWorker&) = delete;

  // Runs fn(sql::Db&) on the worker thread. Exceptions become Outcome::error (never crash the UI).
  template <typename F>
  auto run(F fn) -> QFuture<Outcome<std::invoke_result_t<F, sql::Db&>>> {
    using T = std::invoke_result_t<F, sql::Db&>;
    return QtConcurrent::run(&pool_, [this, fn = std::move(fn)]() -> Outcome<T> {
      lower_thread_priority();
      Outcome<T> out;
      try {
        out.value = fn(connection());
      } catch (const std::exception& e) {
        out.error = QString::fromStdString(e.what());
      } catch (...) {
        out.error = QStringLiteral("unknown error");
      }
      return out;
    });
  }

  // Aborts the statement now running (if any); safe from any thread. Its job ends with an error outcome.
  void interrupt();
  const std::filesystem::path& path() const { return path_; }

 private:
  sql::Db& connection();
  std::filesystem::path path_;
  QThreadPool pool_;
  std::mutex mutex_;  // guards db_ creation against interrupt()
  std::unique_ptr<sql::Db> db_;
};

// Binds Qt values to a statement: integers, reals, text; null for an invalid QVariant.
void bind_variants(sql::Stmt& st, const QVariantList& values, int first_index = 1);
// Reads column i as a QVariant (integer, real, UTF-8 text, or null).
QVariant column_variant(const sql::Stmt& st, int i);

}  // namespace kanshiki::gui
