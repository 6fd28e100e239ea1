#pragma once
// The case database schema. One SQLite file per case (CASE/case.db), WAL mode. Versioned: meta.schema_version
// is the number of migrations applied; CaseDb::open applies missing ones and refuses a newer case.
//
// Conventions: every artifact is a row in `artifacts` (type + full provenance + its primary time) and a row
// in its type table keyed by artifact_id. Times are stored three ways: *_raw (as the app stored it),
// *_epoch (EpochKind name) and *_utc (ISO 8601 UTC, 'Z'); artifacts.time_utc_us is the sortable instant.
#include <array>
#include <string_view>

namespace kanshiki {

// The migration count is derived (std::to_array), so appending one is a one-place change.
inline constexpr auto kCaseMigrations = std::to_array<std::string_view>({R"SQL(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE examiners(
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, fingerprint TEXT NOT NULL UNIQUE,
  public_key_pem TEXT NOT NULL, first_seen_utc TEXT NOT NULL);

-- Chain-of-custody log: append-only (triggers below), hash-chained, each entry signed (Ed25519).
CREATE TABLE custody(
  seq INTEGER PRIMARY KEY, utc TEXT NOT NULL, examiner TEXT NOT NULL, examiner_fingerprint TEXT NOT NULL,
  host TEXT NOT NULL, tool_version TEXT NOT NULL, action TEXT NOT NULL, status TEXT NOT NULL,
  parameters TEXT NOT NULL, inputs TEXT NOT NULL, outputs TEXT NOT NULL, error TEXT NOT NULL,
  prev_hash TEXT NOT NULL, entry_hash TEXT NOT NULL, signature TEXT NOT NULL);
CREATE TRIGGER custody_no_update BEFORE UPDATE ON custody BEGIN SELECT RAISE(ABORT, 'custody log is append-only'); END;
CREATE TRIGGER custody_no_delete BEFORE DELETE ON custody BEGIN SELECT RAISE(ABORT, 'custody log is append-only'); END;

CREATE TABLE runs(
  id INTEGER PRIMARY KEY, command TEXT NOT NULL, command_line TEXT NOT NULL, tool_version TEXT NOT NULL,
  host TEXT NOT NULL, examiner TEXT NOT NULL, started_utc TEXT NOT NULL, ended_utc TEXT, status TEXT NOT NULL,
  parser_versions TEXT NOT NULL DEFAULT '{}');

CREATE TABLE evidence(
  id INTEGER PRIMARY KEY, exhibit TEXT NOT NULL, label TEXT NOT NULL DEFAULT '', source_path TEXT NOT NULL,
  source_kind TEXT NOT NULL, container_size INTEGER, container_md5 TEXT, container_sha1 TEXT,
  container_sha256 TEXT, item_count INTEGER NOT NULL DEFAULT 0, total_bytes INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL, ingest_run_id INTEGER REFERENCES runs(id), ingested_utc TEXT NOT NULL,
  manifest_path TEXT NOT NULL DEFAULT '', manifest_sha256 TEXT NOT NULL DEFAULT '', problems INTEGER NOT NULL DEFAULT 0);

CREATE TABLE items(
  id INTEGER PRIMARY KEY, evidence_id INTEGER NOT NULL REFERENCES evidence(id), path TEXT NOT NULL,
  physical TEXT NOT NULL, size INTEGER NOT NULL, mtime_utc TEXT, ctime_utc TEXT, atime_utc TEXT, btime_utc TEXT,
  md5 TEXT NOT NULL, sha1 TEXT NOT NULL, sha256 TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',
  UNIQUE(evidence_id, path));
CREATE INDEX items_sha256 ON items(sha256);

CREATE TABLE parser_runs(
  id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id), evidence_id INTEGER NOT NULL,
  item_id INTEGER NOT NULL REFERENCES items(id), parser_id TEXT NOT NULL, parser_version TEXT NOT NULL,
  status TEXT NOT NULL, artifact_count INTEGER NOT NULL DEFAULT 0, warning_count INTEGER NOT NULL DEFAULT 0,
  started_utc TEXT NOT NULL, ended_utc TEXT NOT NULL, limitations TEXT NOT NULL DEFAULT '[]',
  UNIQUE(item_id, parser_id, parser_version));

CREATE TABLE warnings(
  id INTEGER PRIMARY KEY, run_id INTEGER, parser_run_id INTEGER, severity TEXT NOT NULL,
  evidence_id INTEGER, item_id INTEGER, item_path TEXT NOT NULL DEFAULT '', parser_id TEXT NOT NULL DEFAULT '',
  source_table TEXT NOT NULL DEFAULT '', source_rowid INTEGER, message TEXT NOT NULL, created_utc TEXT NOT NULL);

CREATE TABLE artifacts(
  id INTEGER PRIMARY KEY, type TEXT NOT NULL, evidence_id INTEGER NOT NULL, item_id INTEGER NOT NULL,
  item_path TEXT NOT NULL, item_sha256 TEXT NOT NULL, source_table TEXT NOT NULL, source_rowid INTEGER,
  source_offset INTEGER, source_detail TEXT NOT NULL DEFAULT '', parser_id TEXT NOT NULL,
  parser_version TEXT NOT NULL, recovered INTEGER NOT NULL DEFAULT 0, parser_run_id INTEGER NOT NULL,
  time_utc_us INTEGER);
CREATE INDEX artifacts_type_time ON artifacts(type, time_utc_us);

CREATE TABLE messages(
  artifact_id INTEGER PRIMARY KEY REFERENCES artifacts(id), app TEXT, account TEXT, thread_key TEXT,
  sender TEXT, sender_name TEXT, recipients TEXT, direction TEXT, time_raw TEXT, time_epoch TEXT, time_utc TEXT,
  text TEXT, status TEXT, kind TEXT, edited INTEGER, deleted INTEGER, expires_in_s INTEGER, attachments TEXT);
CREATE TABLE threads(
  artifact_id INTEGER PRIMARY KEY REFERENCES artifacts(id), app TEXT, account TEXT, thread_key TEXT, name TEXT,
  is_group INTEGER, last_activity_raw TEXT, last_activity_epoch TEXT, last_activity_utc TEXT);
CREATE TABLE participants(
  artifact_id INTEGER PRIMARY KEY REFERENCES artifacts(id), app TEXT, thread_key TEXT, identifier TEXT,
  name TEXT, role TEXT);
CREATE TABLE calls(
  artifact_id INTEGER PRIMARY KEY REFERENCES artifacts(id), app TEXT, account TEXT, number TEXT,
  number_e164 TEXT, name TEXT, direction TEXT, time_raw TEXT, time_epoch TEXT, time_utc TEXT,
  duration_s INTEGER, video INTEGER, country_iso TEXT);
CREATE TABLE contacts(
  artifact_id INTEGER PRIMARY KEY REFERENCES artifacts(id), app TEXT, account TEXT, name TEXT, phones TEXT,
  emails TEXT, organization TEXT, note TEXT, last_contacted_raw TEXT, last_contacted_epoch TEXT,
  last_contacted_utc TEXT, times_contacted INTEGER);
CREATE TABLE web_visits(
  artifact_id INTEGER PRIMARY KEY REFERENCES artifacts(id), browser TEXT, url TEXT, title TEXT, time_raw TEXT,
  time_epoch TEXT, time_utc TEXT, visit_count INTEGER, typed_count INTEGER, transition TEXT);
CREATE TABLE locations(
  artifact_id INTEGER PRIMARY KEY REFERENCES artifacts(id), latitude REAL, longitude REAL, accuracy_m REAL,
  altitude_m REAL, time_raw TEXT, time_epoch TEXT, time_utc TEXT, kind TEXT, source TEXT, label TEXT);
CREATE TABLE media(
  artifact_id INTEGER PRIMARY KEY REFERENCES artifacts(id), path TEXT, sha256 TEXT, mime_type TEXT, size INTEGER,
  captured_raw TEXT, captured_epoch TEXT, captured_utc TEXT, latitude REAL, longitude REAL, make TEXT,
  model TEXT, software TEXT);
CREATE TABLE accounts(
  artifact_id INTEGER PRIMARY KEY REFERENCES artifacts(id), app TEXT, username TEXT, identifier TEXT,
  display_name TEXT);
CREATE TABLE installed_apps(
  artifact_id INTEGER PRIMARY KEY REFERENCES artifacts(id), identifier TEXT, name TEXT, version TEXT,
  installed_raw TEXT, installed_epoch TEXT, installed_utc TEXT);
CREATE TABLE device_info(
  artifact_id INTEGER PRIMARY KEY REFERENCES artifacts(id), key TEXT, value TEXT);

-- Full-text search over message text and contact names. The trigram tokenizer makes Japanese substring
-- search work without word segmentation. The index is external-content over the view below and keeps no
-- positions (detail=none): substring queries go through LIKE, which the trigram index answers and SQLite
-- confirms against the text; that halves the index cost at a million messages. Queries under 3 characters
-- cannot use trigrams and scan the tables with instr() instead (engine/verify.cpp search_case).
CREATE VIEW search_text(artifact_id, text) AS
  SELECT artifact_id, text FROM messages
  UNION ALL SELECT artifact_id, name || ' ' || phones FROM contacts;
CREATE VIRTUAL TABLE search_index USING fts5(text, tokenize='trigram', detail='none', content='search_text',
  content_rowid='artifact_id');
)SQL",
// Migration 2: derived evidence (e.g. a decrypted WhatsApp backup) names the item it was derived from and how.
R"SQL(
ALTER TABLE evidence ADD COLUMN derived_from_item INTEGER REFERENCES items(id);
ALTER TABLE evidence ADD COLUMN derivation TEXT NOT NULL DEFAULT '';
)SQL",
// Migration 3: examiner tags on findings (the court report's "tagged findings"), and the administrative
// facts of the case and of each evidence item that a report must state (SWGDE / ISO/IEC 27042). Keys are
// validated by engine/tags.h (case_fact_keys / evidence_fact_keys); each change is a custody entry whose seq
// is kept beside the value.
R"SQL(
CREATE TABLE tags(
  id INTEGER PRIMARY KEY, artifact_id INTEGER NOT NULL REFERENCES artifacts(id), tag TEXT NOT NULL, note TEXT,
  examiner TEXT NOT NULL, created_utc TEXT NOT NULL, custody_seq INTEGER);
