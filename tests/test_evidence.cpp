// Evidence sources (folder, tar, zip, iOS backup), format detection and the path index.
// Every archive and folder fixture is generated here at test time; the iOS backup test reads the real MVT
// backup in place and proves it unchanged afterwards.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <clocale>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>

#include "core/error.h"
#include "core/evidence/path_index.h"
#include "core/evidence/source.h"
#include "core/evidence/sources_impl.h"
#include "core/sqlite_util.h"
#include "hashing/multi_hash.h"
#include "tests/test_support.h"

using namespace kanshiki;
namespace fs = std::filesystem;
using test::TempDir;

namespace {

// ---------------------------------------------------------------- fixture helpers

void write_file(const fs::path& p, std::string_view content) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string read_all(ByteReader& reader) {
  std::string out;
  char buf[4096];
  for (size_t n; (n = reader.read(buf, sizeof buf)) > 0;) out.append(buf, n);
  return out;
}

struct Member {
  std::string name;
  std::string content;
  int64_t mtime = 1700000000;
  enum Kind { file, dir, symlink, hardlink } kind = file;
  std::string link_target;
  bool store = false;  // zip: stored instead of deflated
};

// Writes an archive with libarchive. `setup` chooses format, filters and options.
void write_archive(const fs::path& path, const std::function<void(struct archive*)>& setup,
                   const std::vector<Member>& members, bool utf8_locale = true) {
  // Write as a tar or zip tool in a UTF-8 locale would (pax and zip then flag names as UTF-8); the
  // sources themselves are read back in the test's default "C" locale.
  std::string old_locale = std::setlocale(LC_CTYPE, nullptr);
  REQUIRE(std::setlocale(LC_CTYPE, utf8_locale ? "C.UTF-8" : "C"));
  struct archive* a = archive_write_new();
  setup(a);
  REQUIRE(archive_write_open_filename(a, path.c_str()) == ARCHIVE_OK);
  for (const Member& m : members) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, m.name.c_str());
    archive_entry_set_mtime(e, m.mtime, 0);
    if (m.kind == Member::dir) {
      archive_entry_set_filetype(e, AE_IFDIR);
      archive_entry_set_perm(e, 0755);
    } else if (m.kind == Member::symlink) {
      archive_entry_set_filetype(e, AE_IFLNK);
      archive_entry_set_symlink(e, m.link_target.c_str());
      archive_entry_set_perm(e, 0777);
    } else if (m.kind == Member::hardlink) {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_hardlink(e, m.link_target.c_str());
      archive_entry_set_perm(e, 0644);
      archive_entry_set_size(e, 0);
    } else {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_perm(e, 0644);
      archive_entry_set_size(e, static_cast<la_int64_t>(m.content.size()));
    }
    if (archive_format(a) == ARCHIVE_FORMAT_ZIP ||
        (archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP) {
      if (m.store)
        archive_write_zip_set_compression_store(a);
      else
        archive_write_zip_set_compression_deflate(a);
    }
    int r = archive_write_header(a, e);
    INFO("writing " << m.name << ": " << (archive_error_string(a) ? archive_error_string(a) : ""));
    REQUIRE(r == (utf8_locale ? ARCHIVE_OK : r));
    if (m.kind == Member::file && !m.content.empty())
      REQUIRE(archive_write_data(a, m.content.data(), m.content.size()) ==
              static_cast<la_ssize_t>(m.content.size()));
    archive_entry_free(e);
  }
  REQUIRE(archive_write_close(a) == ARCHIVE_OK);
  archive_write_free(a);
  std::setlocale(LC_CTYPE, old_locale.c_str());
}

auto pax = [](struct archive* a) { archive_write_set_format_pax(a); };
auto gnutar = [](struct archive* a) { archive_write_set_format_gnutar(a); };
auto pax_gz = [](struct archive* a) {
  archive_write_set_format_pax(a);
  archive_write_add_filter_gzip(a);
};
auto zip = [](struct archive* a) { archive_write_set_format_zip(a); };
auto zip64 = [](struct archive* a) {
  archive_write_set_format_zip(a);
  REQUIRE(archive_write_set_format_option(a, "zip", "zip64", "1") == ARCHIVE_OK);
};

struct Visit {
  EvidenceEntry entry;
  std::string content;
};

struct Run {
  std::vector<Visit> files;
  std::vector<SourceProblem> problems;
  const Visit* find(std::string_view path) const {
    for (const Visit& v : files)
      if (v.entry.path == path) return &v;
    return nullptr;
  }
  size_t problems_containing(std::string_view text) const {
    size_t n = 0;
    for (const SourceProblem& p : problems)
      if (p.message.find(text) != std::string::npos) ++n;
    return n;
  }
};

Run visit_all(EvidenceSource& source, EvidenceSource::Filter filter = {}) {
  Run run;
  source.for_each_file(
      filter,
      [&](const EvidenceEntry& e, ByteReader& r) {
        run.files.push_back({e, read_all(r)});
      },
      [&](const SourceProblem& p) { run.problems.push_back(p); });
  return run;
}

Run visit_all(const fs::path& path, std::optional<SourceKind> forced = std::nullopt) {
  auto source = open_evidence(path, forced);
  return visit_all(*source);
}

ExitCode error_code_of(const std::function<void()>& f, std::string* message = nullptr) {
  try {
    f();
  } catch (const Error& e) {
    if (message) *message = e.what();
    return e.code();
  }
  FAIL("expected kanshiki::Error");
  return ExitCode::ok;
}

void truncate_file(const fs::path& p, uintmax_t size) { fs::resize_file(p, size); }

std::map<std::string, std::string> sha256_tree(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) out[fs::relative(e.path(), root).string()] = hash_file(e.path()).sha256;
  return out;
}

