#include "gui/models/case_models.h"

#include <QCoreApplication>
#include <QDateTime>

#include "core/search_index.h"
#include "core/sqlite_util.h"
#include "gui/models/db_worker.h"

namespace kanshiki::gui {

namespace {

// Columns of each artifact table (core/case_schema.h), in schema order. Raw times and epochs are
// hidden by default: the examiner sees the normalised time, the court can still get the raw value.
struct TypeColumn {
  const char* name;
  ColumnKind kind;
};

QVector<TypeColumn> type_columns(const QString& type) {
  using K = ColumnKind;
  static const QHash<QString, QVector<TypeColumn>> columns = {
      {"message",
       // Who said what first; recipients and raw values further right.
       {{"app", K::text},
        {"sender_name", K::text},
        {"sender", K::text},
        {"direction", K::text},
        {"text", K::text},
        {"attachments", K::text},
        {"recipients", K::text},
        {"account", K::text},
        {"thread_key", K::text},
        {"status", K::text},
        {"kind", K::text},
        {"edited", K::flag},
        {"deleted", K::flag},
        {"expires_in_s", K::integer},
        {"time_raw", K::text},
        {"time_epoch", K::text}}},
      {"thread",
       {{"app", K::text},
        {"account", K::text},
        {"thread_key", K::text},
        {"name", K::text},
        {"is_group", K::flag},
        {"last_activity_utc", K::iso_time},
        {"last_activity_raw", K::text},
        {"last_activity_epoch", K::text}}},
      {"participant",
       {{"app", K::text},
        {"thread_key", K::text},
        {"identifier", K::text},
        {"name", K::text},
        {"role", K::text}}},
      {"call",
       {{"app", K::text},
        {"account", K::text},
        {"number", K::text},
        {"number_e164", K::text},
        {"name", K::text},
        {"direction", K::text},
        {"duration_s", K::integer},
        {"video", K::flag},
        {"country_iso", K::text},
        {"time_raw", K::text},
        {"time_epoch", K::text}}},
      {"contact",
       {{"app", K::text},
        {"account", K::text},
        {"name", K::text},
        {"phones", K::text},
        {"emails", K::text},
        {"organization", K::text},
        {"note", K::text},
        {"times_contacted", K::integer},
        {"last_contacted_utc", K::iso_time},
        {"last_contacted_raw", K::text},
        {"last_contacted_epoch", K::text}}},
      {"web_visit",
       {{"browser", K::text},
        {"url", K::text},
        {"title", K::text},
        {"visit_count", K::integer},
        {"typed_count", K::integer},
        {"transition", K::text},
        {"time_raw", K::text},
        {"time_epoch", K::text}}},
      {"location",
       {{"latitude", K::real},
        {"longitude", K::real},
        {"accuracy_m", K::real},
        {"altitude_m", K::real},
        {"kind", K::text},
        {"source", K::text},
        {"label", K::text},
        {"time_raw", K::text},
        {"time_epoch", K::text}}},
      {"media",
       {{"path", K::text},
        {"mime_type", K::text},
        {"size", K::bytes},
        {"sha256", K::text},
        {"latitude", K::real},
        {"longitude", K::real},
        {"make", K::text},
        {"model", K::text},
        {"software", K::text},
        {"captured_raw", K::text},
        {"captured_epoch", K::text}}},
      {"account",
       {{"app", K::text}, {"username", K::text}, {"identifier", K::text}, {"display_name", K::text}}},
      {"installed_app",
       {{"identifier", K::text},
        {"name", K::text},
        {"version", K::text},
        {"installed_raw", K::text},
        {"installed_epoch", K::text}}},
      {"device_info", {{"key", K::text}, {"value", K::text}}},
  };
  return columns.value(type);
}

// Schema column names used as titles (translated in the "Columns" context; untranslated ones are humanised).
[[maybe_unused]] const char* const kSchemaColumnTitles[] = {
    QT_TRANSLATE_NOOP("Columns", "app"),
    QT_TRANSLATE_NOOP("Columns", "account"),
    QT_TRANSLATE_NOOP("Columns", "thread_key"),
    QT_TRANSLATE_NOOP("Columns", "sender"),
    QT_TRANSLATE_NOOP("Columns", "sender_name"),
    QT_TRANSLATE_NOOP("Columns", "recipients"),
    QT_TRANSLATE_NOOP("Columns", "direction"),
    QT_TRANSLATE_NOOP("Columns", "text"),
    QT_TRANSLATE_NOOP("Columns", "attachments"),
    QT_TRANSLATE_NOOP("Columns", "status"),
    QT_TRANSLATE_NOOP("Columns", "kind"),
    QT_TRANSLATE_NOOP("Columns", "edited"),
    QT_TRANSLATE_NOOP("Columns", "deleted"),
    QT_TRANSLATE_NOOP("Columns", "expires_in_s"),
    QT_TRANSLATE_NOOP("Columns", "time_raw"),
    QT_TRANSLATE_NOOP("Columns", "time_epoch"),
    QT_TRANSLATE_NOOP("Columns", "name"),
    QT_TRANSLATE_NOOP("Columns", "is_group"),
    QT_TRANSLATE_NOOP("Columns", "last_activity_utc"),
    QT_TRANSLATE_NOOP("Columns", "last_activity_raw"),
    QT_TRANSLATE_NOOP("Columns", "last_activity_epoch"),
    QT_TRANSLATE_NOOP("Columns", "identifier"),
    QT_TRANSLATE_NOOP("Columns", "role"),
    QT_TRANSLATE_NOOP("Columns", "number"),
    QT_TRANSLATE_NOOP("Columns", "number_e164"),
    QT_TRANSLATE_NOOP("Columns", "duration_s"),
    QT_TRANSLATE_NOOP("Columns", "video"),
    QT_TRANSLATE_NOOP("Columns", "country_iso"),
    QT_TRANSLATE_NOOP("Columns", "phones"),
    QT_TRANSLATE_NOOP("Columns", "emails"),
    QT_TRANSLATE_NOOP("Columns", "organization"),
    QT_TRANSLATE_NOOP("Columns", "note"),
    QT_TRANSLATE_NOOP("Columns", "times_contacted"),
    QT_TRANSLATE_NOOP("Columns", "last_contacted_utc"),
    QT_TRANSLATE_NOOP("Columns", "last_contacted_raw"),
    QT_TRANSLATE_NOOP("Columns", "last_contacted_epoch"),
    QT_TRANSLATE_NOOP("Columns", "browser"),
    QT_TRANSLATE_NOOP("Columns", "url"),
    QT_TRANSLATE_NOOP("Columns", "title"),
    QT_TRANSLATE_NOOP("Columns", "visit_count"),
    QT_TRANSLATE_NOOP("Columns", "typed_count"),
    QT_TRANSLATE_NOOP("Columns", "transition"),
    QT_TRANSLATE_NOOP("Columns", "latitude"),
    QT_TRANSLATE_NOOP("Columns", "longitude"),
    QT_TRANSLATE_NOOP("Columns", "accuracy_m"),
    QT_TRANSLATE_NOOP("Columns", "altitude_m"),
    QT_TRANSLATE_NOOP("Columns", "source"),
    QT_TRANSLATE_NOOP("Columns", "label"),
    QT_TRANSLATE_NOOP("Columns", "path"),
    QT_TRANSLATE_NOOP("Columns", "mime_type"),
    QT_TRANSLATE_NOOP("Columns", "size"),
    QT_TRANSLATE_NOOP("Columns", "sha256"),
    QT_TRANSLATE_NOOP("Columns", "make"),
    QT_TRANSLATE_NOOP("Columns", "model"),
    QT_TRANSLATE_NOOP("Columns", "software"),
    QT_TRANSLATE_NOOP("Columns", "captured_raw"),
    QT_TRANSLATE_NOOP("Columns", "captured_epoch"),
    QT_TRANSLATE_NOOP("Columns", "username"),
    QT_TRANSLATE_NOOP("Columns", "display_name"),
    QT_TRANSLATE_NOOP("Columns", "version"),
    QT_TRANSLATE_NOOP("Columns", "installed_raw"),
    QT_TRANSLATE_NOOP("Columns", "installed_epoch"),
    QT_TRANSLATE_NOOP("Columns", "key"),
    QT_TRANSLATE_NOOP("Columns", "value"),
};

// Provenance pane labels (translated in the "Provenance" context).
[[maybe_unused]] const char* const kProvenanceLabels[] = {
    QT_TRANSLATE_NOOP("Provenance", "artifact_id"),
    QT_TRANSLATE_NOOP("Provenance", "type"),
    QT_TRANSLATE_NOOP("Provenance", "time"),
    QT_TRANSLATE_NOOP("Provenance", "evidence"),
    QT_TRANSLATE_NOOP("Provenance", "evidence_source"),
    QT_TRANSLATE_NOOP("Provenance", "item_path"),
    QT_TRANSLATE_NOOP("Provenance", "item_sha256"),
    QT_TRANSLATE_NOOP("Provenance", "item_md5"),
    QT_TRANSLATE_NOOP("Provenance", "item_sha1"),
    QT_TRANSLATE_NOOP("Provenance", "item_size"),
    QT_TRANSLATE_NOOP("Provenance", "source_table"),
    QT_TRANSLATE_NOOP("Provenance", "source_rowid"),
    QT_TRANSLATE_NOOP("Provenance", "source_offset"),
    QT_TRANSLATE_NOOP("Provenance", "source_detail"),
    QT_TRANSLATE_NOOP("Provenance", "parser"),
    QT_TRANSLATE_NOOP("Provenance", "recovered"),
    QT_TRANSLATE_NOOP("Provenance", "tag"),
};

bool hidden_by_default(const QString& name) {
  return name.endsWith(QLatin1String("_raw")) || name.endsWith(QLatin1String("_epoch")) ||
         name == "account" || name == "thread_key" || name == "sha256";
}

// Columns every artifact row carries: its provenance. Shown in the provenance pane; here hidden except the
// exhibit and the recovered flag, which an examiner scans for.
QVector<SqlColumn> provenance_columns() {
  using K = ColumnKind;
  return {
      {QStringLiteral("a.recovered"), QT_TRANSLATE_NOOP("Columns", "Recovered"), K::flag, true},
      {QStringLiteral("e.exhibit"), QT_TRANSLATE_NOOP("Columns", "Exhibit"), K::text, true},
      {QStringLiteral("a.item_path"), QT_TRANSLATE_NOOP("Columns", "Item path"), K::text, false},
      {QStringLiteral("a.source_table"), QT_TRANSLATE_NOOP("Columns", "Source table"), K::text, false},
      {QStringLiteral("a.source_rowid"), QT_TRANSLATE_NOOP("Columns", "Row id"), K::integer, false},
      {QStringLiteral("a.source_offset"), QT_TRANSLATE_NOOP("Columns", "Offset"), K::integer, false},
      {QStringLiteral("a.parser_id"), QT_TRANSLATE_NOOP("Columns", "Parser"), K::text, false},
      {QStringLiteral("a.parser_version"), QT_TRANSLATE_NOOP("Columns", "Parser version"), K::text, false},
      {QStringLiteral("a.item_sha256"), QT_TRANSLATE_NOOP("Columns", "Item SHA-256"), K::text, false},
      {QStringLiteral("a.id"), QT_TRANSLATE_NOOP("Columns", "Artifact id"), K::integer, false},
  };
}

// A one-line description of any artifact (timeline, search, tags).
const char* kSummaryJoins =
    " LEFT JOIN messages m ON m.artifact_id = a.id LEFT JOIN calls c ON c.artifact_id = a.id"
    " LEFT JOIN contacts ct ON ct.artifact_id = a.id LEFT JOIN web_visits w ON w.artifact_id = a.id"
    " LEFT JOIN locations l ON l.artifact_id = a.id LEFT JOIN media md ON md.artifact_id = a.id"
    " LEFT JOIN threads th ON th.artifact_id = a.id LEFT JOIN evidence e ON e.id = a.evidence_id";
const char* kSummaryExpr =
    "COALESCE(CASE WHEN m.artifact_id IS NOT NULL THEN COALESCE(NULLIF(m.sender_name, '') || ': ', "
    "NULLIF(m.sender, '') || ': ', '→ ') || COALESCE(m.text, m.attachments, '') END, CASE WHEN c.artifact_id "
    "IS NOT NULL THEN COALESCE(c.direction, '') "
    "|| ' ' || COALESCE(c.name, c.number, '') || ' (' || COALESCE(c.duration_s, 0) || ' s)' END, "
    "ct.name || ' ' || COALESCE(ct.phones, ''), COALESCE(w.title, '') || ' ' || w.url, "
    "l.label, CASE WHEN l.artifact_id IS NOT NULL THEN printf('%.5f, %.5f', l.latitude, l.longitude) END, "
    "md.path, th.name, '')";
const char* kAppExpr = "COALESCE(m.app, c.app, ct.app, w.browser, th.app)";

}  // namespace

const QVector<ArtifactTypeInfo>& artifact_types() {
  static const QVector<ArtifactTypeInfo> types = {
      {"message", "messages", QT_TRANSLATE_NOOP("Types", "Messages")},
      {"call", "calls", QT_TRANSLATE_NOOP("Types", "Calls")},
      {"contact", "contacts", QT_TRANSLATE_NOOP("Types", "Contacts")},
      {"location", "locations", QT_TRANSLATE_NOOP("Types", "Locations")},
      {"media", "media", QT_TRANSLATE_NOOP("Types", "Media")},
      {"web_visit", "web_visits", QT_TRANSLATE_NOOP("Types", "Web history")},
      {"account", "accounts", QT_TRANSLATE_NOOP("Types", "Accounts")},
      {"installed_app", "installed_apps", QT_TRANSLATE_NOOP("Types", "Installed apps")},
      {"device_info", "device_info", QT_TRANSLATE_NOOP("Types", "Device")},
      {"thread", "threads", QT_TRANSLATE_NOOP("Types", "Threads")},
      {"participant", "participants", QT_TRANSLATE_NOOP("Types", "Participants")},
  };
  return types;
}

QString type_title(const QString& type) {
  for (const auto& t : artifact_types())
    if (t.type == type) return QCoreApplication::translate("Types", t.title.toUtf8().constData());
  return type;
}

SqlWindowSpec artifact_spec(const QString& type) {
  SqlWindowSpec spec;
  QString table;
  for (const auto& t : artifact_types())
    if (t.type == type) table = t.table;
  if (table.isEmpty()) table = QStringLiteral("messages");  // unknown type: an empty result, never a crash
  spec.from =
      QStringLiteral(
          "artifacts a JOIN %1 t ON t.artifact_id = a.id LEFT JOIN evidence e ON e.id = a.evidence_id")
          .arg(table);
  spec.where = QStringLiteral("a.type = ?");
  spec.params = {type};
  spec.columns.push_back(
      {QStringLiteral("a.time_utc_us"), QT_TRANSLATE_NOOP("Columns", "Time"), ColumnKind::time_us, true});
  if (type == QLatin1String("media")) {
    // The thumbnail of the original (content-addressed by its SHA-256; `kanshiki thumbnails`), and why there is
    // none when it could not be made.
    spec.from += QStringLiteral(" LEFT JOIN thumbnails th ON th.sha256 = t.sha256");
    spec.columns.push_back({QStringLiteral("CASE WHEN th.status = 'ok' THEN th.path END"),
                            QT_TRANSLATE_NOOP("Columns", "Thumbnail"), ColumnKind::thumbnail, true});
    spec.columns.push_back({QStringLiteral("th.reason"), QT_TRANSLATE_NOOP("Columns", "Thumbnail note"),
                            ColumnKind::text, false});
  }
  for (const auto& c : type_columns(type)) {
    QString name = QString::fromLatin1(c.name);
    if (c.kind == ColumnKind::text && !hidden_by_default(name))
      spec.filter_columns.push_back(spec.columns.size());
    spec.columns.push_back({QStringLiteral("t.") + name, name, c.kind, !hidden_by_default(name)});
  }
  spec.columns += provenance_columns();
  return spec;
}

SqlWindowSpec items_spec(qint64 evidence_id) {
  using K = ColumnKind;
  SqlWindowSpec spec;
  spec.from = QStringLiteral("items i");
  spec.where = QStringLiteral("i.evidence_id = ?");
  spec.params = {evidence_id};
  spec.key = QStringLiteral("i.id");
  spec.recovered.clear();
  spec.order = QStringLiteral("i.path");
  spec.columns = {
      {QStringLiteral("i.path"), QT_TRANSLATE_NOOP("Columns", "Path"), K::text, true},
      {QStringLiteral("i.size"), QT_TRANSLATE_NOOP("Columns", "Size"), K::bytes, true},
      {QStringLiteral("i.sha256"), QT_TRANSLATE_NOOP("Columns", "SHA-256"), K::text, true},
      {QStringLiteral("i.md5"), QT_TRANSLATE_NOOP("Columns", "MD5"), K::text, false},
      {QStringLiteral("i.sha1"), QT_TRANSLATE_NOOP("Columns", "SHA-1"), K::text, false},
      {QStringLiteral("i.mtime_utc"), QT_TRANSLATE_NOOP("Columns", "Modified"), K::iso_time, true},
      {QStringLiteral("i.physical"), QT_TRANSLATE_NOOP("Columns", "Physical name"), K::text, false},
      {QStringLiteral("i.note"), QT_TRANSLATE_NOOP("Columns", "Note"), K::text, true},
  };
  spec.filter_columns = {0, 2};
  return spec;
}

SqlWindowSpec conversation_spec(qint64 evidence_id, const QString& app, const QString& thread_key) {
  using K = ColumnKind;
  SqlWindowSpec spec;
  spec.from = QStringLiteral("artifacts a JOIN messages t ON t.artifact_id = a.id");
  spec.where = QStringLiteral("a.type = 'message' AND a.evidence_id = ? AND t.app = ? AND t.thread_key IS ?");
  spec.params = {evidence_id, app, thread_key.isNull() ? QVariant() : QVariant(thread_key)};
  spec.columns = {
      {QStringLiteral("a.time_utc_us"), QT_TRANSLATE_NOOP("Columns", "Time"), K::time_us},
      {QStringLiteral("t.sender"), "sender", K::text},
      {QStringLiteral("t.sender_name"), "sender_name", K::text},
      {QStringLiteral("t.direction"), "direction", K::text},
      {QStringLiteral("t.text"), "text", K::text},
      {QStringLiteral("t.attachments"), "attachments", K::text},
      {QStringLiteral("t.kind"), "kind", K::text},
      {QStringLiteral("t.status"), "status", K::text},
      {QStringLiteral("t.deleted"), "deleted", K::flag},
      {QStringLiteral("t.edited"), "edited", K::flag},
      {QStringLiteral("t.expires_in_s"), "expires_in_s", K::integer},
      {QStringLiteral("a.recovered"), QT_TRANSLATE_NOOP("Columns", "Recovered"), K::flag},
      {QStringLiteral("a.item_path"), QT_TRANSLATE_NOOP("Columns", "Item path"), K::text},
      {QStringLiteral("a.source_rowid"), QT_TRANSLATE_NOOP("Columns", "Row id"), K::integer},
  };
  spec.filter_columns = {kConvText, kConvSenderName};
  return spec;
}

SqlWindowSpec timeline_spec() {
  using K = ColumnKind;
  SqlWindowSpec spec;
  spec.from = QStringLiteral("artifacts a") + QString::fromUtf8(kSummaryJoins);
  spec.where = QStringLiteral("a.time_utc_us IS NOT NULL");
  spec.columns = {
      {QStringLiteral("a.time_utc_us"), QT_TRANSLATE_NOOP("Columns", "Time"), K::time_us},
      {QStringLiteral("a.type"), QT_TRANSLATE_NOOP("Columns", "Type"), K::text},
      {QLatin1String(kAppExpr), QT_TRANSLATE_NOOP("Columns", "App"), K::text},
      {QStringLiteral("e.exhibit"), QT_TRANSLATE_NOOP("Columns", "Exhibit"), K::text},
      {QStringLiteral("a.recovered"), QT_TRANSLATE_NOOP("Columns", "Recovered"), K::flag},
      {QStringLiteral("a.item_path"), QT_TRANSLATE_NOOP("Columns", "Item path"), K::text, false},
      {QString::fromUtf8(kSummaryExpr), QT_TRANSLATE_NOOP("Columns", "Summary"), K::text},
  };
  spec.filter_columns = {kTimelineSummary};
  return spec;
}

std::pair<QString, QVariantList> timeline_range(qint64 from_us, qint64 to_us) {
  if (from_us == 0 && to_us == 0) return {};
  return {QStringLiteral("a.time_utc_us >= ? AND a.time_utc_us < ?"), {from_us, to_us}};
}

SqlWindowSpec search_spec() {
  SqlWindowSpec spec = timeline_spec();
  spec.where.clear();
  spec.filter_columns.clear();
  return spec;
}

std::pair<QString, QVariantList> search_condition(const SearchFilter& f) {
  QStringList where;
  QVariantList params;
  if (!f.text.isEmpty()) {
    // Same rule and SQL as the engine (core/search_index.h search_sql): 3+ characters preselect through the
    // trigram index in search.db and confirm with LIKE; shorter words, or a case without search.db, scan.
    const SearchSql s = search_sql(f.text.toStdString(), f.use_index);
    where << QString::fromStdString(s.condition);
    for (const auto& p : s.params) params << QString::fromStdString(p);
  }
  if (f.from_us) {
    where << QStringLiteral("a.time_utc_us >= ?");
    params << *f.from_us;
  }
  if (f.to_us) {
    where << QStringLiteral("a.time_utc_us < ?");
    params << *f.to_us;
  }
  if (f.evidence_id) {
    where << QStringLiteral("a.evidence_id = ?");
    params << *f.evidence_id;
  }
  if (!f.app.isEmpty()) {
    where << QLatin1String(kAppExpr) + QStringLiteral(" = ?");
    params << f.app;
  }
  return {where.join(QStringLiteral(" AND ")), params};
}

SnapshotLoader evidence_loader() {
  return [](sql::Db& db) {
    using K = ColumnKind;
    return query_snapshot(
        db,
        {{"exhibit", QT_TRANSLATE_NOOP("Columns", "Exhibit"), K::text},
         {"label", QT_TRANSLATE_NOOP("Columns", "Label"), K::text},
         {"source_kind", QT_TRANSLATE_NOOP("Columns", "Format"), K::text},
         {"item_count", QT_TRANSLATE_NOOP("Columns", "Items"), K::integer},
         {"total_bytes", QT_TRANSLATE_NOOP("Columns", "Size"), K::bytes},
         {"status", QT_TRANSLATE_NOOP("Columns", "Status"), K::text},
         {"problems", QT_TRANSLATE_NOOP("Columns", "Problems"), K::integer},
         {"ingested_utc", QT_TRANSLATE_NOOP("Columns", "Ingested"), K::iso_time},
         {"COALESCE(container_sha256, '')", QT_TRANSLATE_NOOP("Columns", "Container SHA-256"), K::text},
         {"manifest_sha256", QT_TRANSLATE_NOOP("Columns", "Manifest SHA-256"), K::text},
         {"source_path", QT_TRANSLATE_NOOP("Columns", "Source"), K::text}},
        QStringLiteral("FROM evidence ORDER BY id"), {}, QStringLiteral("id"));
  };
}

SnapshotLoader thread_list_loader() {
  return [](sql::Db& db) {
    using K = ColumnKind;
    // One pass over messages grouped by conversation; names come from the threads table when the app has one.
    return query_snapshot(
        db,
        {{"g.app", QT_TRANSLATE_NOOP("Columns", "App"), K::text},
         {"g.thread_key", QT_TRANSLATE_NOOP("Columns", "Thread"), K::text},
         {"COALESCE(nm.name, g.first_name, g.first_sender, g.thread_key)",
          QT_TRANSLATE_NOOP("Columns", "Name"), K::text},
         {"g.n", QT_TRANSLATE_NOOP("Columns", "Messages"), K::integer},
         {"g.last", QT_TRANSLATE_NOOP("Columns", "Last activity"), K::time_us},
         {"g.rec", QT_TRANSLATE_NOOP("Columns", "Recovered"), K::integer},
         {"(SELECT exhibit FROM evidence WHERE id = g.evidence_id)", QT_TRANSLATE_NOOP("Columns", "Exhibit"),
          K::text},
         {"g.evidence_id", QT_TRANSLATE_NOOP("Columns", "Evidence id"), K::integer, false}},
        // One conversation per device: the same group chat seen on two seized phones stays two threads.
        QStringLiteral(
            "FROM (SELECT a.evidence_id AS evidence_id, m.app AS app, m.thread_key AS thread_key, count(*) "
            "AS "
            "n, max(a.time_utc_us) AS last, sum(a.recovered) AS rec, max(CASE WHEN m.direction = 'incoming' "
            "THEN NULLIF(m.sender_name, '') END) AS first_name, max(CASE WHEN m.direction = 'incoming' THEN "
            "NULLIF(m.sender, '') END) AS first_sender FROM messages m JOIN artifacts a ON a.id = "
            "m.artifact_id GROUP BY a.evidence_id, m.app, m.thread_key) g "
            // Names from the (small) threads table, joined once; a correlated subquery here let SQLite scan
            // every artifact per conversation (85 s on a million messages instead of 2 s).
            "LEFT JOIN (SELECT ta.evidence_id AS evidence_id, th.app AS app, th.thread_key AS thread_key, "
            "max(NULLIF(th.name, '')) AS name FROM threads th CROSS JOIN artifacts ta ON ta.id = "
            "th.artifact_id "
            "GROUP BY 1, 2, 3) nm ON nm.evidence_id = g.evidence_id AND nm.app = g.app AND nm.thread_key = "
            "g.thread_key ORDER BY g.last DESC"),
        {}, QStringLiteral("NULL"), QStringLiteral("g.rec > 0"));
  };
}

SnapshotLoader custody_loader() {
  return [](sql::Db& db) {
    using K = ColumnKind;
    return query_snapshot(db,
                          {{"seq", QT_TRANSLATE_NOOP("Columns", "Seq"), K::integer},
                           {"utc", QT_TRANSLATE_NOOP("Columns", "Time"), K::iso_time},
                           {"examiner", QT_TRANSLATE_NOOP("Columns", "Examiner"), K::text},
                           {"action", QT_TRANSLATE_NOOP("Columns", "Action"), K::text},
                           {"status", QT_TRANSLATE_NOOP("Columns", "Status"), K::text},
                           {"parameters", QT_TRANSLATE_NOOP("Columns", "Parameters"), K::text},
                           {"error", QT_TRANSLATE_NOOP("Columns", "Error"), K::text},
                           {"entry_hash", QT_TRANSLATE_NOOP("Columns", "Entry hash"), K::text}},
                          QStringLiteral("FROM custody ORDER BY seq"), {}, QStringLiteral("seq"));
  };
}

SnapshotLoader tags_loader() {
  return [](sql::Db& db) {
    using K = ColumnKind;
    if (!db.table_exists("tags")) return Snapshot{};  // a case from before tags existed: nothing tagged
    return query_snapshot(
        db,
        {{"tg.tag", QT_TRANSLATE_NOOP("Columns", "Tag"), K::text},
         {"COALESCE(tg.note, '')", QT_TRANSLATE_NOOP("Columns", "Note"), K::text},
         {"a.type", QT_TRANSLATE_NOOP("Columns", "Type"), K::text},
         {"a.time_utc_us", QT_TRANSLATE_NOOP("Columns", "Time"), K::time_us},
         {QString::fromUtf8(kSummaryExpr), QT_TRANSLATE_NOOP("Columns", "Summary"), K::text},
         {"tg.examiner", QT_TRANSLATE_NOOP("Columns", "Examiner"), K::text},
         {"tg.created_utc", QT_TRANSLATE_NOOP("Columns", "Tagged"), K::iso_time},
         {"a.id", QT_TRANSLATE_NOOP("Columns", "Artifact id"), K::integer}},
        QStringLiteral("FROM tags tg JOIN artifacts a ON a.id = tg.artifact_id") +
            QString::fromUtf8(kSummaryJoins) + QStringLiteral(" ORDER BY tg.id"),
        {}, QStringLiteral("tg.id"), QStringLiteral("a.recovered"));
  };
}

SnapshotLoader locations_loader(int max_points) {
  return [max_points](sql::Db& db) {
    using K = ColumnKind;
    Snapshot s = query_snapshot(db,
                                {{"lat", QT_TRANSLATE_NOOP("Columns", "Latitude"), K::real},
                                 {"lon", QT_TRANSLATE_NOOP("Columns", "Longitude"), K::real},
                                 {"t", QT_TRANSLATE_NOOP("Columns", "Time"), K::time_us},
                                 {"src", QT_TRANSLATE_NOOP("Columns", "Source"), K::text},
                                 {"exhibit", QT_TRANSLATE_NOOP("Columns", "Exhibit"), K::text},
                                 {"label", QT_TRANSLATE_NOOP("Columns", "Label"), K::text}},
                                QStringLiteral("FROM (SELECT a.id AS id, a.recovered AS rec, l.latitude AS "
                                               "lat, l.longitude AS lon, a.time_utc_us AS t, "
                                               "a.parser_id AS src, e.exhibit AS exhibit, "
                                               // The kind leads the label ("wifi: …", "destination: …"):
                                               // what a point means differs between sources.
                                               "CASE WHEN COALESCE(l.label, '') = '' THEN COALESCE(l.kind, '') "
                                               "ELSE COALESCE(l.kind || ': ', '') || l.label END AS label "
                                               "FROM locations l JOIN "
                                               "artifacts a ON a.id = l.artifact_id LEFT JOIN evidence e ON "
                                               "e.id = a.evidence_id WHERE l.latitude IS "
                                               "NOT NULL AND l.longitude IS NOT NULL UNION ALL SELECT a.id, "
                                               "a.recovered, md.latitude, md.longitude, "
                                               "a.time_utc_us, a.parser_id, e.exhibit, md.path FROM media md "
                                               "JOIN artifacts a ON a.id = md.artifact_id "
                                               "LEFT JOIN evidence e ON e.id = a.evidence_id WHERE "
                                               "md.latitude IS NOT NULL AND md.longitude IS NOT "
                                               "NULL) ORDER BY t LIMIT ?"),
                                {max_points + 1}, QStringLiteral("id"), QStringLiteral("rec"));
    if (s.rows.size() > max_points) {
      s.rows.resize(max_points);
      s.keys.resize(max_points);
      if (!s.recovered.isEmpty()) s.recovered.resize(max_points);
      s.note = QStringLiteral("first %1 points shown").arg(max_points);
    }
    return s;
  };
}

SnapshotLoader histogram_loader(qint64 from_us, qint64 to_us, int buckets) {
  return [from_us, to_us, buckets](sql::Db& db) {
    using K = ColumnKind;
    qint64 lo = from_us, hi = to_us;
    if (lo == 0 && hi == 0) {
      sql::Stmt st(db,
                   "SELECT min(time_utc_us), max(time_utc_us) FROM artifacts WHERE time_utc_us IS NOT NULL");
      if (!st.step() || st.is_null(0))
        return Snapshot{{{"", QT_TRANSLATE_NOOP("Columns", "From"), K::time_us}}};
      lo = st.i64(0);
      hi = st.i64(1) + 1;
    }
    const int n = std::max(1, buckets);
    const qint64 width = std::max<qint64>(1, (hi - lo + n - 1) / n);
    Snapshot s;
    s.columns = {{"", QT_TRANSLATE_NOOP("Columns", "From"), K::time_us},
                 {"", QT_TRANSLATE_NOOP("Columns", "To"), K::time_us},
                 {"", QT_TRANSLATE_NOOP("Columns", "Events"), K::integer}};
    QVector<qint64> counts(n, 0);
    sql::Stmt st(db,
                 "SELECT (time_utc_us - ?1) / ?2, count(*) FROM artifacts WHERE time_utc_us >= ?1 AND "
                 "time_utc_us < ?3 "
                 "GROUP BY 1");
    st.bind(1, static_cast<int64_t>(lo))
        .bind(2, static_cast<int64_t>(width))
        .bind(3, static_cast<int64_t>(hi));
    while (st.step()) {
      qint64 b = st.i64(0);
      if (b >= 0 && b < n) counts[b] += st.i64(1);
    }
    for (int i = 0; i < n; ++i) {
      s.rows.push_back({QVariant::fromValue<qint64>(lo + i * width),
                        QVariant::fromValue<qint64>(lo + (i + 1) * width),
                        QVariant::fromValue<qint64>(counts[i])});
      s.keys.push_back(i);
    }
    return s;
  };
}

SnapshotLoader provenance_loader(qint64 artifact_id) {
  return [artifact_id](sql::Db& db) {
    using K = ColumnKind;
    Snapshot s;
    // Field (translated label), value, and the untranslated key (hidden; what code and tests look up).
    s.columns = {{"", QT_TRANSLATE_NOOP("Columns", "Field"), K::text},
                 {"", QT_TRANSLATE_NOOP("Columns", "Value"), K::text},
                 {"", QT_TRANSLATE_NOOP("Columns", "Key"), K::text, false}};
    auto add = [&s](const QString& field, const QVariant& value, ColumnKind kind = ColumnKind::text,
                    const char* context = "Provenance") {
      // Times are formatted here (the pane shows text); the zone label is part of the text.
      QString label = QCoreApplication::translate(context, field.toUtf8().constData());
      s.rows.push_back(
          {label, kind == ColumnKind::text ? value : QVariant(display_value(value, kind)), field});
      s.keys.push_back(s.keys.size());
    };
    sql::Stmt st(
        db,
        "SELECT a.type, a.evidence_id, e.exhibit, e.label, a.item_path, a.item_sha256, a.source_table, "
        "a.source_rowid, a.source_offset, a.source_detail, a.parser_id, a.parser_version, a.recovered, "
        "a.time_utc_us, i.md5, i.sha1, i.size, e.source_path FROM artifacts a LEFT JOIN evidence e ON e.id = "
        "a.evidence_id LEFT JOIN items i ON i.id = a.item_id WHERE a.id = ?");
    st.bind(1, static_cast<int64_t>(artifact_id));
    if (!st.step()) return s;
    QString type = column_variant(st, 0).toString();
    add(QStringLiteral("artifact_id"), artifact_id);
    add(QStringLiteral("type"), type);
    add(QStringLiteral("time"), column_variant(st, 13), K::time_us);
    add(QStringLiteral("evidence"), QStringLiteral("%1 (E%2) %3")
                                        .arg(column_variant(st, 2).toString())
                                        .arg(st.i64(1))
                                        .arg(column_variant(st, 3).toString()));
    add(QStringLiteral("evidence_source"), column_variant(st, 17));
    add(QStringLiteral("item_path"), column_variant(st, 4));
    add(QStringLiteral("item_sha256"), column_variant(st, 5));
    add(QStringLiteral("item_md5"), column_variant(st, 14));
    add(QStringLiteral("item_sha1"), column_variant(st, 15));
    add(QStringLiteral("item_size"), column_variant(st, 16), K::bytes);
    add(QStringLiteral("source_table"), column_variant(st, 6));
    add(QStringLiteral("source_rowid"), column_variant(st, 7));
    add(QStringLiteral("source_offset"), column_variant(st, 8));
    add(QStringLiteral("source_detail"), column_variant(st, 9));
    add(QStringLiteral("parser"),
        column_variant(st, 10).toString() + QStringLiteral(" ") + column_variant(st, 11).toString());
    add(QStringLiteral("recovered"),
        st.i64(12) != 0 ? QStringLiteral("yes / はい") : QStringLiteral("no / いいえ"));
    QString table;
    for (const auto& t : artifact_types())
      if (t.type == type) table = t.table;
    if (!table.isEmpty()) {
      sql::Stmt row(db, QStringLiteral("SELECT * FROM %1 WHERE artifact_id = ?").arg(table).toStdString());
      row.bind(1, static_cast<int64_t>(artifact_id));
      if (row.step()) {
        for (int c = 0; c < row.column_count(); ++c) {
          QString name = QString::fromStdString(row.column_name(c));
          if (name == QLatin1String("artifact_id")) continue;
          add(name, column_variant(row, c),
              name.endsWith(QLatin1String("_utc")) ? ColumnKind::iso_time : ColumnKind::text, "Columns");
        }
      }
    }
    if (db.table_exists("tags")) {
      sql::Stmt tags(db,
                     "SELECT tag, COALESCE(note, ''), examiner FROM tags WHERE artifact_id = ? ORDER BY id");
      tags.bind(1, static_cast<int64_t>(artifact_id));
      while (tags.step())
        add(QStringLiteral("tag"),
            QStringLiteral("%1 — %2 (%3)")
                .arg(QString::fromStdString(tags.text(0)), QString::fromStdString(tags.text(1)),
                     QString::fromStdString(tags.text(2))));
    }
    return s;
  };
}

SnapshotLoader apps_loader() {
  return [](sql::Db& db) {
    return query_snapshot(
        db, {{"app", QT_TRANSLATE_NOOP("Columns", "App"), ColumnKind::text}},
        QStringLiteral("FROM (SELECT DISTINCT app FROM messages WHERE app IS NOT NULL UNION SELECT "
                       "DISTINCT app FROM calls WHERE app IS NOT NULL) ORDER BY app"));
  };
}

}  // namespace kanshiki::gui