CREATE INDEX tags_artifact ON tags(artifact_id);
CREATE INDEX tags_tag ON tags(tag);
CREATE TABLE case_facts(
  key TEXT PRIMARY KEY, value TEXT NOT NULL, examiner TEXT NOT NULL, set_utc TEXT NOT NULL, custody_seq INTEGER);
CREATE TABLE evidence_facts(
  evidence_id INTEGER NOT NULL REFERENCES evidence(id), key TEXT NOT NULL, value TEXT NOT NULL,
  examiner TEXT NOT NULL, set_utc TEXT NOT NULL, custody_seq INTEGER, PRIMARY KEY(evidence_id, key));
)SQL",
// Migration 4: seizure-scale processing (docs/batch.md, docs/scan.md). `scan` stores detector and watchlist
// hits; each hit points at its artifact, whose row carries the full provenance. `batch` keeps one state row per
// device so a killed batch resumes; dedup_refs records a parser run that was not repeated because an item with
// the same SHA-256 had already been parsed by the same parser version (its artifacts are referenced).
R"SQL(
CREATE TABLE scan_runs(
  id INTEGER PRIMARY KEY, run_id INTEGER REFERENCES runs(id), started_utc TEXT NOT NULL, ended_utc TEXT,
  status TEXT NOT NULL, detector_version TEXT NOT NULL, watchlists TEXT NOT NULL DEFAULT '[]',
  fields_scanned INTEGER NOT NULL DEFAULT 0, hit_count INTEGER NOT NULL DEFAULT 0);