const std::string kLongDir =
    "data/data/com.example.a.very.long.package.name.that.goes.on/and/on/databases/nested/deeper/and/deeper/"
    "still";

}  // namespace

// ---------------------------------------------------------------- names, globs, index

TEST_CASE("source kind names round-trip", "[evidence]") {
  for (SourceKind k : {SourceKind::folder, SourceKind::tar, SourceKind::zip, SourceKind::ios_backup})
    CHECK(source_kind_from_name(source_kind_name(k)) == k);
  CHECK(source_kind_name(SourceKind::ios_backup) == "ios-backup");
  CHECK_FALSE(source_kind_from_name("rar"));
}

TEST_CASE("stored names are normalised and unsafe ones are never trusted", "[evidence]") {
  using evidence_detail::sanitise_stored_name;
  CHECK(sanitise_stored_name("./data/data/x.db").path == "data/data/x.db");
  CHECK(sanitise_stored_name("a//b/./c").path == "a/b/c");
  auto abs = sanitise_stored_name("/data/x");
  CHECK(abs.path == "data/x");
  CHECK(abs.had_leading_slash);
  CHECK(abs.unsafe_reason.empty());

  auto up = sanitise_stored_name("../../etc/x");
  CHECK(up.path == "__unsafe__/..%2F..%2Fetc%2Fx");
  CHECK(up.unsafe_reason.find("path traversal") != std::string::npos);
  CHECK(sanitise_stored_name("a/../../b").path == "__unsafe__/a%2F..%2F..%2Fb");
  CHECK(sanitise_stored_name("..\\..\\win.ini").path == "__unsafe__/..%5C..%5Cwin.ini");
  CHECK(sanitise_stored_name("C:/Windows/x").path == "__unsafe__/C:%2FWindows%2Fx");
  CHECK(sanitise_stored_name("..").path == "__unsafe__/%2E%2E");
  CHECK(sanitise_stored_name("").path == "__unsafe__/%00empty");
  CHECK(sanitise_stored_name("100%/x").path == "100%/x");  // safe names are kept as they are
  CHECK_FALSE(sanitise_stored_name("..hidden/file..").unsafe_reason.size());
}

TEST_CASE("glob_match", "[evidence][glob]") {
  CHECK(glob_match("**/databases/*.db", "data/data/com.android.providers.telephony/databases/mmssms.db"));
  CHECK(glob_match("**/databases/*.db", "databases/x.db"));
  CHECK_FALSE(glob_match("**/databases/*.db", "data/databases/sub/x.db"));
  CHECK_FALSE(glob_match("**/databases/*.db", "data/databases/x.db-wal"));
  CHECK(glob_match("**/mmssms.db", "mmssms.db"));
  CHECK(glob_match("**/mmssms.db", "a/b/c/mmssms.db"));
  CHECK_FALSE(glob_match("**/mmssms.db", "a/b/c/mmssms.db.bak"));
  CHECK_FALSE(glob_match("**/mmssms.db", "a/b/xmmssms.db"));
  CHECK(glob_match("[ab]", "a"));
  CHECK(glob_match("[ab]", "b"));
  CHECK_FALSE(glob_match("[ab]", "c"));
  CHECK_FALSE(glob_match("[ab]", "ab"));
  CHECK(glob_match("[!ab]x", "cx"));
  CHECK(glob_match("[a-c]x", "bx"));
  CHECK(glob_match("x?z", "xyz"));
  CHECK_FALSE(glob_match("x?z", "xz"));
  CHECK_FALSE(glob_match("x?z", "x/z"));  // '?' and '*' stay within a segment
  CHECK_FALSE(glob_match("a*", "ab/c"));
  CHECK(glob_match("a/**", "a/b/c"));
  CHECK(glob_match("a/**/b/**/c", "a/x/b/y/z/c"));
  CHECK(glob_match("a/**/b/**/c", "a/b/c"));
  CHECK_FALSE(glob_match("a/**/b/**/c", "a/x/c"));
  CHECK(glob_match("*.db", "msgstore.db"));
  CHECK_FALSE(glob_match("*.db", "Msgstore.DB"));  // case-sensitive
  CHECK(glob_match("写真/?.jpg", "写真/猫.jpg"));  // '?' is one character, not one byte
  CHECK(glob_match("[猫犬].txt", "犬.txt"));
  CHECK(glob_match("a[b", "a[b"));  // an unclosed '[' is an ordinary character
}

TEST_CASE("PathIndex finds items by literal basename and by wildcard", "[evidence][glob]") {
  PathIndex index;
  index.reserve(8);
  index.add(10, "data/data/com.android.providers.telephony/databases/mmssms.db");
  index.add(11, "data/data/com.whatsapp/databases/msgstore.db");
  index.add(12, "data/data/com.whatsapp/databases/wa.db");
  index.add(13, "sdcard/backup/mmssms.db");
  index.add(14, "HomeDomain/Library/SMS/sms.db");
  index.add(15, "data/data/com.whatsapp/databases/msgstore.db-wal");
  CHECK(index.size() == 6);
  CHECK(index.match(Locator::path("**/mmssms.db")) == std::vector<int64_t>{10, 13});
  CHECK(index.match(Locator::path("**/com.android.providers.telephony/databases/mmssms.db")) ==
        std::vector<int64_t>{10});
  CHECK(index.match(Locator::path("**/databases/*.db")) == std::vector<int64_t>{10, 11, 12});
  CHECK(index.match(Locator::path("**/nothing.db")).empty());
  CHECK(index.match(Locator::backup("HomeDomain", "Library/SMS/sms.db")) == std::vector<int64_t>{14});
  CHECK(Locator::backup("HomeDomain", "/Library/SMS/sms.db").glob == "HomeDomain/Library/SMS/sms.db");
  CHECK(index.match(Locator::backup("HomeDomain", "Library/SMS/*.db")) == std::vector<int64_t>{14});
  // Union in insertion order, without duplicates.
  CHECK(index.match_any({Locator::path("**/wa.db"), Locator::path("**/mmssms.db"),
                         Locator::path("**/*.db")}) == std::vector<int64_t>{10, 11, 12, 13, 14});
  CHECK(index.find_exact("data/data/com.whatsapp/databases/wa.db") == 12);
  CHECK_FALSE(index.find_exact("wa.db"));
  CHECK(index.path_of(13) == "sdcard/backup/mmssms.db");
  CHECK(error_code_of([&] { index.path_of(99); }) == ExitCode::failure);
}

