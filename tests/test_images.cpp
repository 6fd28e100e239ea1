// Disk images (core/image/, core/evidence/image_source.cpp): fixtures are built here with Debian tools only
// (mkfs.ext4 -d, mkfs.vfat + mcopy, sgdisk, debugfs, ewfacquirestream, img2simg) from the sample Android
// tree, a few MB each, in a temp folder. Each image must yield the same artifacts as the tree given as a
// folder.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "core/error.h"
#include "core/evidence/source.h"
#include "core/image/container.h"
#include "core/image/file_systems.h"
#include "core/sqlite_util.h"
#include "hashing/multi_hash.h"
#include "tests/test_support.h"

namespace kanshiki {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

// Runs a shell command quietly; true on exit status 0.
bool sh(const std::string& cmd) { return std::system(("(" + cmd + ") >/dev/null 2>&1").c_str()) == 0; }

// A one-entry DOS partition table (util-linux sfdisk is not always installed): entry 1 at byte 446 holds the
// type and the partition's first LBA and sector count (little-endian); 55 AA ends the sector.
bool write_mbr(const fs::path& disk, uint32_t first_lba, uint32_t sectors, unsigned char type) {
  unsigned char entry[16] = {0x00, 0xFE, 0xFF, 0xFF, type, 0xFE, 0xFF, 0xFF};
  for (int i = 0; i < 4; ++i) {
    entry[8 + i] = static_cast<unsigned char>(first_lba >> (8 * i));
    entry[12 + i] = static_cast<unsigned char>(sectors >> (8 * i));
  }
  std::fstream io(disk, std::ios::in | std::ios::out | std::ios::binary);
  io.seekp(446);
  io.write(reinterpret_cast<const char*>(entry), 16);
  io.seekp(510);
  io.write("\x55\xAA", 2);
  return static_cast<bool>(io);
}

struct Fixtures {
  test::TempDir dir;
  fs::path tree, ext4, ext4_deleted, gpt, e01, e01_segments, simg, split_first, mbr;
  std::string skip;  // non-empty: why the fixtures could not be built