CREATE TABLE hits(
  id INTEGER PRIMARY KEY, scan_run_id INTEGER NOT NULL REFERENCES scan_runs(id),
  artifact_id INTEGER NOT NULL REFERENCES artifacts(id), field TEXT NOT NULL, byte_offset INTEGER NOT NULL,
  source TEXT NOT NULL, category TEXT NOT NULL, term TEXT NOT NULL DEFAULT '', value TEXT NOT NULL,
  normalized TEXT NOT NULL, validation TEXT NOT NULL DEFAULT '', context TEXT NOT NULL);
CREATE INDEX hits_scan ON hits(scan_run_id);
CREATE INDEX hits_artifact ON hits(artifact_id);
CREATE INDEX hits_value ON hits(category, normalized);
CREATE TABLE batch_devices(
  id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, exhibit TEXT NOT NULL UNIQUE, evidence_path TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '', secret_ref TEXT NOT NULL DEFAULT '', state TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',
  evidence_id INTEGER, attempts INTEGER NOT NULL DEFAULT 0, worker TEXT NOT NULL DEFAULT '', queued_utc TEXT NOT NULL,
  started_utc TEXT, ended_utc TEXT, seconds REAL, artifacts INTEGER NOT NULL DEFAULT 0);
CREATE TABLE dedup_refs(
  parser_run_id INTEGER PRIMARY KEY REFERENCES parser_runs(id), item_id INTEGER NOT NULL REFERENCES items(id),
  sha256 TEXT NOT NULL, original_parser_run_id INTEGER NOT NULL REFERENCES parser_runs(id));
)SQL",
// Migration 5: items read out of disk images (core/image/) carry their place in the image, so a finding
// traces to partition, inode and byte offset; deleted (unallocated) entries are listed and flagged.
R"SQL(
ALTER TABLE items ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN partition_name TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN fs_inode INTEGER;
ALTER TABLE items ADD COLUMN image_offset INTEGER;
)SQL",
// Migration 6: `kanshiki recover` (engine/recover.h) carves deleted records out of every SQLite item, also
// those no parser reads, and stores them generically: values as JSON in the table's column order, where
// they were found (file, page, byte offset, WAL frame / journal record), method and confidence.
// recover_items marks each database done in the same transaction as its records (resumable, no duplicates).
R"SQL(
CREATE TABLE recovered_records(
  id INTEGER PRIMARY KEY, run_id INTEGER REFERENCES runs(id), evidence_id INTEGER NOT NULL REFERENCES evidence(id),
  item_id INTEGER NOT NULL REFERENCES items(id), item_path TEXT NOT NULL, item_sha256 TEXT NOT NULL,
  source_table TEXT NOT NULL, table_dropped INTEGER NOT NULL DEFAULT 0, source_rowid INTEGER,
  source_file TEXT NOT NULL, source_offset INTEGER NOT NULL, page INTEGER NOT NULL, frame INTEGER NOT NULL,
  detail TEXT NOT NULL, how TEXT NOT NULL, confidence REAL NOT NULL, columns_json TEXT NOT NULL,
  values_json TEXT NOT NULL);