// ---------------------------------------------------------------- folder

TEST_CASE("folder source walks in sorted order with times and reports symlinks", "[evidence][folder]") {
  TempDir tmp;
  fs::path root = tmp / "dump";
  write_file(root / "b/second.txt", "two");
  write_file(root / "a/z.txt", "zz");
  write_file(root / "a/B.txt", "capital");
  write_file(root / "data/data/com.android.providers.telephony/databases/mmssms.db", "sqlite?");
  write_file(root / "写真/猫.jpg", "neko");
  fs::create_directories(root / "empty");
  fs::create_symlink("../b/second.txt", root / "a/link.txt");
  fs::create_symlink("/etc/passwd", root / "outside");
  REQUIRE(::mkfifo((root / "a/pipe").c_str(), 0600) == 0);
  struct timeval times[2] = {{1600000000, 0}, {1500000000, 0}};  // atime, mtime
  REQUIRE(::utimes((root / "b/second.txt").c_str(), times) == 0);

  CHECK(detect_source_kind(root) == SourceKind::folder);
  auto source = open_evidence(root);
  CHECK(source->kind() == SourceKind::folder);
  CHECK(source->root() == root);
  Run run = visit_all(*source);
  std::vector<std::string> paths;
  for (const Visit& v : run.files) paths.push_back(v.entry.path);
  CHECK(paths == std::vector<std::string>{"a/B.txt", "a/z.txt", "b/second.txt",
                                          "data/data/com.android.providers.telephony/databases/mmssms.db",
                                          "写真/猫.jpg"});
  const Visit* second = run.find("b/second.txt");
  REQUIRE(second);
  CHECK(second->content == "two");
  CHECK(second->entry.physical == "b/second.txt");
  CHECK(second->entry.size == 3);
  CHECK(second->entry.mtime_unix_s == 1500000000);
  CHECK(second->entry.atime_unix_s == 1600000000);
  CHECK(second->entry.ctime_unix_s.has_value());
  CHECK(run.find("写真/猫.jpg")->content == "neko");

  REQUIRE(run.problems.size() == 3);
  for (const SourceProblem& p : run.problems) CHECK_FALSE(p.fatal);
  CHECK(run.problems[0].path == "a/link.txt");
  CHECK(run.problems[0].message.find("symbolic link") != std::string::npos);
  CHECK(run.problems[0].message.find("../b/second.txt") != std::string::npos);
  CHECK(run.problems[1].path == "a/pipe");
  CHECK(run.problems[1].message.find("named pipe") != std::string::npos);
  CHECK(run.problems[2].path == "outside");

  // The filter selects files (and the problems about them); the order stays the same.
  Run some =
      visit_all(*source, [](std::string_view p) { return glob_match("**/*.db", p) || p == "a/link.txt"; });
  REQUIRE(some.files.size() == 1);
  CHECK(some.files[0].entry.path == "data/data/com.android.providers.telephony/databases/mmssms.db");
  REQUIRE(some.problems.size() == 1);
  CHECK(some.problems[0].path == "a/link.txt");
}

TEST_CASE("folder source: a handler may stop early, its own errors propagate", "[evidence][folder]") {
  TempDir tmp;
  write_file(tmp / "f/a.txt", std::string(100000, 'x'));
  write_file(tmp / "f/b.txt", "b");
  auto source = open_evidence(tmp / "f");
  std::vector<std::string> seen;
  source->for_each_file({},
                        [&](const EvidenceEntry& e, ByteReader& r) {
                          char c;
                          r.read(&c, 1);  // partial read is fine
                          seen.push_back(e.path);
                        },
                        {});
  CHECK(seen == std::vector<std::string>{"a.txt", "b.txt"});
  CHECK(error_code_of([&] {
          source->for_each_file(
              {}, [](const EvidenceEntry&, ByteReader&) { throw Error(ExitCode::disk_full, "full"); }, {});
        }) == ExitCode::disk_full);
}

