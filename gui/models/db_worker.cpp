#include "gui/models/db_worker.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/search_index.h"

namespace kanshiki::gui {

DbWorker::DbWorker(std::filesystem::path case_db) : path_(std::move(case_db)) {
  // One thread: the connection is never used by two threads at once, and queries stay in order.
  pool_.setMaxThreadCount(1);
  pool_.setExpiryTimeout(-1);
}

DbWorker::~DbWorker() {
  interrupt();
  pool_.clear();
  pool_.waitForDone();
}

sql::Db& DbWorker::connection() {
  std::lock_guard lock(mutex_);
  if (!db_) {
    // Read-only: the workbench reads the case through these connections and writes only through the engine.
    db_ = std::make_unique<sql::Db>(path_, SQLITE_OPEN_READONLY);
    // The full-text index is a file of its own beside case.db (core/search_index.h); read-only here too.
    attach_search_index(*db_, path_.parent_path());
  }
  return *db_;
}

void DbWorker::interrupt() {
  std::lock_guard lock(mutex_);
  if (db_ && db_->get()) sqlite3_interrupt(db_->get());
}

void lower_thread_priority() {
  thread_local bool lowered = false;
  if (lowered) return;
  lowered = true;
  // Best effort: failing to renice only costs responsiveness, never correctness.
  (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 8);
}

void bind_variants(sql::Stmt& st, const QVariantList& values, int first_index) {
  int i = first_index;
  for (const QVariant& v : values) {
    switch (v.typeId()) {
      case QMetaType::Int:
      case QMetaType::LongLong:
      case QMetaType::UInt:
      case QMetaType::ULongLong:
      case QMetaType::Bool:
        st.bind(i, static_cast<int64_t>(v.toLongLong()));
        break;
      case QMetaType::Double:
        st.bind(i, v.toDouble());
        break;
      default:
        if (!v.isValid() || v.isNull())
          st.bind_null(i);
        else
          st.bind(i, v.toString().toStdString());
    }
    ++i;
  }
}

QVariant column_variant(const sql::Stmt& st, int i) {
  switch (st.type(i)) {
    case SQLITE_INTEGER:
      return QVariant::fromValue<qint64>(st.i64(i));
    case SQLITE_FLOAT:
      return st.real(i);
    case SQLITE_NULL:
      return {};
    case SQLITE_BLOB: {
      auto b = st.blob(i);
      return QByteArray(b.data(), static_cast<qsizetype>(b.size()));
    }
    default: {
      auto t = st.text_view(i);
      return QString::fromUtf8(t.data(), static_cast<qsizetype>(t.size()));
    }
  }
}

}  // namespace kanshiki::gui