CREATE INDEX recovered_records_item ON recovered_records(item_id, source_table);
CREATE TABLE recover_items(
  item_id INTEGER PRIMARY KEY REFERENCES items(id), run_id INTEGER REFERENCES runs(id), status TEXT NOT NULL,
  records INTEGER NOT NULL, note TEXT NOT NULL DEFAULT '', finished_utc TEXT NOT NULL);
)SQL",
// Migration 7: device acquisitions (`kanshiki acquire android`, acquire/android/acquisition.h): one row per device
// and container, with the device facts read from it; an interrupted acquisition stays 'incomplete' (with the
// cause) until a re-run completes it and the container is ingested as evidence_id.
R"SQL(
CREATE TABLE acquisitions(
  id INTEGER PRIMARY KEY, run_id INTEGER REFERENCES runs(id), platform TEXT NOT NULL, method TEXT NOT NULL,
  exhibit TEXT NOT NULL, transport TEXT NOT NULL, device_serial TEXT NOT NULL DEFAULT '',
  device_facts TEXT NOT NULL DEFAULT '{}', container_path TEXT NOT NULL, status TEXT NOT NULL,
  error TEXT NOT NULL DEFAULT '', files INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0,
  started_utc TEXT NOT NULL, ended_utc TEXT, evidence_id INTEGER REFERENCES evidence(id));
)SQL",
// Migration 8: known-file hash sets (engine/hashsets.h). A set records where it came from and its SHA-256;
// small sets are copied into hash_set_entries, NSRL RDSv3 is matched in place. known_file_hits holds the
// matches (an item may match several sets; each match names its set).
R"SQL(
CREATE TABLE hash_sets(
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, format TEXT NOT NULL, source_path TEXT NOT NULL,
  source_sha256 TEXT NOT NULL, entries INTEGER NOT NULL, imported_utc TEXT NOT NULL);