TEST_CASE("folder source reports unreadable files and goes on", "[evidence][folder]") {
  TempDir tmp;
  write_file(tmp / "f/a.txt", "a");
  write_file(tmp / "f/secret.txt", "s");
  write_file(tmp / "f/z.txt", "z");
  fs::permissions(tmp.path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(tmp / "f/secret.txt", fs::perms::none);
  // 0 when the walk visited a.txt and z.txt and reported secret.txt as one non-fatal problem.
  auto check = [&]() -> int {
    try {
      Run run = visit_all(tmp / "f");
      if (run.files.size() != 2 || run.files[0].entry.path != "a.txt" || run.files[1].entry.path != "z.txt")
        return 1;
      if (run.problems.size() != 1 || run.problems[0].path != "secret.txt" || run.problems[0].fatal) return 2;
      if (run.problems[0].message.find("Permission denied") == std::string::npos) return 3;
      return 0;
    } catch (...) {
      return 4;
    }
  };
  if (::geteuid() != 0) {
    CHECK(check() == 0);
    return;
  }
  // Root reads everything: run the walk in a child that has dropped to "nobody".
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(5);
    ::_exit(check());
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("folder source walks a tree 5,000 directories deep (path far over PATH_MAX)",
          "[evidence][folder]") {
  TempDir tmp;
  const int depth = 5000;  // "d/" × 5,000: a 10 KB path; PATH_MAX is 4,096
  fs::create_directories(tmp / "deep");
  int fd = ::open((tmp / "deep").c_str(), O_RDONLY | O_DIRECTORY);
  REQUIRE(fd >= 0);
  for (int i = 0; i < depth; ++i) {
    REQUIRE(::mkdirat(fd, "d", 0755) == 0);
    int next = ::openat(fd, "d", O_RDONLY | O_DIRECTORY);
    ::close(fd);
    REQUIRE(next >= 0);
    fd = next;
  }
  int leaf = ::openat(fd, "leaf.txt", O_WRONLY | O_CREAT, 0644);
  REQUIRE(leaf >= 0);
  REQUIRE(::write(leaf, "deep", 4) == 4);
  ::close(leaf);
  ::close(fd);

  Run run = visit_all(tmp / "deep");
  std::string expected;
  for (int i = 0; i < depth; ++i) expected += "d/";
  expected += "leaf.txt";
  CHECK(run.problems.empty());
  REQUIRE(run.files.size() == 1);
  CHECK(run.files[0].entry.path == expected);
  CHECK(run.files[0].content == "deep");
  // TempDir's remove_all goes by path and stops at PATH_MAX; GNU rm walks any depth.
  CHECK(std::system(("rm -rf -- '" + (tmp / "deep").string() + "'").c_str()) == 0);
}

// ---------------------------------------------------------------- tar

TEST_CASE("tar: pax and GNU long names, times, compressed tar", "[evidence][tar]") {
  TempDir tmp;
  // A basename over 100 bytes and a path over 255: ustar cannot hold it, pax and GNU extensions must.
  std::string long_name = kLongDir + "/a-database-file-" + std::string(140, 'n') + ".db";
  REQUIRE(long_name.size() > 255);
  std::vector<Member> members = {
      {"./data/", "", 1, Member::dir},
      {"./data/short.txt", "short", 1600000001},
      {long_name, std::string(70000, 'L'), 1600000002},
      {"data/日本語/メッセージ.db", "日本語の内容", 1600000003},
      {"data/link", "", 1, Member::symlink, "short.txt"},
      {"data/hard", "", 1, Member::hardlink, "data/short.txt"},
  };
  for (auto [name, setup] : std::vector<std::pair<std::string, std::function<void(struct archive*)>>>{
           {"pax.tar", pax}, {"gnu.tar", gnutar}, {"pax.tar.gz", pax_gz}}) {
    SECTION(name) {
      fs::path archive = tmp / name;
      write_archive(archive, setup, members);
      CHECK(detect_source_kind(archive) == SourceKind::tar);
      auto source = open_evidence(archive);
      CHECK(source->kind() == SourceKind::tar);
      Run run = visit_all(*source);
      REQUIRE(run.files.size() == 3);
      CHECK(run.files[0].entry.path == "data/short.txt");
      CHECK(run.files[0].entry.physical == "./data/short.txt");
      CHECK(run.files[0].entry.mtime_unix_s == 1600000001);
      CHECK(run.files[1].entry.path == long_name);
      CHECK(run.files[1].entry.physical == long_name);
      CHECK(run.files[1].entry.size == 70000);
      CHECK(run.files[1].content == std::string(70000, 'L'));
      CHECK(run.files[1].entry.mtime_unix_s == 1600000002);
      CHECK(run.files[2].entry.path == "data/日本語/メッセージ.db");  // byte-exact UTF-8
      CHECK(run.files[2].content == "日本語の内容");
      REQUIRE(run.problems.size() == 2);
      CHECK(run.problems[0].path == "data/link");
      CHECK(run.problems[0].message.find("symbolic link") != std::string::npos);
      CHECK_FALSE(run.problems[0].fatal);
      CHECK(run.problems[1].path == "data/hard");
      CHECK_THAT(run.problems[1].message, Catch::Contains("hard link") && Catch::Contains("data/short.txt"));

      // A filter skips unselected members without reading them.
      Run one = visit_all(*source, [](std::string_view p) { return glob_match("**/*.db", p); });
      REQUIRE(one.files.size() == 2);
      CHECK(one.files[0].entry.path == long_name);
      CHECK(one.problems.empty());
    }
  }
}

TEST_CASE("tar: duplicate member names are all visited under distinct paths", "[evidence][tar]") {
  TempDir tmp;
  fs::path archive = tmp / "dup.tar";
  write_archive(archive, pax, {{"a/x.db", "first"}, {"a/x.db", "second"}, {"./a/x.db", "third"}});
  Run run = visit_all(archive);
  REQUIRE(run.files.size() == 3);
  CHECK(run.files[0].entry.path == "a/x.db");
  CHECK(run.files[0].content == "first");
  CHECK(run.files[1].entry.path == "a/x.db#2");
  CHECK(run.files[1].content == "second");
  CHECK(run.files[1].entry.physical == "a/x.db");
  CHECK(run.files[1].entry.note.find("duplicate") != std::string::npos);
  CHECK(run.files[2].entry.path == "a/x.db#3");
  CHECK(run.files[2].entry.physical == "./a/x.db");
  CHECK(run.problems_containing("duplicate member name") == 2);
}

TEST_CASE("tar: a truncated archive is a fatal problem naming the last good member", "[evidence][tar]") {
  TempDir tmp;
  for (bool gz : {false, true}) {
    fs::path archive = tmp / (gz ? "cut.tar.gz" : "cut.tar");
    std::string big(200000, '\0');
    for (size_t i = 0; i < big.size(); ++i)
      big[i] = static_cast<char>((i * 2654435761u) >> 13);  // poorly compressible
    write_archive(archive, gz ? std::function<void(struct archive*)>(pax_gz) : pax,
                  {{"first.txt", "complete"}, {"second.bin", big}, {"third.txt", "never reached"}});
    truncate_file(archive, fs::file_size(archive) * 2 / 3);
    CHECK(detect_source_kind(archive) == SourceKind::tar);
    auto source = open_evidence(archive);
    Run run;
    std::string message;
    CHECK(error_code_of([&] { run = visit_all(*source); }, &message) == ExitCode::corrupt_input);
    // visit_all's Run was not returned; visit again collecting as we go.
    std::vector<SourceProblem> problems;
    std::vector<std::string> visited;
    CHECK(error_code_of([&] {
            source->for_each_file(
                {},
                [&](const EvidenceEntry& e, ByteReader& r) {
                  visited.push_back(e.path);
                  read_all(r);
                },
                [&](const SourceProblem& p) { problems.push_back(p); });
          }) == ExitCode::corrupt_input);
    INFO(message);
    CHECK(message.find(archive.string()) != std::string::npos);
    CHECK(message.find("last good member: 'first.txt'") != std::string::npos);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].fatal);
    CHECK(problems[0].message == message);
    CHECK(visited == std::vector<std::string>{"first.txt", "second.bin"});

    // The same when the handler skips the truncated member's data.
    CHECK(error_code_of([&] { source->for_each_file({}, [](const EvidenceEntry&, ByteReader&) {}, {}); }) ==
          ExitCode::corrupt_input);
    // And when the handler swallows the error, the walk still stops.
    CHECK(error_code_of([&] {
            source->for_each_file({},
                                  [](const EvidenceEntry&, ByteReader& r) {
                                    try {
                                      read_all(r);
                                    } catch (const Error&) {
                                    }
                                  },
                                  {});
          }) == ExitCode::corrupt_input);
  }
}

