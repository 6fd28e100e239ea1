// Locating parser inputs among the files of an evidence item: builds a PathIndex and matches ~30 locators.
//   bench_locate                 600,000 synthetic Android-like paths (target: index + match <= 5 s)
//   bench_locate --folder DIR    walks a real folder with the folder source (no content read) first
// Prints one line of JSON.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/evidence/path_index.h"
#include "core/evidence/source.h"

using namespace kanshiki;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Paths shaped like a full-file-system dump of an Android phone: app sandboxes, media, system files.
std::vector<std::string> synthetic_paths(size_t count) {
  std::mt19937_64 rng(42);
  const std::vector<std::string> vendors = {"com.google.android",  "com.android",  "jp.naver",
                                            "com.whatsapp",        "org.telegram", "com.facebook",
                                            "com.samsung.android", "jp.co.yahoo"};
  const std::vector<std::string> dirs = {"databases", "shared_prefs", "files",
                                         "cache",     "no_backup",    "app_webview"};
  const std::vector<std::string> exts = {".db", ".db-wal", ".xml", ".json", ".tmp", ".bin", ".jpg"};
  std::vector<std::string> paths;
  paths.reserve(count + 16);
  // The files parsers actually look for.
  for (const char* p :
       {"data/data/com.android.providers.telephony/databases/mmssms.db",
        "data/data/com.android.providers.contacts/databases/contacts2.db",
        "data/data/com.android.providers.contacts/databases/calllog.db",
        "data/data/com.whatsapp/databases/msgstore.db", "data/data/com.whatsapp/databases/wa.db",
        "data/data/jp.naver.line.android/databases/naver_line",
        "data/data/com.android.chrome/app_chrome/Default/History",
        "data/data/org.telegram.messenger/files/cache4.db",
        "data/media/0/WhatsApp/Databases/msgstore.db.crypt14"})
    paths.emplace_back(p);
  while (paths.size() < count) {
    uint64_t r = rng();
    switch (r % 4) {
      case 0:
      case 1: {
        std::string pkg = vendors[(r >> 8) % vendors.size()] + ".app" + std::to_string((r >> 16) % 2000);
        paths.push_back("data/data/" + pkg + "/" + dirs[(r >> 28) % dirs.size()] + "/f" +
                        std::to_string((r >> 32) % 100000) + exts[(r >> 52) % exts.size()]);
        break;
      }
      case 2:
        paths.push_back("data/media/0/DCIM/Camera/IMG_2023" + std::to_string((r >> 8) % 10000000) + ".jpg");
        break;
      default:
        paths.push_back("system/lib64/lib" + std::to_string((r >> 8) % 500000) + ".so");
    }
  }
  return paths;
}

std::vector<Locator> parser_locators() {
  std::vector<Locator> l;
  for (const char* g : {"**/com.android.providers.telephony/databases/mmssms.db",
                        "**/mmssms.db",
                        "**/com.android.providers.contacts/databases/contacts2.db",
                        "**/com.android.providers.contacts/databases/calllog.db",
                        "**/com.whatsapp/databases/msgstore.db",
                        "**/com.whatsapp/databases/wa.db",
                        "**/WhatsApp/Databases/msgstore.db.crypt1[245]",
                        "**/jp.naver.line.android/databases/naver_line",
                        "**/app_chrome/Default/History",
                        "**/org.telegram.messenger/files/cache4.db",
                        "**/com.viber.voip/databases/viber_messages",
                        "**/com.facebook.orca/databases/threads_db2",
                        "**/com.skype.raider/databases/*.db",
                        "**/com.google.android.gms/databases/*.db",
                        "**/databases/*.db",
                        "**/shared_prefs/*.xml",
                        "**/com.android.providers.media/databases/external.db",
                        "**/com.google.android.apps.maps/databases/gmm_storage.db",
                        "**/accounts_ce.db",
                        "**/packages.xml",
                        "**/wpa_supplicant.conf",
                        "**/com.google.android.gm/databases/EmailProviderBody.db",
                        "**/com.instagram.android/databases/direct.db",
                        "**/jp.co.yahoo.android.ymail/databases/*.db",
                        "**/Signal/**/signal.db",
                        "**/com.snapchat.android/databases/main.db"})
    l.push_back(Locator::path(g));
  l.push_back(Locator::backup("HomeDomain", "Library/SMS/sms.db"));
  l.push_back(Locator::backup("AppDomainGroup-group.net.whatsapp.WhatsApp.shared", "ChatStorage.sqlite"));
  l.push_back(Locator::backup("HomeDomain", "Library/CallHistoryDB/CallHistory.storedata"));
  l.push_back(Locator::backup("HomeDomain", "Library/AddressBook/AddressBook.sqlitedb"));
  return l;
}

}  // namespace

int main(int argc, char** argv) {
  std::string folder;
  size_t count = 600000;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--folder") && i + 1 < argc)
      folder = argv[++i];
    else if (!std::strcmp(argv[i], "--paths") && i + 1 < argc)
      count = std::stoul(argv[++i]);
    else {
      std::cerr << "usage: bench_locate [--paths N] [--folder DIR]\n";
      return 2;
    }
  }
  try {
    std::vector<std::string> paths;
    double walk_ms = 0;
    size_t problems = 0;
    auto start = Clock::now();
    if (!folder.empty()) {
      auto source = open_evidence(folder, SourceKind::folder);
      source->for_each_file(
          {}, [&](const EvidenceEntry& e, ByteReader&) { paths.push_back(e.path); },
          [&](const SourceProblem&) { ++problems; });
      walk_ms = ms_since(start);
    } else {
      paths = synthetic_paths(count);
    }
    size_t n = paths.size();

    start = Clock::now();
    PathIndex index;
    index.reserve(n);
    for (size_t i = 0; i < n; ++i) index.add(static_cast<int64_t>(i + 1), std::move(paths[i]));
    double build_ms = ms_since(start);

    std::vector<Locator> locators = parser_locators();
    start = Clock::now();
    size_t matched = 0;
    for (const Locator& l : locators) matched += index.match(l).size();
    double match_ms = ms_since(start);
    start = Clock::now();
    size_t matched_any = index.match_any(locators).size();
    double match_any_ms = ms_since(start);

    double total = build_ms + match_ms + match_any_ms;
    std::printf(
        "{\"bench\":\"locate\",\"source\":\"%s\",\"paths\":%zu,\"locators\":%zu,\"walk_ms\":%.1f,"
        "\"walk_problems\":%zu,\"build_ms\":%.1f,\"match_ms\":%.1f,\"match_any_ms\":%.1f,\"matched\":%zu,"
        "\"matched_any\":%zu,\"index_and_match_ms\":%.1f,\"target_ms\":5000,\"ok\":%s}\n",
        folder.empty() ? "synthetic" : "folder", n, locators.size(), walk_ms, problems, build_ms, match_ms,
        match_any_ms, matched, matched_any, total, total <= 5000 ? "true" : "false");
    return total <= 5000 ? 0 : 1;
  } catch (const Error& e) {
    std::cerr << "bench_locate: " << e.what() << "\n";
    return static_cast<int>(e.code());
  }
}
