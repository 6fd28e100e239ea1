#pragma once
// `kanshiki thumbnails`: a thumbnail for every media artifact of a case, for the workbench and the reports.
//
// Content-addressed: one thumbnail per distinct original SHA-256 (media.sha256), kept inside the case at
// CASE/thumbnails/ab/<sha256>.jpg with a `thumbnails` row (core/case_schema.h, migration 10). The original
// bytes are read through the evidence VFS (read-only, never a file beside the evidence), checked against the
// item's ingest SHA-256, and decoded only inside kanshiki-thumb-worker's confined children
// (engine/thumb_worker_main.cpp: seccomp + memory/CPU rlimits + a wall-clock limit), since an image on a
// seized phone may be crafted against its decoder. A malformed image, a crash or a timeout costs that image
// only: its row says why, a warning is stored, the run goes on.
//
// Idempotent and resumable: each thumbnail's file is written (atomically) before its row commits; a row whose
// file exists is never redone, so a killed run is completed by running it again, without duplicates.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace kanshiki {

class CaseDb;

inline constexpr std::string_view kThumbnailGenerator = "kanshiki-thumb-worker";
// Bump when the thumbnail bytes for the same original would change (size, quality, decoder handling).
inline constexpr std::string_view kThumbnailGeneratorVersion = "1.0.0";
inline constexpr const char* kThumbWorkerEnv = "KANSHIKI_THUMB_WORKER";

struct ThumbnailOptions {
  bool progress = false;
  std::filesystem::path worker;        // empty: find_thumb_worker()
  uint64_t memory_bytes = 2ull << 30;  // address-space limit of each decoder child
  unsigned cpu_seconds = 60;           // CPU limit of each decoder child
  unsigned wall_seconds = 120;         // each image's decoder is killed after this long
};

struct ThumbnailResult {
  uint64_t media = 0;         // media artifacts in the case
  uint64_t without_hash = 0;  // media artifacts with no SHA-256 (catalogue entries; nothing to read)
  uint64_t distinct = 0;      // distinct original SHA-256 values among the rest
  uint64_t made = 0;          // thumbnails written in this run
  uint64_t already_done = 0;  // done by an earlier run (row present, file present)
  uint64_t failed = 0;        // undecodable, crashed, timed out, unreadable (a warning each)
  uint64_t not_image = 0;     // video / audio: no thumbnail, stored as such
  uint64_t no_source = 0;     // no item with that SHA-256 in the evidence (e.g. an image inside a database)
  uint64_t bytes_read = 0;    // original bytes read from the evidence
};

ThumbnailResult make_thumbnails(CaseDb& c, int64_t run_id, const ThumbnailOptions& options);

// "thumbnails/ab/<sha256>.jpg": where the thumbnail of an original lives, relative to the case folder.
std::string thumbnail_relative_path(std::string_view original_sha256);

// The worker executable: $KANSHIKI_THUMB_WORKER, else beside the running executable, else where the build put
// it. Throws Error(failure) naming the places tried.
std::filesystem::path find_thumb_worker();

}  // namespace kanshiki