// ---------------------------------------------------------------- zip

TEST_CASE("zip: deflated and stored members, zip64", "[evidence][zip]") {
  TempDir tmp;
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "line " + std::to_string(i) + " of a compressible file\n";
  std::vector<Member> members = {
      {"sdcard/", "", 1, Member::dir},
      {"sdcard/deflated.txt", text, 1600000010},
      {"sdcard/stored.bin", "stored bytes", 1600000020, Member::file, "", true},
      {"sdcard/" + kLongDir + "/long.db", "long", 1600000030},
      {"sdcard/日本語.txt", "こんにちは", 1600000040, Member::file, "", true},
  };
  for (bool use_zip64 : {false, true}) {
    SECTION(use_zip64 ? "zip64" : "zip") {
      fs::path archive = tmp / (use_zip64 ? "z64.zip" : "plain.zip");
      write_archive(archive, use_zip64 ? std::function<void(struct archive*)>(zip64) : zip, members);
      std::string bytes = read_file(archive);
      bool has_zip64_record = bytes.find(std::string("PK\x06\x06", 4)) != std::string::npos;
      CHECK(has_zip64_record == use_zip64);
      CHECK(bytes.find(text.substr(0, 200)) == std::string::npos);  // really deflated
      CHECK(bytes.find("stored bytes") != std::string::npos);       // really stored

      CHECK(detect_source_kind(archive) == SourceKind::zip);
      auto source = open_evidence(archive);
      CHECK(source->kind() == SourceKind::zip);
      Run run = visit_all(*source);
      CHECK(run.problems.empty());
      REQUIRE(run.files.size() == 4);
      CHECK(run.files[0].entry.path == "sdcard/deflated.txt");
      CHECK(run.files[0].content == text);
      CHECK(run.files[0].entry.size == text.size());
      CHECK(run.files[0].entry.mtime_unix_s == 1600000010);
      CHECK(run.files[1].entry.path == "sdcard/stored.bin");
      CHECK(run.files[1].content == "stored bytes");
      CHECK(run.files[2].entry.path == "sdcard/" + kLongDir + "/long.db");
      CHECK(run.files[3].entry.path == "sdcard/日本語.txt");
      CHECK(run.files[3].content == "こんにちは");
    }
  }
}

TEST_CASE("zip: a name in a legacy code page (CP932) is kept byte for byte", "[evidence][zip]") {
  TempDir tmp;
  fs::path archive = tmp / "sjis.zip";
  const std::string sjis_name = "sjis/\x93\xfa\x96\x7b.txt";  // "日本.txt" in Shift_JIS, no UTF-8 flag
  write_archive(archive, zip, {{sjis_name, "shift-jis"}}, /*utf8_locale=*/false);
  REQUIRE(read_file(archive).find(sjis_name) != std::string::npos);
  Run run = visit_all(archive);
  REQUIRE(run.files.size() == 1);
  CHECK(run.files[0].entry.path == sjis_name);
  CHECK(run.files[0].entry.physical == sjis_name);
  CHECK(run.files[0].content == "shift-jis");
  std::string listed;
  for (const SourceProblem& p : run.problems) listed += p.message + "\n";
  INFO(listed);
  CHECK(run.problems.empty());
}

TEST_CASE("zip: a member named ../../etc/x is reported and sanitised, nothing is written",
          "[evidence][zip]") {
  TempDir tmp;
  fs::path dir = tmp / "a/b";
  fs::create_directories(dir);
  fs::path archive = dir / "evil.zip";
  write_archive(archive, zip, {{"ok.txt", "fine"}, {"../../etc/x", "evil"}, {"/abs/y", "absolute"}});
  auto before = sha256_tree(tmp.path());
  Run run = visit_all(archive);
  REQUIRE(run.files.size() == 3);
  CHECK(run.files[0].entry.path == "ok.txt");
  CHECK(run.files[1].entry.path == "__unsafe__/..%2F..%2Fetc%2Fx");
  CHECK(run.files[1].entry.physical == "../../etc/x");
  CHECK(run.files[1].content == "evil");
  CHECK(run.files[1].entry.note.find("unsafe member name") != std::string::npos);
  CHECK(run.files[2].entry.path == "abs/y");
  CHECK(run.files[2].entry.note.find("leading '/'") != std::string::npos);
  REQUIRE(run.problems_containing("unsafe member name '../../etc/x'") == 1);
  CHECK(run.problems_containing("path traversal") == 1);
  CHECK(run.problems_containing("absolute member names") == 1);
  for (const SourceProblem& p : run.problems) CHECK_FALSE(p.fatal);
  // Nothing was created or changed anywhere near the archive.
  CHECK(sha256_tree(tmp.path()) == before);
  CHECK_FALSE(fs::exists(tmp / "etc"));
  CHECK_FALSE(fs::exists(tmp / "a/etc"));
}

