#pragma once
// Page-level reader of the SQLite file format (https://www.sqlite.org/fileformat2.html): database header,
// b-tree page headers, table-leaf cells with overflow chains, freelist trunk/leaf pages, pointer-map pages,
// and the WAL and rollback-journal side files. It works on bytes (a memory-mapped working copy or any blob)
// and never asks SQLite for anything, so it can neither checkpoint a WAL nor roll back a journal.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/sqlite_forensic/record.h"

namespace kanshiki::sqlite_forensic {

// A read-only memory map of a file (bounded memory: the OS pages it in on demand). Empty when the file is
// missing or empty.
class MappedFile {
 public:
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  Bytes bytes() const { return {static_cast<const char*>(data_), size_}; }
  // Drops the resident pages of [offset, offset + length) (rounded inwards to whole memory pages). The
  // mapping stays valid: a later read faults the bytes in again from the file.
  void release(uint64_t offset, uint64_t length) const;
  bool empty() const { return size_ == 0; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

struct DbHeader {
  uint32_t page_size = 0;
  uint32_t reserved = 0;  // bytes at the end of each page (SQLCipher, checksum VFS)
  uint32_t page_count = 0;
  uint32_t first_trunk = 0;
  uint32_t freelist_count = 0;
  uint32_t largest_root = 0;  // non-zero: auto-vacuum, so pointer-map pages exist
  TextEncoding encoding = TextEncoding::utf8;
  bool wal_mode = false;
  uint32_t usable() const { return page_size - reserved; }
};
// Parses the 100-byte header; nullopt when the magic or the page size is wrong.
std::optional<DbHeader> parse_db_header(Bytes file);

enum PageType : uint8_t { kIndexInterior = 2, kTableInterior = 5, kIndexLeaf = 10, kTableLeaf = 13 };

struct BtreePage {
  uint8_t type = 0;
  size_t header_offset = 0;  // 100 on page 1
  uint16_t first_freeblock = 0;
  uint16_t cell_count = 0;
  uint32_t content_start = 0;
  uint8_t fragmented = 0;
  uint32_t right_child = 0;
  size_t pointer_array = 0;  // offset of the cell pointer array
  bool is_leaf() const { return type == kTableLeaf || type == kIndexLeaf; }
};
// Parses a b-tree page header; nullopt when the type byte or the fields are impossible.
std::optional<BtreePage> parse_btree_page(Bytes page, uint32_t pgno, uint32_t usable);
// Cell offsets from the pointer array, keeping only those inside the page.
std::vector<uint16_t> cell_pointers(Bytes page, const BtreePage& bp, uint32_t usable);

// A free region inside a page: a freeblock (its first 4 bytes hold the chain, not data) or the gap between
// the pointer array and the cell content area.
struct FreeRegion {
  size_t begin = 0, end = 0;
  bool freeblock = false;
};
std::vector<FreeRegion> free_regions(Bytes page, const BtreePage& bp, uint32_t usable);

// Local payload size of a table-leaf cell with payload P (fileformat2 §1.6).
size_t table_leaf_local_size(uint64_t payload, uint32_t usable);

struct LeafCell {
  size_t offset = 0;  // cell start within the page
  uint64_t payload_len = 0;
  int64_t rowid = 0;
  size_t header_len = 0;  // bytes of payload_len + rowid varints
  Bytes local;            // the local part of the payload
  uint32_t overflow = 0;  // first overflow page, 0 when none
  size_t size() const { return header_len + local.size() + (overflow ? 4 : 0); }
};
// Parses a table-leaf cell at `offset`; `limit` is where the cell must end (page end for live cells).
std::optional<LeafCell> parse_table_leaf_cell(Bytes page, size_t offset, size_t limit, uint32_t usable);

// Fetches a page image by number (1-based); an empty view when it does not exist.
using PageFetcher = std::function<Bytes(uint32_t)>;
// The full payload of a cell, following its overflow chain (cycle- and length-guarded). nullopt when the
// chain is broken; `complete` tells whether every byte was found.
std::string assemble_payload(const LeafCell& cell, const PageFetcher& fetch, uint32_t usable, bool* complete);

// Freelist trunk and leaf page numbers (walk guarded against loops and out-of-range numbers).
struct Freelist {
  std::vector<uint32_t> trunks;
  std::vector<uint32_t> leaves;
};
Freelist read_freelist(const DbHeader& h, const PageFetcher& fetch, uint32_t page_count);

// True when pgno is a pointer-map page of an auto-vacuum database.
bool is_ptrmap_page(const DbHeader& h, uint32_t pgno);

// ---- WAL ----
struct WalFrame {
  uint32_t index = 0;  // 1-based frame number
  uint32_t pgno = 0;
  uint32_t commit_size = 0;  // non-zero on a commit frame
  uint64_t offset = 0;       // offset of the page image in the WAL file
  bool valid = false;        // salts match the header and the checksum chain holds up to here
  bool committed = false;    // valid and part of a committed transaction
  bool current = false;      // the newest committed version of its page (part of the live state)
  Bytes page;
  std::string state() const;  // "current", "superseded", "uncommitted", "old salt / invalid"
};
struct Wal {
  bool header_ok = false;
  uint32_t page_size = 0;
  uint32_t db_pages = 0;  // database size after the last valid commit (0: no commit)
  std::vector<WalFrame> frames;
};
// Reads every frame, including those after the valid chain (older generations keep old salts).
Wal read_wal(Bytes wal, uint32_t fallback_page_size);

// ---- Rollback journal ----
struct JournalRecord {
  uint32_t index = 0;  // 1-based record number
  uint32_t pgno = 0;
  uint64_t offset = 0;  // offset of the page image in the journal file
  Bytes page;
};
// Reads the before-images; tolerates a zeroed header (PERSIST mode) by using the database page size.
std::vector<JournalRecord> read_journal(Bytes journal, uint32_t db_page_size, uint32_t max_pgno);

}  // namespace kanshiki::sqlite_forensic
