#include "tests/test_support.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "core/sqlite_util.h"
#include "hashing/multi_hash.h"
#include "parsers/parser.h"

namespace kanshiki::test {

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  path_ = fs::temp_directory_path() / ("kanshiki-test-" + std::to_string(::getpid()) + "-" +
                                       std::to_string(counter++) + "-" + std::to_string(rd()));
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

fs::path source_dir() { return KANSHIKI_SOURCE_DIR; }

std::optional<fs::path> realdata_root() {
  const char* env = std::getenv("KANSHIKI_REALDATA");
  fs::path p = env && *env ? fs::path(env) : fs::path(KANSHIKI_REALDATA_DIR);
  if (fs::exists(p / "MANIFEST.sha256")) return fs::weakly_canonical(p);
  return std::nullopt;
}

std::optional<fs::path> realdata(std::string_view relative) {
  auto root = realdata_root();
  if (!root) return std::nullopt;
  fs::path p = *root / relative;
  if (!fs::exists(p)) return std::nullopt;
  return p;
}

fs::path copy_sqlite_to(const fs::path& source, const fs::path& dir) {
  fs::create_directories(dir);
  fs::path dest = dir / source.filename();
  fs::copy_file(source, dest, fs::copy_options::overwrite_existing);
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    fs::path sib = source;
    sib += suffix;
    if (fs::exists(sib)) {
      fs::path d = dest;
      d += suffix;
      fs::copy_file(sib, d, fs::copy_options::overwrite_existing);
    }
  }
  return dest;
}

CollectingSink run_parser(std::string_view parser_id, const fs::path& file, std::string item_path,
                          bool recover_deleted) {
  const ParserEntry* entry = find_parser(parser_id);
  REQUIRE(entry != nullptr);
  TempDir work;
  ParseInput in;
  in.evidence_id = 1;
  in.item_id = 1;
  in.item_path = item_path.empty() ? file.filename().string() : item_path;
  in.item_sha256 = hash_file(file).sha256;
  in.working_copy = copy_sqlite_to(file, work.path());
  in.recover_deleted = recover_deleted;
  CollectingSink sink;
  auto parser = entry->make();
  parser->parse(in, sink);
  return sink;
}

fs::path cli_path() { return KANSHIKI_CLI_PATH; }

int run_cli(const std::string& args, std::string* output) {
  return run_command("'" + cli_path().string() + "' " + args, output);
}

int run_command(const std::string& command, std::string* output) {
  std::string cmd = command + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return -1;
  std::array<char, 4096> buf;
  std::string out;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int status = ::pclose(p);
  if (output) *output = out;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string file_sha256(const fs::path& p) { return hash_file(p).sha256; }

void seed_parser_run(CaseDb& c, int64_t item_id, std::string_view item_path, std::string_view parser_id) {
  c.db().exec(
      "INSERT INTO runs(id, command, command_line, tool_version, host, examiner, started_utc, status) "
      "VALUES(1,'process','t','0','h','e','2024-01-01T00:00:00.000Z','running');"
      "INSERT INTO evidence(id, exhibit, source_path, source_kind, status, ingested_utc) "
      "VALUES(1,'A','/x','folder','complete','t')");
  sql::Stmt item(c.db(),
                 "INSERT INTO items(id, evidence_id, path, physical, size, md5, sha1, sha256) "
                 "VALUES(?1,1,?2,'p',1,'m','s','abc')");
  item.bind(1, item_id).bind(2, item_path).run();
  sql::Stmt run(
      c.db(),
      "INSERT INTO parser_runs(id, run_id, evidence_id, item_id, parser_id, parser_version, status, "
      "started_utc, ended_utc) VALUES(1,1,1,?1,?2,'1.0.0','running','t','t')");
  run.bind(1, item_id).bind(2, parser_id).run();
}

}  // namespace kanshiki::test
