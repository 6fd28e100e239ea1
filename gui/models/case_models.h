#pragma once
// The workbench's views of a case, as query descriptions for SqlWindowModel (large, windowed) and loaders
// for SnapshotModel (small, whole). Everything here reads the case database only.
#include <QString>
#include <QStringList>
#include <QVector>
#include <optional>

#include "gui/models/snapshot_model.h"
#include "gui/models/sql_window_model.h"

namespace kanshiki::gui {

struct ArtifactTypeInfo {
  QString type;   // artifacts.type ("message")
  QString table;  // its table ("messages")
  QString title;  // source text, translated in the "Types" context
};
// The artifact types a case can hold, in the order the browser lists them.
const QVector<ArtifactTypeInfo>& artifact_types();
QString type_title(const QString& type);  // translated

// Artifact browser: every column of the type's table plus the provenance columns (hidden by default, the
// column chooser shows them). Filterable over the type's text columns.
SqlWindowSpec artifact_spec(const QString& type);
// Items (files) of one evidence item.
SqlWindowSpec items_spec(qint64 evidence_id);

// One conversation, oldest first. Columns in ConversationColumn order.
enum ConversationColumn {
  kConvTime,
  kConvSender,
  kConvSenderName,
  kConvDirection,
  kConvText,
  kConvAttachments,
  kConvKind,
  kConvStatus,
  kConvDeleted,
  kConvEdited,
  kConvExpires,
  kConvRecovered,
  kConvItemPath,
  kConvSourceRowid,
  kConvColumnCount
};
SqlWindowSpec conversation_spec(qint64 evidence_id, const QString& app, const QString& thread_key);

// Events of every type across devices, in time order; range set with setExtraWhere(timeline_range(...)).
// Columns: time, type, app, exhibit, recovered, item path, summary.
enum TimelineColumn {
  kTimelineTime,
  kTimelineType,
  kTimelineApp,
  kTimelineExhibit,
  kTimelineRecovered,
  kTimelineItemPath,
  kTimelineSummary
};
SqlWindowSpec timeline_spec();
std::pair<QString, QVariantList> timeline_range(qint64 from_us, qint64 to_us);

// Full-text search (FTS5 trigram index; queries under 3 characters scan with instr(), as the engine does),
// with filters. Empty/unset filters are ignored.
struct SearchFilter {
  QString text;
  std::optional<qint64> from_us, to_us;
  std::optional<qint64> evidence_id;  // device
  QString app;
  bool use_index = true;  // CASE/search.db exists and the connection has it attached (DbWorker)
};
SqlWindowSpec search_spec();
std::pair<QString, QVariantList> search_condition(const SearchFilter& filter);

// Snapshot loaders.
SnapshotLoader evidence_loader();  // evidence with item counts, sizes, container hashes, status
// Threads: one per device (evidence) and conversation.
enum ThreadColumn {
  kThreadApp,
  kThreadKey,
  kThreadName,
  kThreadMessages,
  kThreadLast,
  kThreadRecovered,
  kThreadExhibit,
  kThreadEvidence,
  kThreadColumnCount
};
SnapshotLoader thread_list_loader();
SnapshotLoader custody_loader();  // seq, time, examiner, action, status, parameters, error
SnapshotLoader tags_loader();     // tag id key; tag, note, examiner, created, artifact id, type, summary
// Map points: artifact id key; latitude, longitude, time, source (parser), exhibit, label.
enum MapColumn { kMapLat, kMapLon, kMapTime, kMapSource, kMapExhibit, kMapLabel, kMapColumnCount };
SnapshotLoader locations_loader(int max_points = 500000);
// Histogram buckets over [from_us, to_us) (0, 0 = the whole case): columns start (time_us), end, count.
SnapshotLoader histogram_loader(qint64 from_us, qint64 to_us, int buckets);
// One artifact as (field, value) rows: provenance first, then the type's own columns, then its tags.
SnapshotLoader provenance_loader(qint64 artifact_id);
SnapshotLoader apps_loader();  // distinct apps (messages, calls, contacts)

}  // namespace kanshiki::gui