TEST_CASE("zip: a truncated archive is a fatal corrupt_input error", "[evidence][zip]") {
  TempDir tmp;
  fs::path archive = tmp / "cut.zip";
  std::string noise(300000, '\0');
  for (size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<char>((i * 2654435761u) >> 11);
  write_archive(archive, zip,
                {{"first.txt", "complete", 1},
                 {"second.bin", noise, 1, Member::file, "", true},
                 {"third.txt", "never"}});
  truncate_file(archive, fs::file_size(archive) / 2);
  CHECK(detect_source_kind(archive) == SourceKind::zip);
  auto source = open_evidence(archive);
  std::vector<SourceProblem> problems;
  std::string message;
  CHECK(error_code_of(
            [&] {
              source->for_each_file(
                  {}, [](const EvidenceEntry&, ByteReader& r) { read_all(r); },
                  [&](const SourceProblem& p) { problems.push_back(p); });
            },
            &message) == ExitCode::corrupt_input);
  INFO(message);
  CHECK(message.find("cut.zip") != std::string::npos);
  CHECK(message.find("last good member: 'first.txt'") != std::string::npos);
  REQUIRE_FALSE(problems.empty());
  CHECK(problems.back().fatal);
}

TEST_CASE("zip: central-directory entries sharing one local file are reported, not dropped silently",
          "[evidence][zip]") {
  // One stored local file "a.txt" ("abc", CRC-32 0x352441C2) named by three central-directory entries, all at
  // offset 0: the shape of an overlapping zip bomb. libarchive reads the local file once.
  // Appends little-endian fields given as {value, byte width}.
  auto put = [](std::string& out, std::initializer_list<std::pair<uint64_t, int>> fields) {
    for (auto [value, bytes] : fields)
      for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
  };
  const uint64_t crc = 0x352441C2, size = 3, name_length = 5, dos_date = 0x21;
  // clang-format off
  // (one record per statement reads better than one field per line)
  std::string zip;
  put(zip, {{0x04034B50, 4}, {10, 2}, {0, 2}, {0, 2}, {0, 2}, {dos_date, 2}, {crc, 4}, {size, 4}, {size, 4},
            {name_length, 2}, {0, 2}});
  zip += "a.txtabc";
  std::string cd;
  for (const char* name : {"a.txt", "b.txt", "c.txt"}) {
    // signature, made by, needed, flags, method (stored), time, date, CRC, sizes, name/extra/comment lengths,
    // disk, attributes (internal, external), local header offset 0 for all three
    put(cd, {{0x02014B50, 4}, {20, 2}, {10, 2}, {0, 2}, {0, 2}, {0, 2}, {dos_date, 2}, {crc, 4}, {size, 4},
             {size, 4}, {name_length, 2}, {0, 2}, {0, 2}, {0, 2}, {0, 2}, {0, 4}, {0, 4}});
    cd += name;
  }
  const size_t cd_offset = zip.size();
  zip += cd;
  put(zip, {{0x06054B50, 4}, {0, 2}, {0, 2}, {3, 2}, {3, 2}, {cd.size(), 4}, {cd_offset, 4}, {0, 2}});
  // clang-format on
  TempDir tmp;
  write_file(tmp / "overlap.zip", zip);

  Run run = visit_all(tmp / "overlap.zip");
  REQUIRE(run.files.size() == 1);
  CHECK(run.files[0].content == "abc");
  REQUIRE(run.problems.size() == 1);
  CHECK_FALSE(run.problems[0].fatal);
  CHECK(run.problems[0].message.find("lists 3 entries but only 1 distinct members") != std::string::npos);
}

// ---------------------------------------------------------------- detection

TEST_CASE("detection errors are specific", "[evidence][detect]") {
  TempDir tmp;
  std::string message;
  CHECK(error_code_of([&] { detect_source_kind(tmp / "nope"); }, &message) == ExitCode::evidence_unreadable);
  CHECK(message.find("not found") != std::string::npos);
  CHECK(error_code_of([&] { open_evidence(tmp / "nope", SourceKind::zip); }) ==
        ExitCode::evidence_unreadable);

  write_file(tmp / "empty.bin", "");
  CHECK(error_code_of([&] { detect_source_kind(tmp / "empty.bin"); }, &message) ==
        ExitCode::evidence_unreadable);
  CHECK(message.find("evidence file is empty (0 bytes)") != std::string::npos);

  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 7919) % 251);
  write_file(tmp / "garbage.bin", garbage);
  CHECK(error_code_of([&] { detect_source_kind(tmp / "garbage.bin"); }, &message) ==
        ExitCode::unknown_format);
  CHECK(message.find("cannot recognise") != std::string::npos);
  CHECK(message.find("tried folder, tar, zip, ios-backup") != std::string::npos);
  CHECK(message.find("--format") != std::string::npos);
  // Forcing a format onto data that is not that format fails at open, with the format named.
  CHECK(error_code_of([&] { open_evidence(tmp / "garbage.bin", SourceKind::tar); }, &message) ==
        ExitCode::unknown_format);
  CHECK_THAT(message, Catch::Contains("not a tar archive"));
  CHECK(error_code_of([&] { open_evidence(tmp.path(), SourceKind::zip); }) == ExitCode::unknown_format);
  CHECK(error_code_of([&] { open_evidence(tmp / "garbage.bin", SourceKind::folder); }) ==
        ExitCode::unknown_format);

  // Empty but valid archives are recognised and simply have no files.
  write_archive(tmp / "empty.zip", zip, {});
  write_archive(tmp / "empty.tar", pax, {});
  CHECK(detect_source_kind(tmp / "empty.zip") == SourceKind::zip);
  CHECK(detect_source_kind(tmp / "empty.tar") == SourceKind::tar);
  CHECK(visit_all(tmp / "empty.zip").files.empty());
  CHECK(visit_all(tmp / "empty.tar").problems.empty());

  // Half an iOS backup is ambiguous: both candidates are named and --format suggested.
  write_file(tmp / "half/Manifest.db", "x");
  CHECK(error_code_of([&] { detect_source_kind(tmp / "half"); }, &message) == ExitCode::unknown_format);
  CHECK(message.find("Manifest.db but no Info.plist") != std::string::npos);
  CHECK(message.find("ios-backup") != std::string::npos);
  CHECK(message.find("folder") != std::string::npos);
  CHECK(message.find("--format") != std::string::npos);
  write_file(tmp / "half2/Info.plist", "x");
  CHECK(error_code_of([&] { detect_source_kind(tmp / "half2"); }, &message) == ExitCode::unknown_format);
  CHECK(message.find("Info.plist but no Manifest.db") != std::string::npos);
  // Forced as a folder it opens fine.
  CHECK(visit_all(tmp / "half2", SourceKind::folder).files.size() == 1);
}

