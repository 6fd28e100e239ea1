// Safari history: History.db (iOS 8+ Library/Safari/History.db; macOS ~/Library/Safari/History.db, the same
// schema).
//
// Schema source: the real History.db in plaso's test data (ios_misc/plaso/safari_History.db):
//   history_items(id, url, domain_expansion, visit_count, daily_visit_counts, ...)
//   history_visits(id, history_item, visit_time REAL (Cocoa s), title, load_successful, http_non_get,
//                  synthesized, redirect_source, redirect_destination, origin, generation, attributes, score)
// One WebVisit per history_visits row; redirect_source/redirect_destination link the visits of a redirect
// chain.
#include "parsers/safari_history.h"

#include <fmt/format.h>

namespace kanshiki::parsers::safari_history {
namespace {

const TableNeed kItemsNeed = {"history_items", {"id", "url", "visit_count"}};
const std::vector<std::string> kVisitColumns = {"id", "history_item", "visit_time", "title"};
const std::vector<std::string> kFlagColumns = {"load_successful", "http_non_get", "synthesized",
                                               "redirect_source", "redirect_destination"};

void on_visit(const Row& r, RowEmitter& out) {
  if (r.is_null("url")) {
    out.warn(
        fmt::format("history item {} not found in history_items: the visit's URL is unknown; not reported",
                    r.i64_or("history_item", 0)));
    return;
  }
  WebVisit v;
  v.browser = "safari";
  v.url = r.text("url");
  v.title = r.text("title");
  v.time = r.time("visit_time", EpochKind::cocoa_s, out);
  v.visit_count = r.i64("visit_count");
  // Safari records no transition type; what it records about how a visit happened is listed instead.
  std::vector<std::string> how;
  if (auto src = r.i64("redirect_source")) how.push_back(fmt::format("redirected from visit {}", *src));
  if (auto dst = r.i64("redirect_destination")) how.push_back(fmt::format("redirected to visit {}", *dst));
  if (r.has("load_successful") && r.i64_or("load_successful", 1) == 0) how.push_back("load failed");
  if (r.i64_or("http_non_get", 0) != 0) how.push_back("non-GET request");
  if (r.i64_or("synthesized", 0) != 0) how.push_back("synthesized");
  for (const auto& h : how) v.transition += (v.transition.empty() ? "" : "|") + h;
  out.emit(std::move(v));
}

std::string visit_sql(const std::vector<std::string>& columns) {
  std::string sql = "SELECT v.id AS _rowid";
  for (const auto& c : columns)
    if (c != "id") sql += ", v." + c;
  return sql +
         ", i.url, i.visit_count FROM history_visits v LEFT JOIN history_items i ON i.id = v.history_item "
         "ORDER BY v.id";
}

class SafariHistoryParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return safari_history::info(); }

 protected:
  std::vector<Query> queries() override {
    std::vector<std::string> full = kVisitColumns;
    full.insert(full.end(), kFlagColumns.begin(), kFlagColumns.end());
    auto on_row = [](const Row& r, RowEmitter& out) { on_visit(r, out); };
    return {
        {"visits",
         "iOS 8+ / OS X 10.10+ with redirect and load flags",
         {kItemsNeed, {"history_visits", full}},
         visit_sql(full),
         "history_visits",
         true,
         on_row},
        {"visits",
         "history_visits without redirect/load flags",
         {kItemsNeed, {"history_visits", kVisitColumns}},
         visit_sql(kVisitColumns),
         "history_visits",
         true,
         on_row},
    };
  }
};

}  // namespace

const ParserInfo& info() {
  static const ParserInfo i{
      "safari.history",
      "1.0.0",
      Platform::any,
      "Safari",
      "Web visits (URL, title, time, visit count, redirects) from Safari's History.db (iOS and macOS).",
      {Locator::backup("HomeDomain", "Library/Safari/History.db"),
       Locator::path("**/Library/Safari/History.db")},
      {
          "iOS 7 and older History.plist is not read.",
          "One record per visit; visit_count is the URL's total from history_items. A visit whose "
          "history_items row is missing is a warning, not a record.",
          "Safari stores no transition type: redirects, failed loads, non-GET requests and synthesized "
          "visits "
          "are listed in the transition field instead.",
          "history_tombstones (history deleted by the user, with time ranges and sometimes URLs), "
          "daily/weekly visit counts and iCloud sync data are not reported.",
          "Private browsing leaves no rows; deleted rows are not recovered.",
      }};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<SafariHistoryParser>(); }

}  // namespace kanshiki::parsers::safari_history
