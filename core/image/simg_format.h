#pragma once
// On-disk layout of the Android sparse image format ("simg", as written by img2simg and fastboot; defined in
// AOSP system/core/libsparse/sparse_format.h). All fields little-endian. Layout only; logic is in
// simg_container.cpp. See docs/formats/disk-images.md.
//
//   file header (file_header_size bytes, 28 in version 1.0)
//   chunk 0: chunk header (chunk_header_size bytes, 12) + data
//   chunk 1: ...
//
// Chunk types and their data:
//   RAW        blocks * block_size bytes of media, verbatim
//   FILL       4 bytes, repeated over blocks * block_size bytes of media
//   DONT_CARE  no data; the blocks are unspecified (read back as zeros)
//   CRC32      4 bytes: CRC-32 of all media so far (no media blocks)
#include <cstdint>

namespace kanshiki::image {

inline constexpr uint32_t kSparseMagic = 0xED26FF3A;

struct SparseFileHeader {                            // offsets within the file header
  static constexpr unsigned magic = 0;               // u32 kSparseMagic
  static constexpr unsigned major_version = 4;       // u16, 1
  static constexpr unsigned minor_version = 6;       // u16, 0
  static constexpr unsigned file_header_size = 8;    // u16, 28
  static constexpr unsigned chunk_header_size = 10;  // u16, 12
  static constexpr unsigned block_size = 12;         // u32, multiple of 4 (4096 in practice)
  static constexpr unsigned total_blocks = 16;       // u32, media size in blocks
  static constexpr unsigned total_chunks = 20;       // u32
  static constexpr unsigned image_checksum = 24;     // u32, CRC-32 of the media (0 = not computed)
  static constexpr unsigned size_v1 = 28;
};

struct SparseChunkHeader {                     // offsets within a chunk header
  static constexpr unsigned chunk_type = 0;    // u16, see below
  static constexpr unsigned reserved = 2;      // u16
  static constexpr unsigned chunk_blocks = 4;  // u32, media blocks this chunk covers
  static constexpr unsigned total_size = 8;    // u32, bytes of this chunk in the file, header included
  static constexpr unsigned size_v1 = 12;
};

enum SparseChunkType : uint16_t {
  kChunkRaw = 0xCAC1,
  kChunkFill = 0xCAC2,
  kChunkDontCare = 0xCAC3,
  kChunkCrc32 = 0xCAC4,
};

}  // namespace kanshiki::image