// ---------------------------------------------------------------- iOS backup

namespace {

// A small synthetic backup: Manifest.db with one file, one symlink, one directory, one missing file, one
// traversal path and one malformed fileID.
fs::path make_synthetic_backup(const fs::path& root) {
  fs::create_directories(root);
  write_file(root / "Info.plist", "<?xml version=\"1.0\"?><plist version=\"1.0\"><dict/></plist>");
  write_file(root / "Status.plist", "<?xml version=\"1.0\"?><plist version=\"1.0\"><dict/></plist>");
  write_file(
      root / "Manifest.plist",
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><plist version=\"1.0\"><dict><key>IsEncrypted</key><false/>"
      "</dict></plist>");
  {
    sql::Db db(root / "Manifest.db", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.exec(
        "CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file "
        "BLOB);"
        "CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB);");
    sql::Stmt ins(db, "INSERT INTO Files VALUES (?1, ?2, ?3, ?4, NULL)");
    auto add = [&](std::string id, std::string domain, std::string rel, int flags) {
      ins.bind(1, id).bind(2, domain).bind(3, rel).bind(4, flags);
      ins.run();
    };
    add("3d0d7e5fb2ce288813306e4d4636395e047a3d28", "HomeDomain", "Library/SMS/sms.db", 1);
    add("1111111111111111111111111111111111111111", "HomeDomain", "Library/SMS", 2);
    add("2222222222222222222222222222222222222222", "HomeDomain", "Library/link", 4);
    add("3333333333333333333333333333333333333333", "HomeDomain", "Library/missing.db", 1);
    add("4444444444444444444444444444444444444444", "HomeDomain", "../../etc/passwd", 1);
    add("../../../etc/shadow", "HomeDomain", "Library/bad-id", 1);
  }
  write_file(root / "3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28", "SMS-DATA");
  write_file(root / "44/4444444444444444444444444444444444444444", "traversal");
  write_file(root / "55/5555555555555555555555555555555555555555", "unlisted");
  return root;
}

}  // namespace

TEST_CASE("iOS backup: synthetic backup maps domains, reports every oddity", "[evidence][ios]") {
  TempDir tmp;
  fs::path root = make_synthetic_backup(tmp / "backup");
  CHECK(detect_source_kind(root) == SourceKind::ios_backup);
  auto before = sha256_tree(root);
  auto source = open_evidence(root);
  CHECK(source->kind() == SourceKind::ios_backup);
  Run run = visit_all(*source);
  std::vector<std::string> paths;
  for (const Visit& v : run.files) paths.push_back(v.entry.path);
  CHECK(paths == std::vector<std::string>{"Info.plist", "Manifest.db", "Manifest.plist", "Status.plist",
                                          "__unsafe__/HomeDomain%2F..%2F..%2Fetc%2Fpasswd",
                                          "HomeDomain/Library/SMS/sms.db"});
  const Visit* sms = run.find("HomeDomain/Library/SMS/sms.db");
  REQUIRE(sms);
  CHECK(sms->entry.physical == "3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28");
  CHECK(sms->content == "SMS-DATA");
  CHECK(sms->entry.note.find("no readable MBFile") != std::string::npos);
  CHECK(run.problems_containing("HomeDomain/Library/link") == 1);
  CHECK(run.problems_containing("missing on disk") == 1);
  CHECK(run.problems_containing("unsafe Manifest.db path") == 1);
  CHECK(run.problems_containing("malformed fileID") == 1);
  CHECK(run.problems_containing("55/5555555555555555555555555555555555555555 is on disk but not listed") ==
        1);
  CHECK(run.problems.size() == 5);
  CHECK(sha256_tree(root) == before);
  // No working copy is left next to the evidence.
  CHECK_FALSE(fs::exists(root / "Manifest.db-journal"));
  CHECK_FALSE(fs::exists(root / "Manifest.db-wal"));
}

TEST_CASE("iOS backup: encrypted backups without the password are refused with a clear message",
          "[evidence][ios]") {
  TempDir tmp;
  std::string message;
  std::string noise(8192, '\0');
  for (size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<char>(i * 131 + 7);
  SECTION("Manifest.plist says IsEncrypted and Manifest.db is ciphertext") {
    fs::path root = make_synthetic_backup(tmp / "enc");
    write_file(
        root / "Manifest.plist",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><plist version=\"1.0\"><dict><key>IsEncrypted</key><true/>"
        "</dict></plist>");
    write_file(root / "Manifest.db", noise);
    CHECK(detect_source_kind(root) == SourceKind::ios_backup);
    CHECK(error_code_of([&] { open_evidence(root); }, &message) == ExitCode::evidence_unreadable);
    CHECK(message.find("IsEncrypted = true") != std::string::npos);
  }
  SECTION("Manifest.db is not SQLite") {
    fs::path root = tmp / "enc2";
    write_file(root / "Info.plist", "x");
    write_file(root / "Manifest.db", noise);
    CHECK(error_code_of([&] { open_evidence(root); }, &message) == ExitCode::evidence_unreadable);
    CHECK(message.find("Manifest.db is not a plain SQLite file") != std::string::npos);
  }
  CHECK(message.find("encrypted iOS backup: give the backup password with `kanshiki ingest BACKUP --password P`") !=
        std::string::npos);
}

TEST_CASE("iOS backup: an already decrypted copy (IsEncrypted, plain Manifest.db) is read as is", "[evidence][ios]") {
  TempDir tmp;
  fs::path root = make_synthetic_backup(tmp / "decrypted");
  // iOS 10.0/10.1 kept Manifest.db plain in encrypted backups (no ManifestKey; the files are encrypted): refused.
  write_file(root / "Manifest.plist",
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?><plist version=\"1.0\"><dict><key>IsEncrypted</key><true/>"
             "</dict></plist>");
  CHECK(error_code_of([&] { open_evidence(root); }) == ExitCode::evidence_unreadable);
  // iOS 10.2+ always encrypts Manifest.db (ManifestKey present): a plain one is a decrypted copy.
  write_file(root / "Manifest.plist",
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?><plist version=\"1.0\"><dict><key>IsEncrypted</key><true/>"
             "<key>ManifestKey</key><data>BAAAAA==</data></dict></plist>");
  auto source = open_evidence(root);
  size_t files = 0;
  source->for_each_file([](std::string_view) { return true; }, [&](const EvidenceEntry&, ByteReader&) { ++files; },
                        [](const SourceProblem&) {});
  CHECK(files > 0);
}

TEST_CASE("iOS backup: the real MVT backup, read in place and left unchanged", "[evidence][ios][realdata]") {
  KANSHIKI_REALDATA_OR_SKIP(root, "ios_backup/mvt_ios_backup");
  auto before = sha256_tree(root);
  CHECK(detect_source_kind(root) == SourceKind::ios_backup);
  auto source = open_evidence(root);
  Run run;
  source->for_each_file(
      {},
      [&](const EvidenceEntry& e, ByteReader& r) {
        run.files.push_back({e, e.path == "Manifest.db" ? std::string() : read_all(r)});
      },
      [&](const SourceProblem& p) { run.problems.push_back(p); });

  // Info.plist + Manifest.db + the 10 hashed files Manifest.db lists and MVT kept.
  CHECK(run.files.size() == 12);
  CHECK(run.files[0].entry.path == "Info.plist");
  CHECK(run.files[1].entry.path == "Manifest.db");
  const Visit* sms = run.find("HomeDomain/Library/SMS/sms.db");
  REQUIRE(sms);
  CHECK(sms->entry.physical == "3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28");
  CHECK(sms->entry.size == 28672);
  CHECK(sha256_hex(sms->content) == hash_file(root / sms->entry.physical).sha256);
  CHECK(sha256_hex(sms->content).substr(0, 16) == "2d7c6e9a504cd54e");
  // Device times from the MBFile record (LastModified, LastStatusChange, Birth).
  CHECK(sms->entry.mtime_unix_s == 1638501497);
  CHECK(sms->entry.ctime_unix_s == 1638559914);
  CHECK(sms->entry.btime_unix_s == 1566918489);
  // MVT trimmed the database: the manifest still has the device's size.
  CHECK(sms->entry.note.find("size in Manifest.db (278528) differs") != std::string::npos);

  const Visit* chat = run.find("AppDomainGroup-group.net.whatsapp.WhatsApp.shared/ChatStorage.sqlite");
  REQUIRE(chat);
  CHECK(chat->entry.physical == "7c/7c7fba66680ef796b916b067077cc246adacf01d");

  // Everything the manifest lists but MVT did not keep is reported, not silently skipped.
  CHECK(run.problems_containing("missing on disk") == 1089 - 10);
  CHECK(run.problems_containing("is not followed") == 14);  // the 14 symlinks
  CHECK(run.problems_containing("e7/e794f6ffcc3c222535f47684a63d5178da3c4500 is on disk but not listed") ==
        1);
  CHECK(run.problems_containing("Manifest.plist not found") == 1);
  for (const SourceProblem& p : run.problems) CHECK_FALSE(p.fatal);

  // A locator-driven pass over the same backup.
  Run sms_only = visit_all(*source, [](std::string_view p) {
    return glob_match(Locator::backup("HomeDomain", "Library/SMS/sms.db").glob, p);
  });
  REQUIRE(sms_only.files.size() == 1);
  CHECK(sms_only.files[0].entry.path == "HomeDomain/Library/SMS/sms.db");
  std::string listed;
  for (const SourceProblem& p : sms_only.problems) listed += p.path + ": " + p.message + "\n";
  INFO(listed);
  REQUIRE(sms_only.problems.size() == 1);  // only the size note about this very file
  CHECK_THAT(sms_only.problems[0].message, Catch::Contains("size in Manifest.db"));

  source.reset();
  CHECK(sha256_tree(root) == before);
}
