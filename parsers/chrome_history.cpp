// Chrome / Chromium `History`: one WebVisit per `visits` row, plus one per `urls` row that has a last visit
// time but no visit row left.
//
// Schema facts (stable from Chrome 1 to current; verified on Hindsight fixtures v1..v60, plaso and IPED
// files):
//   urls(id, url, title, visit_count, typed_count, last_visit_time, hidden)
//   visits(id, url -> urls.id, visit_time, from_visit, transition, segment_id, [later] visit_duration, ...)
// Times are WebKit microseconds since 1601-01-01 UTC. transition is a signed 32-bit value: the low byte is
// the core type, the high bits are qualifiers (0x80000000 makes stored values negative).
#include "parsers/chrome_history.h"

#include <fmt/format.h>

#include <array>
#include <string_view>
#include <vector>

namespace kanshiki::parsers::chrome_history {
namespace {

constexpr std::array<std::string_view, 11> kCoreTypes = {
    "link",          "typed",       "auto_bookmark", "auto_subframe", "manual_subframe",  "generated",
    "auto_toplevel", "form_submit", "reload",        "keyword",       "keyword_generated"};

struct Qualifier {
  uint32_t bit;
  std::string_view name;
};
constexpr std::array<Qualifier, 9> kQualifiers = {{{0x00800000, "blocked"},
                                                   {0x01000000, "forward_back"},
                                                   {0x02000000, "from_address_bar"},
                                                   {0x04000000, "home_page"},
                                                   {0x08000000, "from_api"},
                                                   {0x10000000, "chain_start"},
                                                   {0x20000000, "chain_end"},
                                                   {0x40000000, "client_redirect"},
                                                   {0x80000000, "server_redirect"}}};

Timestamp webkit_time(const Row& r, std::string_view col) {
  auto v = r.i64(col);
  return v ? Timestamp::from_int(*v, EpochKind::webkit_us) : Timestamp{};
}

// Chromium-based browsers share the History schema; the app's folder says which one this is.
std::string browser_of(std::string_view item_path) {
  static constexpr std::pair<std::string_view, std::string_view> kApps[] = {
      {"com.sec.android.app.sbrowser", "samsung_internet"},
      {"com.microsoft.emmx", "edge"},
      {"com.brave.browser", "brave"},
      {"com.opera.browser", "opera"},
      {"com.yandex.browser", "yandex"},
      {"com.kiwibrowser.browser", "kiwi"},
      {"org.chromium.chrome", "chromium"},
      {"chromium/", "chromium"},
  };
  for (const auto& [marker, name] : kApps)
    if (item_path.find(marker) != std::string_view::npos) return std::string(name);
  return "chrome";
}

WebVisit url_fields(const Row& r, const std::string& browser) {
  WebVisit v;
  v.browser = browser;
  v.url = r.text("url");
  v.title = r.text("title");
  v.visit_count = r.i64("visit_count");
  v.typed_count = r.i64("typed_count");
  return v;
}

void on_unvisited_url(const Row& r, RowEmitter& out, const std::string& browser) {
  WebVisit v = url_fields(r, browser);
  v.time = webkit_time(r, "last_visit_time");
  out.emit(std::move(v));
}

constexpr std::string_view kUrlColumns = "u.url, u.title, u.visit_count, u.typed_count, u.last_visit_time";

class ChromeHistoryParser final : public SqliteParser {
 public:
  const ParserInfo& info() const override { return chrome_history::info(); }