CREATE TABLE hash_set_entries(
  set_id INTEGER NOT NULL REFERENCES hash_sets(id), algo TEXT NOT NULL, hash TEXT NOT NULL,
  file_name TEXT NOT NULL DEFAULT '', category TEXT NOT NULL DEFAULT '');
CREATE INDEX hash_set_entries_lookup ON hash_set_entries(set_id, algo, hash);
CREATE TABLE known_file_hits(
  item_id INTEGER NOT NULL REFERENCES items(id), set_id INTEGER NOT NULL REFERENCES hash_sets(id),
  algo TEXT NOT NULL, hash TEXT NOT NULL, file_name TEXT NOT NULL DEFAULT '', category TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(item_id, set_id));
)SQL",
// Migration 9: identifiers the examiner recorded for a seized device (SIM number, IMEI, messenger id), from
// the batch manifest's owner_ids column (';'-separated). The identity graph (engine/graph/) treats them as the
// device's own, labelled as examiner-declared, beside identifiers read from the evidence (device_info, accounts).
R"SQL(
ALTER TABLE batch_devices ADD COLUMN owner_ids TEXT NOT NULL DEFAULT '';
)SQL",
// Migration 10: thumbnails of media (`kanshiki thumbnails`, engine/thumbnails.h), content-addressed: one row
// per distinct original SHA-256 (a photo repeated across devices is thumbnailed once), the JPEG kept in the
// case folder at `path` (relative, CASE/thumbnails/ab/<sha256>.jpg), never beside the evidence. status: ok,
// failed (reason says why: malformed image, decoder crash or limit), not_image (video/audio), no_source (no
// file with that SHA-256 in the evidence, e.g. an image stored inside a database). item_id names the item the
// original bytes were read from (their SHA-256 checked against the ingest hash on the way).
R"SQL(
CREATE TABLE thumbnails(
  sha256 TEXT PRIMARY KEY, status TEXT NOT NULL, item_id INTEGER REFERENCES items(id),
  mime_type TEXT NOT NULL DEFAULT '', path TEXT NOT NULL DEFAULT '', thumb_sha256 TEXT NOT NULL DEFAULT '',
  width INTEGER, height INTEGER, source_width INTEGER, source_height INTEGER, generator TEXT NOT NULL,
  generator_version TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '',
  run_id INTEGER REFERENCES runs(id), created_utc TEXT NOT NULL);
)SQL",
// Migration 11: the full-text index moves out of case.db into CASE/search.db (core/search_index.h), where a
// second thread builds it while the writer stores rows. CaseDb::migrate indexes an upgraded case's artifacts
// there before this migration commits. The search_text view stays: searches confirm index hits against it.
R"SQL(
DROP TABLE search_index;
)SQL"});

// The schema version from which the full-text index lives in CASE/search.db.
inline constexpr int kSearchIndexInOwnFileSince = 11;

// Artifact type name -> its table (same order as ArtifactData's alternatives).
struct ArtifactTable {
  std::string_view type, table;
};
inline constexpr std::array<ArtifactTable, 11> kArtifactTables = {{{"message", "messages"},
                                                                   {"thread", "threads"},
                                                                   {"participant", "participants"},
                                                                   {"call", "calls"},
                                                                   {"contact", "contacts"},
                                                                   {"web_visit", "web_visits"},
                                                                   {"location", "locations"},
                                                                   {"media", "media"},
                                                                   {"account", "accounts"},
                                                                   {"installed_app", "installed_apps"},
                                                                   {"device_info", "device_info"}}};

}  // namespace kanshiki
