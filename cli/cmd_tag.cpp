// `kanshiki tag | untag | tags` (examiner tags on findings, which the court report shows by default) and
// `kanshiki case set` / `kanshiki evidence set` (administrative case and evidence-item facts for the report).
// Every change is a signed custody entry (engine/tags.h).
#include <fmt/format.h>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "engine/tags.h"

namespace kanshiki::cli {
namespace {

int cmd_tag(const fs::path& case_dir, int64_t artifact_id, const std::string& tag, const std::string& note) {
  Session s = open_session(case_dir);
  json params{{"artifact_id", artifact_id}, {"tag", tag}, {"note", note}};
  int64_t id = 0;
  logged(s, "tag", params, [&] { id = add_tag(s.db, s.examiner, artifact_id, tag, note); });
  say(fmt::format("Tagged artifact {} as \"{}\" (tag id {}) / 所見 {} にタグ「{}」を付けました", artifact_id,
                  tag, id, artifact_id, tag));
  emit_json({{"tag_id", id}, {"artifact_id", artifact_id}, {"tag", tag}, {"note", note}});
  return 0;
}

int cmd_untag(const fs::path& case_dir, int64_t tag_id) {
  Session s = open_session(case_dir);
  logged(s, "untag", {{"tag_id", tag_id}}, [&] { remove_tag(s.db, s.examiner, tag_id); });
  say(fmt::format("Removed tag {} / タグ {} を外しました", tag_id, tag_id));
  emit_json({{"removed", tag_id}});
  return 0;
}

int cmd_tags(const fs::path& case_dir) {
  Session s = open_session(case_dir, false);
  json arr = json::array();
  auto tags = all_tags(s.db);
  for (const auto& t : tags) {
    say(fmt::format("#{:<5} artifact {:<8} {:<20} {}  [{} {}]", t.id, t.artifact_id, t.tag, t.note,
                    t.examiner, t.created_utc));
    arr.push_back({{"id", t.id},
                   {"artifact_id", t.artifact_id},
                   {"tag", t.tag},
                   {"note", t.note},
                   {"examiner", t.examiner},
                   {"created_utc", t.created_utc}});
  }
  say(fmt::format("{} tag(s) / タグ {} 件", tags.size(), tags.size()));
  emit_json(arr);
  return 0;
}

int cmd_case_set(const fs::path& case_dir, const std::vector<std::string>& assignments) {
  Session s = open_session(case_dir);
  json params{{"assignments", assignments}};
  logged(s, "case set", params,
         [&] { set_case_facts(s.db, s.examiner, parse_fact_assignments(assignments)); });
  auto facts = case_facts(s.db);
  for (const auto& k : kCaseFactKeys)
    if (auto it = facts.find(std::string(k.key)); it != facts.end())
      say(fmt::format("  {:<20} {}", k.key, it->second));
  emit_json(facts);
  return 0;
}

int cmd_evidence_set(const fs::path& case_dir, const std::string& exhibit,
                     const std::vector<std::string>& assignments) {
  Session s = open_session(case_dir);
  json params{{"exhibit", exhibit}, {"assignments", assignments}};
  logged(s, "evidence set", params,
         [&] { set_evidence_facts(s.db, s.examiner, exhibit, parse_fact_assignments(assignments)); });
  sql::Stmt st(s.db.db(), "SELECT id FROM evidence WHERE exhibit = ?1");
  st.bind(1, exhibit);
  json out = json::object();
  if (st.step()) {
    auto facts = evidence_facts(s.db, st.i64(0));
    for (const auto& k : kEvidenceFactKeys)
      if (auto it = facts.find(std::string(k.key)); it != facts.end())
        say(fmt::format("  {:<16} {}", k.key, it->second));
    out = facts;
  }
  emit_json(out);
  return 0;
}

std::string key_help(const auto& keys) {
  std::string s;
  for (const auto& k : keys) s += (s.empty() ? "" : ", ") + std::string(k.key);
  return s;
}

}  // namespace

void register_tag(CLI::App& app, Action& action) {
  struct Options {
    std::string case_dir, tag, note, exhibit;
    int64_t artifact = 0, tag_id = 0;
    std::vector<std::string> assignments;
  };
  auto o = std::make_shared<Options>();

  auto* tag = app.add_subcommand("tag", "Tag a finding for the court report (custody-logged)");
  tag->add_option("--case", o->case_dir, "Case folder")->required();
  tag->add_option("--artifact", o->artifact, "Artifact id (see `search`, reports, exports)")->required();
  tag->add_option("--tag", o->tag, "Tag name, e.g. 重要 or key-evidence")->required();
  tag->add_option("--note", o->note, "Examiner's note shown with the finding");
  tag->callback(
      [o, &action] { action = [o] { return cmd_tag(o->case_dir, o->artifact, o->tag, o->note); }; });

  auto* untag = app.add_subcommand("untag", "Remove a tag (custody-logged)");
  untag->add_option("--case", o->case_dir, "Case folder")->required();
  untag->add_option("--tag-id", o->tag_id, "Tag id (see `kanshiki tags`)")->required();
  untag->callback([o, &action] { action = [o] { return cmd_untag(o->case_dir, o->tag_id); }; });

  auto* tags = app.add_subcommand("tags", "List the tags of a case");
  tags->add_option("--case", o->case_dir, "Case folder")->required();
  tags->callback([o, &action] { action = [o] { return cmd_tags(o->case_dir); }; });

  auto* kase = shared_command_group(app, "case", "Case management");
  auto* cset = kase->add_subcommand(
      "set", "Set administrative case facts for the report: KEY=VALUE ... (empty value clears)");
  cset->add_option("--case", o->case_dir, "Case folder")->required();
  cset->add_option("facts", o->assignments, "KEY=VALUE; keys: " + key_help(kCaseFactKeys))->required();
  cset->callback([o, &action] { action = [o] { return cmd_case_set(o->case_dir, o->assignments); }; });

  auto* ev = shared_command_group(app, "evidence", "Evidence items");
  auto* eset = ev->add_subcommand(
      "set", "Set facts of one evidence item for the report: KEY=VALUE ... (empty value clears)");
  eset->add_option("--case", o->case_dir, "Case folder")->required();
  eset->add_option("--exhibit", o->exhibit, "Exhibit number, e.g. A-1")->required();
  eset->add_option("facts", o->assignments, "KEY=VALUE; keys: " + key_help(kEvidenceFactKeys))->required();
  eset->callback(
      [o, &action] { action = [o] { return cmd_evidence_set(o->case_dir, o->exhibit, o->assignments); }; });
}

}  // namespace kanshiki::cli