 protected:
  std::vector<Query> queries() override {
    const TableNeed urls{"urls", {"id", "url", "title", "visit_count", "typed_count", "last_visit_time"}};
    const TableNeed visits{"visits", {"id", "url", "visit_time", "transition"}};
    const std::string browser = browser_of(input().item_path);
    std::vector<Query> qs;

    Query v;
    v.group = "visits";
    v.variant = "visits joined to urls (Chrome 1 and later)";
    v.needs = {visits, urls};
    v.sql = fmt::format(
        "SELECT v.rowid AS _rowid, v.url AS url_id, v.visit_time, v.transition, u.id AS found_url_id, {} "
        "FROM visits v LEFT JOIN urls u ON u.id = v.url ORDER BY v.rowid",
        kUrlColumns);
    v.source_table = "visits";
    v.on_row = [browser](const Row& r, RowEmitter& out) {
      if (r.is_null("found_url_id"))
        out.warn(fmt::format("visit refers to urls.id {}, which is missing: URL and title unknown",
                             r.i64_or("url_id", 0)));
      WebVisit w = url_fields(r, browser);
      w.time = webkit_time(r, "visit_time");
      if (auto t = r.i64("transition")) w.transition = transition_name(*t);
      out.emit(std::move(w));
    };
    qs.push_back(std::move(v));

    // URLs whose visits are gone (expired, or the visits table cleared) still show their last visit. URLs
    // with no last visit time at all (synced or imported suggestions, visit_count 0) were never visited here.
    Query u;
    u.group = "urls without visits";
    u.variant = "urls with a last visit time and no row in visits";
    u.needs = {urls, {"visits", {"url"}}};
    u.sql = fmt::format(
        "SELECT u.rowid AS _rowid, {} FROM urls u WHERE u.last_visit_time != 0 "
        "AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.url = u.id) ORDER BY u.rowid",
        kUrlColumns);
    u.source_table = "urls";
    u.on_row = [browser](const Row& r, RowEmitter& out) { on_unvisited_url(r, out, browser); };
    qs.push_back(u);

    u.variant = "urls with a last visit time (no visits table)";
    u.needs = {urls};
    u.sql =
        fmt::format("SELECT u.rowid AS _rowid, {} FROM urls u WHERE u.last_visit_time != 0 ORDER BY u.rowid",
                    kUrlColumns);
    qs.push_back(std::move(u));
    return qs;
  }
};

}  // namespace

std::string transition_name(int64_t transition) {
  const auto bits = static_cast<uint32_t>(transition);  // stored as signed int32; qualifiers use the top bit
  const uint32_t core = bits & 0xFF;
  std::string out = core < kCoreTypes.size() ? std::string(kCoreTypes[core]) : fmt::format("core_{}", core);
  std::vector<std::string> qualifiers;
  uint32_t known = 0xFF;
  for (const auto& q : kQualifiers) {
    known |= q.bit;
    if (bits & q.bit) qualifiers.emplace_back(q.name);
  }
  if (uint32_t unknown = bits & ~known) qualifiers.push_back(fmt::format("0x{:08x}", unknown));
  if (!qualifiers.empty()) out += fmt::format(" ({})", fmt::join(qualifiers, ", "));
  return out;
}

const ParserInfo& info() {
  static const ParserInfo i{
      "chrome.history",
      "1.1.0",
      Platform::any,
      "Google Chrome and Chromium-based browsers (Samsung Internet, Edge, Brave, Opera, ...)",
      "Browsing history from a Chrome or Chromium profile's History database: one record per visit, and "
      "one per URL that has a last visit time but no visit row left (time = the URL's last visit).",
      {Locator::path("**/com.android.chrome/app_chrome/Default/History"),
       Locator::path("**/app_chrome/Default/History"),  // Chrome, Edge, Brave, Kiwi, Chromium on Android
       Locator::path("**/app_sbrowser/Default/History"),  // Samsung Internet
       Locator::path("**/Chrome/Default/History"),
       Locator::path("**/chromium/Default/History"), Locator::path("**/google-chrome/Default/History")},
      {
          "Only the Default profile is located; other profiles (\"Profile 1\", ...) are not searched.",
          "downloads, keyword_search_terms, segments and visit_source are not read.",
          "visit_duration, from_visit (the referring visit) and hidden are not reported.",
          "URLs that were never visited on this profile (last_visit_time 0, e.g. synced or imported "
          "entries) are not reported.",
          "Deleted rows are not recovered.",
          "visit_count and typed_count are the URL's totals, repeated on each of its visits.",
      }};
  return i;
}

std::unique_ptr<Parser> make() { return std::make_unique<ChromeHistoryParser>(); }

}  // namespace kanshiki::parsers::chrome_history