  Fixtures() {
    for (const char* tool : {"python3", "mkfs.ext4", "debugfs", "mkfs.vfat", "mcopy", "sgdisk",
                             "ewfacquirestream", "img2simg", "split", "tar"}) {
      if (!sh(std::string("command -v ") + tool)) {
        skip = std::string(tool) + " not installed (scripts/install-deps installs it)";
        return;
      }
    }
    const fs::path d = dir.path();
    tree = d / "tree";
    ext4 = d / "userdata.img";
    ext4_deleted = d / "deleted.img";
    gpt = d / "phone.img";
    e01 = d / "phone.E01";
    simg = d / "phone.simg";
    split_first = d / "phone.raw.001";
    e01_segments = d / "seg" / "phone.E01";
    mbr = d / "sdcard-mbr.img";
    const fs::path gen = test::source_dir() / "samples" / "generate_samples.py";
    bool ok =
        sh("python3 " + q(gen) + " --out " + q(d / "samples")) && sh("mkdir -p " + q(tree)) &&
        sh("tar -xf " + q(d / "samples" / "android_ffs.tar") + " -C " + q(tree)) &&
        // A whole phone tree in one ext4 (a bare userdata dump), and a copy with a file deleted.
        sh("truncate -s 24M " + q(ext4) + " && mkfs.ext4 -q -F -L userdata -d " + q(tree) + " " + q(ext4)) &&
        sh("cp " + q(ext4) + " " + q(ext4_deleted) + " && debugfs -w -R 'rm /system/build.prop' " +
           q(ext4_deleted)) &&
        // A GPT disk: userdata (ext4: data/ and system/) and an SD-card style FAT partition (sdcard/).
        sh("mkdir -p " + q(d / "ud") + " && cp -a " + q(tree / "data") + " " + q(tree / "system") + " " +
           q(d / "ud")) &&
        sh("truncate -s 20M " + q(d / "ud.ext4") + " && mkfs.ext4 -q -F -d " + q(d / "ud") + " " +
           q(d / "ud.ext4")) &&
        sh("truncate -s 8M " + q(d / "sd.fat") + " && mkfs.vfat -n SDCARD " + q(d / "sd.fat") + " && cd " +
           q(tree / "sdcard") + " && MTOOLS_SKIP_CHECK=1 mcopy -s -i " + q(d / "sd.fat") + " * ::/") &&
        sh("truncate -s 30M " + q(gpt) +
           " && sgdisk -o -n 1:2048:+20M -c 1:userdata -t 1:8300 -n 2:43008:+8M " + "-c 2:sdcard -t 2:0700 " +
           q(gpt)) &&
        sh("dd if=" + q(d / "ud.ext4") + " of=" + q(gpt) + " bs=512 seek=2048 conv=notrunc") &&
        sh("dd if=" + q(d / "sd.fat") + " of=" + q(gpt) + " bs=512 seek=43008 conv=notrunc") &&
        sh("cd " + q(d) + " && ewfacquirestream -q -d sha1 -c none -t phone < " + q(gpt)) &&
        // The same disk as an E01 set of 8 MiB segments (.E01 .. .E04).
        sh("mkdir -p " + q(d / "seg") + " && cd " + q(d / "seg") +
           " && ewfacquirestream -q -c none -S 8MiB -t phone < " + q(gpt)) &&
        // An SD card with an MBR (DOS) partition table: one FAT partition, named p1.
        sh("truncate -s 9M " + q(mbr)) && write_mbr(mbr, 2048, (9u << 20) / 512 - 2048, 0x0C) &&
        sh("dd if=" + q(d / "sd.fat") + " of=" + q(mbr) + " bs=512 seek=2048 conv=notrunc") &&
        sh("img2simg " + q(gpt) + " " + q(simg)) &&
        sh("cd " + q(d) + " && split -b 12M -d -a 3 --numeric-suffixes=1 " + q(gpt) + " phone.raw.");
    if (!ok) skip = "building the image fixtures failed (see the commands in tests/test_images.cpp)";
  }
};

Fixtures& fixtures() {
  static Fixtures f;
  return f;
}

#define FIXTURES_OR_SKIP(f)                                \
  Fixtures& f = fixtures();                                \
  if (!f.skip.empty()) {                                   \
    std::cout << "KANSHIKI-SKIP: " << f.skip << std::endl; \
    return;                                                \
  }

struct Walk {
  std::map<std::string, std::string> sha256;  // logical path -> content hash
  std::map<std::string, EvidenceEntry> entries;
  std::vector<SourceProblem> problems;
};

// Opens and walks evidence, hashing every file; kanshiki::Error propagates.
Walk walk(const fs::path& p) {
  Walk w;
  auto src = open_evidence(p);
  src->for_each_file(
      nullptr,
      [&](const EvidenceEntry& e, ByteReader& r) {
        w.sha256[e.path] = hash_stream(r).sha256;
        w.entries[e.path] = e;
      },
      [&](const SourceProblem& pr) { w.problems.push_back(pr); });
  return w;
}

std::string all_problems(const Walk& w) {
  std::string s;
  for (const auto& p : w.problems) s += p.path + ": " + p.message + "\n";
  return s;
}

// Artifact counts per type and a digest of all message texts, per evidence id.
struct ArtifactSummary {
  std::map<std::string, int> counts;
  std::string message_digest;
  bool operator==(const ArtifactSummary& o) const {
    return counts == o.counts && message_digest == o.message_digest;
  }
};

std::map<int64_t, ArtifactSummary> summarise(const fs::path& case_db) {
  std::map<int64_t, ArtifactSummary> out;
  sql::Db db = sql::Db(case_db, SQLITE_OPEN_READONLY);
  {
    sql::Stmt st(db, "SELECT evidence_id, type, count(*) FROM artifacts GROUP BY 1, 2");
    while (st.step()) out[st.i64(0)].counts[st.text(1)] = static_cast<int>(st.i64(2));
  }
  sql::Stmt st(
      db,
      "SELECT a.evidence_id, group_concat(t, char(10)) FROM (SELECT a.evidence_id, coalesce(m.text, '') AS t "
      "FROM messages m JOIN artifacts a ON a.id = m.artifact_id ORDER BY 1, 2) a GROUP BY 1");
  while (st.step()) out[st.i64(0)].message_digest = sha256_hex(st.text(1));
  return out;
}

TEST_CASE("disk images: ext4, GPT (ext4 + FAT), E01, sparse and split raw yield the folder's artifacts",
          "[images]") {
  FIXTURES_OR_SKIP(f);
  test::TempDir work;
  ::setenv("KANSHIKI_HOME", (work / "home").c_str(), 1);
  REQUIRE(test::run_cli("examiner init --name '鑑識 一郎'") == 0);
  const fs::path c = work / "case";
  REQUIRE(test::run_cli("case create --case " + q(c)) == 0);
  std::string out;
  INFO(out);
  REQUIRE(test::run_cli("--quiet ingest " + q(f.tree) + " --case " + q(c), &out) == 0);  // E1
  for (const fs::path& image : {f.ext4, f.gpt, f.e01, f.simg, f.split_first}) {          // E2..E6
    int rc = test::run_cli("--quiet ingest " + q(image) + " --case " + q(c), &out);
    INFO(image.filename().string() << ": " << out);
    CHECK(rc == 0);
  }
  REQUIRE(test::run_cli("--quiet process --case " + q(c), &out) == 0);
  // Re-hashing every item (and an E01's media against its stored hashes) finds the evidence unchanged.
  CHECK(test::run_cli("--quiet verify --case " + q(c), &out) == 0);
  auto summary = summarise(c / "case.db");
  REQUIRE(summary.count(1) == 1);
  CHECK(summary[1].counts.at("message") > 10);
  for (int64_t e = 2; e <= 6; ++e) {
    INFO("evidence E" << e);
    CHECK(summary[e] == summary[1]);
    CHECK(summary[e].counts == summary[1].counts);
  }

  sql::Db db = sql::Db(c / "case.db", SQLITE_OPEN_READONLY);
  // Partitions are named as the phone names them, and items carry partition, inode and image offset.
  sql::Stmt parts(db, "SELECT DISTINCT partition_name FROM items WHERE evidence_id = 3 ORDER BY 1");
  std::vector<std::string> names;
  while (parts.step()) names.push_back(parts.text(0));
  CHECK(names == std::vector<std::string>{"sdcard", "userdata"});
  sql::Stmt prov(
      db, "SELECT count(*) FROM items WHERE evidence_id = 3 AND (fs_inode IS NULL OR image_offset IS NULL)");
  REQUIRE(prov.step());
  CHECK(prov.i64(0) == 0);
  // The Japanese file name on the FAT partition (a VFAT long name) comes out exactly.
  sql::Stmt jp(
      db,
      "SELECT count(*) FROM items WHERE evidence_id = 3 AND path = 'sdcard/Documents/業務連絡テンプレ.txt'");
  REQUIRE(jp.step());
  CHECK(jp.i64(0) == 1);
  // The E01's stored MD5 and SHA-1 were checked against the media and recorded.
  sql::Stmt ev(db, "SELECT source_kind, derivation, status FROM evidence WHERE id = 4");
  REQUIRE(ev.step());
  CHECK(ev.text(0) == "e01");
  CHECK(ev.text(2) == "complete");
  json how = json::parse(ev.text(1));
  CHECK(how["media_hashes"]["md5_vs_stored"] == "match");
  CHECK(how["media_hashes"]["sha1_vs_stored"] == "match");
  CHECK(how["media_hashes"]["md5"] == hash_file(f.gpt).md5);
  // A split raw's segment files are each hashed and listed.
  sql::Stmt split(db, "SELECT derivation FROM evidence WHERE id = 6");
  REQUIRE(split.step());
  json segs = json::parse(split.text(0))["segment_files"];
  REQUIRE(segs.size() == 3);
  CHECK(segs[1]["sha256"] == hash_file(f.dir.path() / "phone.raw.002").sha256);
}

TEST_CASE("disk images: the same files, hashes and names through every container", "[images]") {
  FIXTURES_OR_SKIP(f);
  Walk raw = walk(f.gpt);
  INFO(all_problems(raw));
  CHECK(raw.problems.empty());
  CHECK(raw.sha256.size() == 14);
  for (const fs::path& p : {f.e01, f.e01_segments, f.simg, f.split_first}) {
    INFO(p.filename().string());
    CHECK(walk(p).sha256 == raw.sha256);
  }
  // Each file's content equals the tree's.
  for (const auto& [path, sha] : raw.sha256) {
    std::string rel = path.substr(path.find('/') + 1);  // drop the partition name
    if (path.rfind("userdata/", 0) != 0) rel = "sdcard/" + rel;
    INFO(path);
    CHECK(hash_file(f.tree / rel).sha256 == sha);
  }
  CHECK(detect_source_kind(f.e01) == SourceKind::ewf);
  CHECK(detect_source_kind(f.simg) == SourceKind::android_sparse);
  CHECK(detect_source_kind(f.gpt) == SourceKind::raw_image);
  CHECK(detect_source_kind(f.ext4) == SourceKind::raw_image);
  CHECK(detect_source_kind(f.split_first) == SourceKind::raw_image);
  CHECK(detect_source_kind(f.mbr) == SourceKind::raw_image);
  CHECK(detect_source_kind(f.dir.path() / "sd.fat") == SourceKind::raw_image);  // a bare FAT (boot sector)
  // 55 AA at byte 510 alone is not a disk: arbitrary data there stays unrecognised.
  test::TempDir work;
  std::string blob(4096, '\x11');
  blob[510] = '\x55';
  blob[511] = '\xAA';
  std::ofstream(work / "blob.dat", std::ios::binary) << blob;
  CHECK_THROWS_AS(detect_source_kind(work / "blob.dat"), Error);
}

TEST_CASE("disk images: a deleted file in ext4 is listed and flagged", "[images]") {
  FIXTURES_OR_SKIP(f);
  Walk w = walk(f.ext4_deleted);
  CHECK(w.entries.count("system/build.prop") == 0);
  const EvidenceEntry* deleted = nullptr;
  for (const auto& [path, e] : w.entries)
    if (path.rfind("system/build.prop#deleted-inode-", 0) == 0) deleted = &e;
  REQUIRE(deleted != nullptr);
  CHECK(deleted->deleted);
  CHECK(deleted->inode.has_value());
  CHECK(deleted->note.find("deleted") != std::string::npos);
  // debugfs frees the blocks without wiping them: the content is still recoverable here.
  CHECK(w.sha256.at(deleted->path) == hash_file(f.tree / "system/build.prop").sha256);
  size_t live = 0;
  for (const auto& [path, e] : w.entries) live += e.deleted ? 0 : 1;
  CHECK(live == 13);
}

TEST_CASE("disk images: a corrupted E01 chunk is a clear error naming the offset, recorded in custody",
          "[images]") {
  FIXTURES_OR_SKIP(f);
  test::TempDir work;
  fs::path bad = work / "bad.E01";
  fs::copy_file(f.e01, bad);
  {
    // Uncompressed chunks: flip bytes in the middle of the file, well inside the sectors data.
    std::fstream io(bad, std::ios::in | std::ios::out | std::ios::binary);
    uint64_t at = fs::file_size(bad) / 2;
    io.seekp(static_cast<std::streamoff>(at));
    io.write("CORRUPTED-CHUNK!", 16);
  }
  try {
    walk(bad);
    FAIL("a corrupted E01 was accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::corrupt_input);
    std::string m = e.what();
    INFO(m);
    CHECK(m.find("corrupted EWF chunk(s) at media offset") != std::string::npos);
    // libewf hands out a chunk that fails to decode as zeros; here the chunk held zeros (free space), so the
    // media hash still matches: only the checksum error tells. Both kinds of error end up in this message.
  }
  ::setenv("KANSHIKI_HOME", (work / "home").c_str(), 1);
  REQUIRE(test::run_cli("examiner init --name X") == 0);
  REQUIRE(test::run_cli("case create --case " + q(work / "c")) == 0);
  std::string out;
  CHECK(test::run_cli("ingest " + q(bad) + " --case " + q(work / "c"), &out) ==
        static_cast<int>(ExitCode::corrupt_input));
  CHECK(out.find("corrupted EWF chunk(s) at media offset") != std::string::npos);
  sql::Db db = sql::Db(work / "c" / "case.db", SQLITE_OPEN_READONLY);
  sql::Stmt st(db, "SELECT status, error FROM custody WHERE action = 'ingest' ORDER BY seq DESC LIMIT 1");
  REQUIRE(st.step());
  CHECK(st.text(0) == "failed");
  CHECK(st.text(1).find("corrupted EWF chunk(s) at media offset") != std::string::npos);
  // `image info` says the same and fails verification.
  CHECK(test::run_cli("image info " + q(bad), &out) == static_cast<int>(ExitCode::verification_failed));
  CHECK(out.find("MISMATCH") == std::string::npos);  // human output names the errors, not the JSON words
  CHECK(out.find("corrupted EWF chunk") != std::string::npos);
}

TEST_CASE("disk images: truncated images give clear errors", "[images]") {
  FIXTURES_OR_SKIP(f);
  test::TempDir work;
  auto truncated = [&](const fs::path& from, const std::string& name, uint64_t size) {
    fs::path p = work / name;
    fs::copy_file(from, p);
    fs::resize_file(p, size);
    return p;
  };
  SECTION("E01 cut in half") {
    fs::path p = truncated(f.e01, "half.E01", fs::file_size(f.e01) / 2);
    try {
      walk(p);
      FAIL("accepted");
    } catch (const Error& e) {
      INFO(e.what());
      CHECK(e.code() == ExitCode::corrupt_input);
      CHECK(std::string(e.what()).find("EWF") != std::string::npos);
    }
  }
  SECTION("sparse image cut short") {
    fs::path p = truncated(f.simg, "short.simg", fs::file_size(f.simg) / 2);
    try {
      walk(p);
      FAIL("accepted");
    } catch (const Error& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find("truncated") != std::string::npos);
    }
  }
  SECTION("GPT disk cut inside the sdcard partition") {
    Walk w = walk(truncated(f.gpt, "short.img", 25u << 20));
    std::string all = all_problems(w);
    INFO(all);
    CHECK(all.find("partition 'sdcard' ends at byte") != std::string::npos);
    CHECK(all.find("truncated") != std::string::npos);
  }
  SECTION("bare ext4 cut short") {
    Walk w = walk(truncated(f.ext4, "short-ext4.img", 3u << 20));
    std::string all = all_problems(w);
    INFO(all);
    CHECK(all.find("the image is truncated") != std::string::npos);
  }
  SECTION("no file system at all") {
    fs::path p = work / "zeros.img";
    sh("truncate -s 1M " + q(p));
    std::ofstream(p, std::ios::in | std::ios::out | std::ios::binary).write("x", 1);
    Walk w = walk(p);
    CHECK(w.sha256.empty());
    CHECK(all_problems(w).find("no partition table and no file system recognised") != std::string::npos);
  }
}

TEST_CASE("disk images: file-based encryption is detected and said clearly", "[images]") {
  FIXTURES_OR_SKIP(f);
  test::TempDir work;
  fs::path p = work / "fbe.img";
  REQUIRE(sh("truncate -s 8M " + q(p) + " && mkfs.ext4 -q -F -O encrypt -d " + q(f.tree / "system") + " " +
             q(p)));
  Walk w = walk(p);
  std::string all = all_problems(w);
  INFO(all);
  CHECK(all.find("file-based encryption") != std::string::npos);
  CHECK(all.find("keys needed") != std::string::npos);
}

TEST_CASE("disk images: image info prints container, partitions, file systems and hashes", "[images]") {
  FIXTURES_OR_SKIP(f);
  std::string out;
  REQUIRE(test::run_cli("--json image info " + q(f.e01), &out) == 0);
  json j = json::parse(out);
  CHECK(j["container"]["format"] == "ewf");
  CHECK(j["layout"]["volume_system"] == "gpt");
  REQUIRE(j["layout"]["volumes"].size() == 2);
  CHECK(j["layout"]["volumes"][0]["name"] == "userdata");
  CHECK(j["layout"]["volumes"][0]["file_system"] == "ext4");
  CHECK(j["layout"]["volumes"][1]["name"] == "sdcard");
  CHECK(std::string(j["layout"]["volumes"][1]["file_system"]).rfind("fat", 0) == 0);
  CHECK(j["media_hashes"]["md5_vs_stored"] == "match");
  CHECK(j["container"]["stored_md5"] == hash_file(f.gpt).md5);
  REQUIRE(test::run_cli("image info " + q(f.simg), &out) == 0);
  CHECK(out.find("userdata") != std::string::npos);
  CHECK(out.find("Android sparse") != std::string::npos);
}

// core/image/file_systems.cpp opens a GPT behind a protective MBR itself, because libtsk 4.11's
// autodetection leaks the protective MBR's DOS view in that case (dev-asan: LeakSanitizer checks this
// process at exit). The choice must stay TSK's: GPT normally, DOS over a GPT that has only its backup header.
TEST_CASE("disk images: the volume system is the one TSK's autodetection picks", "[images]") {
  FIXTURES_OR_SKIP(f);
  auto layout_of = [](const fs::path& p) {
    auto container = image::open_container(p, image::ContainerFormat::raw);
    image::ImageFileSystems systems(*container);
    return systems.layout();
  };
  image::ImageLayout gpt = layout_of(f.gpt);
  CHECK(gpt.volume_system == "gpt");
  REQUIRE(gpt.volumes.size() == 2);
  CHECK(gpt.volumes[0].name == "userdata");
  CHECK(gpt.volumes[0].file_system == "ext4");
  CHECK(gpt.volumes[1].name == "sdcard");

  test::TempDir work;
  const fs::path backup_only = work / "backup-gpt.img";
  fs::copy_file(f.gpt, backup_only);
  {
    std::fstream io(backup_only, std::ios::in | std::ios::out | std::ios::binary);
    io.seekp(512);  // LBA 1: the primary GPT header
    io.write(std::string(512, '\0').data(), 512);
  }
  image::ImageLayout dos = layout_of(backup_only);
  CHECK(dos.volume_system == "dos");
  REQUIRE(dos.volumes.size() == 1);
  CHECK(dos.volumes[0].table_entry == "GPT Safety Partition (0xee)");

  CHECK(layout_of(f.mbr).volume_system == "dos");
}

TEST_CASE("disk images: an MBR card's partition is p1 — a missing E01 segment is a clear error", "[images]") {
  FIXTURES_OR_SKIP(f);
  Walk w = walk(f.mbr);
  INFO(all_problems(w));
  CHECK(w.problems.empty());
  REQUIRE(w.sha256.size() == 3);
  CHECK(w.sha256.count("p1/Documents/業務連絡テンプレ.txt") == 1);
  CHECK(w.entries.at("p1/Documents/業務連絡テンプレ.txt").partition == "p1");

  test::TempDir work;
  for (const auto& seg : fs::directory_iterator(f.e01_segments.parent_path()))
    if (seg.path().extension() != ".E03") fs::copy_file(seg.path(), work.path() / seg.path().filename());
  try {
    walk(work / "phone.E01");
    FAIL("an E01 set with a missing segment was accepted");
  } catch (const Error& e) {
    INFO(e.what());
    CHECK(e.code() == ExitCode::corrupt_input);
    CHECK(std::string(e.what()).find("the EWF segment set is incomplete or damaged") != std::string::npos);
  }
}

// Random damage to the container and volume headers: every outcome is a clean kanshiki::Error or a walk with
// problems, never a crash. KANSHIKI_IMAGE_FUZZ_RUNS=N runs N damaged copies per container (default 12) for a
// longer soak outside CI.
TEST_CASE("disk images: fuzzed container headers never crash", "[images]") {
  FIXTURES_OR_SKIP(f);
  test::TempDir work;
  std::mt19937 rng(12);
  struct Target {
    fs::path from;
    uint64_t header_bytes;  // where the structures live
    std::string ext;
  };
  // E01: file header + header/volume sections; simg: file and first chunk headers; raw: MBR, GPT,
  // superblocks.
  std::vector<Target> targets = {
      {f.e01, 8192, ".E01"}, {f.simg, 256, ".simg"}, {f.gpt, 1056768 + 4096, ".img"}};
  const char* env = std::getenv("KANSHIKI_IMAGE_FUZZ_RUNS");
  const int per_target = env ? std::max(1, std::atoi(env)) : 12;
  int errors = 0, runs = 0;
  for (const Target& t : targets) {
    for (int i = 0; i < per_target; ++i) {
      fs::path p = work / ("fuzz" + std::to_string(runs++) + t.ext);
      fs::copy_file(t.from, p);
      {
        std::fstream io(p, std::ios::in | std::ios::out | std::ios::binary);
        for (int k = 0; k < 8; ++k) {
          // Raw: hit the GPT header/entries and the ext4 superblock of userdata (1 MiB + 1024).
          uint64_t at = t.ext == ".img" ? (k % 2 ? 1048576 + 1024 + rng() % 1024 : rng() % 2048)
                                        : rng() % t.header_bytes;
          io.seekp(static_cast<std::streamoff>(at));
          char b = static_cast<char>(rng());
          io.write(&b, 1);
        }
      }
      try {
        walk(p);
      } catch (const Error&) {
        ++errors;  // a clear, typed error is a correct outcome
      }
      fs::remove(p);
    }
  }
  CHECK(runs == 3 * per_target);
  SUCCEED(errors << " of " << runs << " damaged images were refused with a clear error");
}

}  // namespace
}  // namespace kanshiki
