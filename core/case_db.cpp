#include "core/case_db.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/case_schema.h"
#include "core/error.h"
#include "core/timestamp.h"
#include "kanshiki/version.h"

namespace kanshiki {

std::string now_utc_iso() {
  using namespace std::chrono;
  auto us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  return format_utc_iso(us);
}

std::string host_name() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown-host";
  return buf;
}

namespace {
void configure(sql::Db& db) {
  // WAL keeps readers (GUI, report) working during processing; synchronous=NORMAL is durable at each
  // checkpoint and never corrupts on a kill -9 (SQLite guarantees atomic commit either way).
  db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
          "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;");
}
}  // namespace

CaseDb CaseDb::create(const fs::path& case_dir, const std::string& case_number) {
  if (fs::exists(case_dir / "case.db"))
    throw Error(ExitCode::case_error, "a case already exists at " + case_dir.string());
  std::error_code ec;
  fs::create_directories(case_dir, ec);
  if (ec) throw Error(ExitCode::case_error, "cannot create case folder " + case_dir.string() + ": " + ec.message());
  sql::Db db(case_dir / "case.db", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  configure(db);
  CaseDb c(case_dir, std::move(db));
  c.migrate();
  {
    sql::Transaction tx(c.db_);
    c.set_meta("case_number", case_number);
    c.set_meta("created_utc", now_utc_iso());
    tx.commit();
  }
  for (const char* sub : {"evidence", "work", "reports"}) fs::create_directories(case_dir / sub);
  return c;
}

CaseDb CaseDb::open(const fs::path& case_dir) {
  if (!fs::exists(case_dir / "case.db"))
    throw Error(ExitCode::case_error, "no case at " + case_dir.string() + " (create one with `kanshiki case create --case " +
                                          case_dir.string() + "`)");
  sql::Db db(case_dir / "case.db", SQLITE_OPEN_READWRITE);
  configure(db);
  CaseDb c(case_dir, std::move(db));
  if (!c.db_.table_exists("meta")) throw Error(ExitCode::case_error, case_dir.string() + " is not a Kanshiki case");
  int v = c.schema_version();
  if (v > kSchemaVersion)
    throw Error(ExitCode::case_error,
                fmt::format("case {} was written by a newer Kanshiki (schema {}; this version reads up to {}): upgrade "
                            "Kanshiki to open it",
                            case_dir.string(), v, kSchemaVersion));
  if (v < kSchemaVersion) c.migrate();
  return c;
}

int CaseDb::schema_version() const {
  if (!db_.table_exists("meta")) return 0;
  std::string v = meta("schema_version");
  return v.empty() ? 0 : std::stoi(v);
}

void CaseDb::migrate() {
  int v = schema_version();
  for (size_t i = static_cast<size_t>(v); i < kCaseMigrations.size(); ++i) {
    sql::Transaction tx(db_);
    db_.exec(std::string(kCaseMigrations[i]));
    set_meta("schema_version", std::to_string(i + 1));
    if (static_cast<int>(i + 1) == kSearchIndexInOwnFileSince) {
      // Index first, then commit the case (core/search_index.h): a crash in between re-runs this.
      SearchIndexWriter index(dir_);
      index.begin();
      index.rebuild_from_case(db_);
      index.commit();
    }
    tx.commit();
  }
}

std::string CaseDb::meta(const std::string& key) const {
  sql::Stmt st(db_, "SELECT value FROM meta WHERE key = ?1");
  st.bind(1, key);
  return st.step() ? st.text(0) : std::string();
}

void CaseDb::set_meta(const std::string& key, const std::string& value) {
  sql::Stmt st(db_, "INSERT INTO meta(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  st.bind(1, key).bind(2, value).run();
}

int64_t CaseDb::begin_run(const std::string& command, const std::string& command_line, const std::string& examiner) {
  sql::Stmt st(db_,
               "INSERT INTO runs(command, command_line, tool_version, host, examiner, started_utc, status) "
               "VALUES(?1, ?2, ?3, ?4, ?5, ?6, 'running')");
  st.bind(1, command).bind(2, command_line).bind(3, kToolVersion).bind(4, host_name()).bind(5, examiner);
  st.bind(6, now_utc_iso()).run();
  return db_.last_insert_rowid();
}

void CaseDb::end_run(int64_t run_id, const std::string& status) {
  sql::Stmt st(db_, "UPDATE runs SET ended_utc = ?1, status = ?2 WHERE id = ?3");
  st.bind(1, now_utc_iso()).bind(2, status).bind(3, run_id).run();
}

void CaseDb::add_warning(const Warning& w, std::optional<int64_t> run_id, std::optional<int64_t> parser_run_id) {
  sql::Stmt st(db_,
               "INSERT INTO warnings(run_id, parser_run_id, severity, evidence_id, item_id, item_path, parser_id, "
               "source_table, source_rowid, message, created_utc) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)");
  st.bind(1, run_id).bind(2, parser_run_id).bind(3, severity_name(w.severity));
  st.bind(4, w.evidence_id ? std::optional<int64_t>(w.evidence_id) : std::nullopt);
  st.bind(5, w.item_id ? std::optional<int64_t>(w.item_id) : std::nullopt);
  st.bind(6, w.item_path).bind(7, w.parser_id).bind(8, w.source_table).bind(9, w.source_rowid);
  st.bind(10, w.message).bind(11, now_utc_iso()).run();
}

// ---------------------------------------------------------------------------------------------------------
// ArtifactWriter

struct ArtifactWriter::Statements {
  explicit Statements(sql::Db& db)
      : artifact(db,
                 "INSERT INTO artifacts(type, evidence_id, item_id, item_path, item_sha256, source_table, source_rowid, "
                 "source_offset, source_detail, parser_id, parser_version, recovered, parser_run_id, time_utc_us) "
                 "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)"),
        message(db,
                "INSERT INTO messages VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18)"),
        thread(db, "INSERT INTO threads VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)"),
        participant(db, "INSERT INTO participants VALUES(?1,?2,?3,?4,?5,?6)"),
        call(db, "INSERT INTO calls VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)"),
        contact(db, "INSERT INTO contacts VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)"),
        web(db, "INSERT INTO web_visits VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)"),
        location(db, "INSERT INTO locations VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)"),
        media(db, "INSERT INTO media VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)"),
        account(db, "INSERT INTO accounts VALUES(?1,?2,?3,?4,?5)"),
        app(db, "INSERT INTO installed_apps VALUES(?1,?2,?3,?4,?5,?6,?7)"),
        fact(db, "INSERT INTO device_info VALUES(?1,?2,?3)") {
    for (sql::Stmt* st : {&artifact, &message, &thread, &participant, &call, &contact, &web, &location, &media,
                          &account, &app, &fact})
      st->borrow_text();
  }
  sql::Stmt artifact, message, thread, participant, call, contact, web, location, media, account, app, fact;
  // Text made for one row (JSON lists, the UTC time) lives here until the row is stored: the insert
  // statements bind text without copying it (a million-message run binds ~30 strings per message).
  std::string time_utc, list1, list2;
};

namespace {
std::string json_array(const std::vector<std::string>& v) { return v.empty() ? "[]" : nlohmann::json(v).dump(); }

std::string attachments_json(const std::vector<Attachment>& v) {
  if (v.empty()) return "[]";
  nlohmann::json a = nlohmann::json::array();
  for (const auto& x : v) {
    nlohmann::json o{{"path", x.path}, {"name", x.name}, {"mime_type", x.mime_type}, {"sha256", x.sha256}};
    o["size"] = x.size ? nlohmann::json(*x.size) : nlohmann::json(nullptr);
    a.push_back(std::move(o));
  }
  return a.dump();
}

// Binds raw/epoch/utc of a timestamp at positions i, i+1, i+2; the UTC text is made in `utc_text`, which
// must outlive the statement's run().
void bind_time(sql::Stmt& st, int i, const Timestamp& t, std::string& utc_text) {
  if (t.empty()) {
    st.bind_null(i).bind_null(i + 1).bind_null(i + 2);
    return;
  }
  st.bind(i, t.raw).bind(i + 1, epoch_name(t.kind));
  if (t.utc_us) {
    utc_text = t.utc_iso();
    st.bind(i + 2, utc_text);
  } else {
    st.bind_null(i + 2);
  }
}

std::optional<int64_t> primary_time(const ArtifactData& d) {
  if (auto* m = std::get_if<Message>(&d)) return m->time.utc_us;
  if (auto* c = std::get_if<Call>(&d)) return c->time.utc_us;
  if (auto* w = std::get_if<WebVisit>(&d)) return w->time.utc_us;
  if (auto* l = std::get_if<LocationPoint>(&d)) return l->time.utc_us;
  if (auto* m = std::get_if<MediaItem>(&d)) return m->captured.utc_us;
  if (auto* t = std::get_if<Thread>(&d)) return t->last_activity.utc_us;
  if (auto* c = std::get_if<Contact>(&d)) return c->last_contacted.utc_us;
  if (auto* a = std::get_if<InstalledApp>(&d)) return a->installed.utc_us;
  return std::nullopt;
}
}  // namespace

ArtifactWriter::ArtifactWriter(CaseDb& c, int64_t run_id, int64_t parser_run_id, BackgroundIndexer& shared_index)
    : case_(c),
      run_id_(run_id),
      parser_run_id_(parser_run_id),
      index_(shared_index),
      st_(std::make_unique<Statements>(c.db())) {}

ArtifactWriter::ArtifactWriter(CaseDb& c, int64_t run_id, int64_t parser_run_id)
    : case_(c),
      run_id_(run_id),
      parser_run_id_(parser_run_id),
      own_index_(std::make_unique<BackgroundIndexer>(c.dir())),
      index_(*own_index_),
      st_(std::make_unique<Statements>(c.db())) {
  own_index_->begin_run();
}

void ArtifactWriter::finish() {
  if (own_index_) own_index_->commit_run();
}

ArtifactWriter::~ArtifactWriter() = default;

void ArtifactWriter::emit(Record r) {
  const Provenance& p = r.provenance;
  auto& a = st_->artifact;
  a.bind(1, artifact_type_name(r.data)).bind(2, p.evidence_id).bind(3, p.item_id).bind(4, p.item_path);
  a.bind(5, p.item_sha256).bind(6, p.source_table).bind(7, p.source_rowid).bind(8, p.source_offset);
  a.bind(9, p.source_detail).bind(10, p.parser_id).bind(11, p.parser_version).bind(12, p.recovered ? 1 : 0);
  a.bind(13, parser_run_id_).bind(14, primary_time(r.data));
  a.run();
  const int64_t id = case_.db().last_insert_rowid();

  std::visit(
      [&](auto& d) {
        using T = std::decay_t<decltype(d)>;
        if constexpr (std::is_same_v<T, Message>) {
          auto& s = st_->message;
          s.bind(1, id).bind(2, d.app).bind(3, d.account).bind(4, d.thread_key).bind(5, d.sender);
          st_->list1 = json_array(d.recipients);
          st_->list2 = attachments_json(d.attachments);
          s.bind(6, d.sender_name).bind(7, st_->list1).bind(8, direction_name(d.direction));
          bind_time(s, 9, d.time, st_->time_utc);
          s.bind(12, d.text).bind(13, d.status).bind(14, d.kind).bind(15, d.edited ? 1 : 0).bind(16, d.deleted ? 1 : 0);
          s.bind(17, d.expires_in_s).bind(18, st_->list2);
          s.run();
          // The index gets the text exactly as the search_text view reads it back (non-empty message text;
          // a contact's name + ' ' + phones below): searches confirm every index hit against that view.
          if (!d.text.empty()) index_.add(id, std::move(d.text));
        } else if constexpr (std::is_same_v<T, Thread>) {
          auto& s = st_->thread;
          s.bind(1, id).bind(2, d.app).bind(3, d.account).bind(4, d.thread_key).bind(5, d.name);
          s.bind(6, d.is_group ? 1 : 0);
          bind_time(s, 7, d.last_activity, st_->time_utc);
          s.run();
        } else if constexpr (std::is_same_v<T, Participant>) {
          auto& s = st_->participant;
          s.bind(1, id).bind(2, d.app).bind(3, d.thread_key).bind(4, d.identifier).bind(5, d.name).bind(6, d.role);
          s.run();
        } else if constexpr (std::is_same_v<T, Call>) {
          auto& s = st_->call;
          s.bind(1, id).bind(2, d.app).bind(3, d.account).bind(4, d.number).bind(5, d.number_e164).bind(6, d.name);
          s.bind(7, call_direction_name(d.direction));
          bind_time(s, 8, d.time, st_->time_utc);
          s.bind(11, d.duration_s).bind(12, d.video ? 1 : 0).bind(13, d.country_iso);
          s.run();
        } else if constexpr (std::is_same_v<T, Contact>) {
          auto& s = st_->contact;
          st_->list1 = json_array(d.phones);
          st_->list2 = json_array(d.emails);
          s.bind(1, id).bind(2, d.app).bind(3, d.account).bind(4, d.name).bind(5, st_->list1);
          s.bind(6, st_->list2).bind(7, d.organization).bind(8, d.note);
          bind_time(s, 9, d.last_contacted, st_->time_utc);
          s.bind(12, d.times_contacted);
          s.run();
          index_.add(id, d.name + ' ' + st_->list1);
        } else if constexpr (std::is_same_v<T, WebVisit>) {
          auto& s = st_->web;
          s.bind(1, id).bind(2, d.browser).bind(3, d.url).bind(4, d.title);
          bind_time(s, 5, d.time, st_->time_utc);
          s.bind(8, d.visit_count).bind(9, d.typed_count).bind(10, d.transition);
          s.run();
        } else if constexpr (std::is_same_v<T, LocationPoint>) {
          auto& s = st_->location;
          s.bind(1, id).bind(2, d.latitude).bind(3, d.longitude).bind(4, d.accuracy_m).bind(5, d.altitude_m);
          bind_time(s, 6, d.time, st_->time_utc);
          s.bind(9, d.kind).bind(10, d.source).bind(11, d.label);
          s.run();
        } else if constexpr (std::is_same_v<T, MediaItem>) {
          auto& s = st_->media;
          s.bind(1, id).bind(2, d.path).bind(3, d.sha256).bind(4, d.mime_type).bind(5, d.size);
          bind_time(s, 6, d.captured, st_->time_utc);
          s.bind(9, d.latitude).bind(10, d.longitude).bind(11, d.make).bind(12, d.model).bind(13, d.software);
          s.run();
        } else if constexpr (std::is_same_v<T, Account>) {
          auto& s = st_->account;
          s.bind(1, id).bind(2, d.app).bind(3, d.username).bind(4, d.identifier).bind(5, d.display_name);
          s.run();
        } else if constexpr (std::is_same_v<T, InstalledApp>) {
          auto& s = st_->app;
          s.bind(1, id).bind(2, d.identifier).bind(3, d.name).bind(4, d.version);
          bind_time(s, 5, d.installed, st_->time_utc);
          s.run();
        } else if constexpr (std::is_same_v<T, DeviceFact>) {
          auto& s = st_->fact;
          s.bind(1, id).bind(2, d.key).bind(3, d.value);
          s.run();
        }
      },
      r.data);
  ++artifacts_;
}

void ArtifactWriter::warn(Warning w) {
  case_.add_warning(w, run_id_, parser_run_id_);
  ++warnings_;
}

}  // namespace kanshiki
