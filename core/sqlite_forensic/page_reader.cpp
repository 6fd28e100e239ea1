#include "core/sqlite_forensic/page_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "core/error.h"

namespace kanshiki::sqlite_forensic {

MappedFile::MappedFile(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;  // a missing side file is normal
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (p != MAP_FAILED) {
      data_ = p;
      size_ = static_cast<size_t>(st.st_size);
    }
  }
  ::close(fd);
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(data_, size_);
}

void MappedFile::release(uint64_t offset, uint64_t length) const {
  if (!data_ || offset >= size_) return;
  const uint64_t mem_page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  uint64_t begin = (offset + mem_page - 1) / mem_page * mem_page;
  uint64_t end = std::min<uint64_t>(offset + length, size_) / mem_page * mem_page;
  if (end <= begin) return;
  // A private, never-written, read-only file mapping: MADV_DONTNEED only drops the page-table entries.
  ::madvise(static_cast<char*>(data_) + begin, end - begin, MADV_DONTNEED);
}

std::optional<DbHeader> parse_db_header(Bytes file) {
  if (file.size() < 100 || std::memcmp(file.data(), "SQLite format 3", 16) != 0) return std::nullopt;
  const unsigned char* p = ubytes(file);
  DbHeader h;
  uint32_t ps = be16(p + 16);
  h.page_size = ps == 1 ? 65536 : ps;
  if (h.page_size < 512 || h.page_size > 65536 || (h.page_size & (h.page_size - 1))) return std::nullopt;
  h.reserved = p[20];
  if (h.usable() < 480) return std::nullopt;
  h.page_count = be32(p + 28);
  // The header's page count is only trusted when the "version-valid-for" field matches (fileformat2 §1.3.8).
  uint32_t by_size = static_cast<uint32_t>(file.size() / h.page_size);
  if (h.page_count == 0 || be32(p + 24) != be32(p + 92)) h.page_count = by_size;
  h.first_trunk = be32(p + 32);
  h.freelist_count = be32(p + 36);
  h.largest_root = be32(p + 52);
  uint32_t enc = be32(p + 56);
  h.encoding = enc == 2 ? TextEncoding::utf16le : enc == 3 ? TextEncoding::utf16be : TextEncoding::utf8;
  h.wal_mode = p[18] == 2 || p[19] == 2;
  return h;
}

std::optional<BtreePage> parse_btree_page(Bytes page, uint32_t pgno, uint32_t usable) {
  BtreePage bp;
  bp.header_offset = pgno == 1 ? 100 : 0;
  if (page.size() < bp.header_offset + 12 || usable > page.size()) return std::nullopt;
  const unsigned char* p = ubytes(page) + bp.header_offset;
  bp.type = p[0];
  if (bp.type != kIndexInterior && bp.type != kTableInterior && bp.type != kIndexLeaf &&
      bp.type != kTableLeaf)
    return std::nullopt;
  bp.first_freeblock = be16(p + 1);
  bp.cell_count = be16(p + 3);
  uint32_t cs = be16(p + 5);
  bp.content_start = cs == 0 ? 65536 : cs;
  bp.fragmented = p[7];
  size_t hdr = bp.is_leaf() ? 8 : 12;
  if (!bp.is_leaf()) bp.right_child = be32(p + 8);
  bp.pointer_array = bp.header_offset + hdr;
  if (bp.pointer_array + 2 * size_t(bp.cell_count) > usable) return std::nullopt;
  if (bp.content_start > usable) return std::nullopt;
  return bp;
}

std::vector<uint16_t> cell_pointers(Bytes page, const BtreePage& bp, uint32_t usable) {
  std::vector<uint16_t> out;
  const unsigned char* p = ubytes(page);
  for (size_t i = 0; i < bp.cell_count; ++i) {
    uint16_t off = be16(p + bp.pointer_array + 2 * i);
    if (off >= bp.pointer_array + 2 * bp.cell_count && off < usable) out.push_back(off);
  }
  return out;
}

std::vector<FreeRegion> free_regions(Bytes page, const BtreePage& bp, uint32_t usable) {
  std::vector<FreeRegion> out;
  size_t gap_begin = bp.pointer_array + 2 * size_t(bp.cell_count);
  size_t gap_end = std::min<size_t>(bp.content_start, usable);
  if (gap_end > gap_begin) out.push_back({gap_begin, gap_end, false});
  const unsigned char* p = ubytes(page);
  size_t fb = bp.first_freeblock;
  std::unordered_set<size_t> seen;
  // Freeblocks are in ascending order; anything else is corruption and ends the walk.
  while (fb != 0 && fb + 4 <= usable && fb >= gap_begin && seen.insert(fb).second) {
    size_t size = be16(p + fb + 2);
    size_t next = be16(p + fb);
    if (size < 4 || fb + size > usable) break;
    out.push_back({fb, fb + size, true});
    if (next != 0 && next <= fb) break;
    fb = next;
  }
  return out;
}

size_t table_leaf_local_size(uint64_t payload, uint32_t usable) {
  uint64_t x = usable - 35;
  if (payload <= x) return static_cast<size_t>(payload);
  uint64_t m = ((uint64_t(usable) - 12) * 32 / 255) - 23;
  uint64_t k = m + ((payload - m) % (usable - 4));
  return static_cast<size_t>(k <= x ? k : m);
}

std::optional<LeafCell> parse_table_leaf_cell(Bytes page, size_t offset, size_t limit, uint32_t usable) {
  limit = std::min(limit, page.size());
  if (offset >= limit) return std::nullopt;
  Bytes view = page.substr(0, limit);
  LeafCell c;
  c.offset = offset;
  size_t n1 = 0, n2 = 0;
  auto payload = read_varint(view, offset, &n1);
  if (!payload) return std::nullopt;
  if (*payload <= 0 || *payload > (int64_t(1) << 31)) return std::nullopt;
  auto rowid = read_varint(view, offset + n1, &n2);
  if (!rowid) return std::nullopt;
  c.payload_len = static_cast<uint64_t>(*payload);
  c.rowid = *rowid;
  c.header_len = n1 + n2;
  size_t local = table_leaf_local_size(c.payload_len, usable);
  size_t start = offset + c.header_len;
  if (start + local > limit) return std::nullopt;
  c.local = view.substr(start, local);
  if (local < c.payload_len) {
    if (start + local + 4 > limit) return std::nullopt;
    c.overflow = be32(ubytes(view) + start + local);
    if (c.overflow == 0) return std::nullopt;
  }
  return c;
}

std::string assemble_payload(const LeafCell& cell, const PageFetcher& fetch, uint32_t usable,
                             bool* complete) {
  std::string out(cell.local);
  *complete = true;
  uint32_t next = cell.overflow;
  std::unordered_set<uint32_t> seen;
  while (next != 0 && out.size() < cell.payload_len) {
    Bytes pg = fetch(next);
    if (pg.size() < usable || !seen.insert(next).second) {
      *complete = false;
      break;
    }
    size_t take = std::min<uint64_t>(usable - 4, cell.payload_len - out.size());
    out.append(pg.substr(4, take));
    next = be32(ubytes(pg));
  }
  if (out.size() < cell.payload_len) *complete = false;
  return out;
}

Freelist read_freelist(const DbHeader& h, const PageFetcher& fetch, uint32_t page_count) {
  Freelist fl;
  std::unordered_set<uint32_t> seen;
  uint32_t trunk = h.first_trunk;
  size_t max_leaves_per_trunk = h.usable() / 4 - 2;
  while (trunk != 0 && trunk <= page_count && seen.insert(trunk).second) {
    Bytes pg = fetch(trunk);
    if (pg.size() < h.usable()) break;
    fl.trunks.push_back(trunk);
    const unsigned char* p = ubytes(pg);
    uint32_t n = std::min<uint32_t>(be32(p + 4), static_cast<uint32_t>(max_leaves_per_trunk));
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t leaf = be32(p + 8 + 4 * i);
      if (leaf != 0 && leaf <= page_count && seen.insert(leaf).second) fl.leaves.push_back(leaf);
    }
    trunk = be32(p);
  }
  return fl;
}

bool is_ptrmap_page(const DbHeader& h, uint32_t pgno) {
  if (h.largest_root == 0 || pgno < 2) return false;
  uint32_t per = h.usable() / 5 + 1;  // one pointer-map page covers usable/5 following pages
  return (pgno - 2) % per == 0;
}

// ---- WAL ----

std::string WalFrame::state() const {
  if (current) return "current";
  if (committed) return "superseded";
  if (valid) return "uncommitted";
  return "old salt / invalid";
}

namespace {

// WAL checksum (fileformat2 §4.1): pairs of 32-bit words in the byte order the magic announces.
void wal_checksum(const unsigned char* p, size_t n, bool big_endian, uint32_t& s0, uint32_t& s1) {
  for (size_t i = 0; i + 8 <= n; i += 8) {
    uint32_t a, b;
    if (big_endian) {
      a = be32(p + i);
      b = be32(p + i + 4);
    } else {
      std::memcpy(&a, p + i, 4);
      std::memcpy(&b, p + i + 4, 4);
    }
    s0 += a + s1;
    s1 += b + s0;
  }
}

}  // namespace

Wal read_wal(Bytes wal, uint32_t fallback_page_size) {
  Wal w;
  if (wal.size() < 32) return w;
  const unsigned char* p = ubytes(wal);
  uint32_t magic = be32(p);
  bool big = magic == 0x377f0683;
  uint32_t ps = be32(p + 8);
  w.header_ok = (magic == 0x377f0682 || big) && ps >= 512 && ps <= 65536 && !(ps & (ps - 1));
  if (w.header_ok) {
    uint32_t s0 = 0, s1 = 0;
    wal_checksum(p, 24, big, s0, s1);
    w.header_ok = s0 == be32(p + 24) && s1 == be32(p + 28);
  }
  w.page_size = (ps >= 512 && ps <= 65536 && !(ps & (ps - 1))) ? ps : fallback_page_size;
  if (w.page_size == 0) return w;
  uint32_t salt1 = be32(p + 16), salt2 = be32(p + 20);
  uint32_t s0 = be32(p + 24), s1 = be32(p + 28);
  bool chain_ok = w.header_ok;
  size_t frame_size = 24 + size_t(w.page_size);
  size_t last_commit = 0;
  for (size_t off = 32, i = 1; off + frame_size <= wal.size(); off += frame_size, ++i) {
    WalFrame f;
    f.index = static_cast<uint32_t>(i);
    const unsigned char* fh = p + off;
    f.pgno = be32(fh);
    f.commit_size = be32(fh + 4);
    f.offset = off + 24;
    f.page = wal.substr(off + 24, w.page_size);
    if (chain_ok && be32(fh + 8) == salt1 && be32(fh + 12) == salt2 && f.pgno != 0) {
      wal_checksum(fh, 8, big, s0, s1);
      wal_checksum(fh + 24, w.page_size, big, s0, s1);
      chain_ok = s0 == be32(fh + 16) && s1 == be32(fh + 20);
    } else {
      chain_ok = false;
    }
    f.valid = chain_ok;
    if (f.valid && f.commit_size != 0) {
      last_commit = w.frames.size() + 1;
      w.db_pages = f.commit_size;
    }
    w.frames.push_back(f);
  }
  for (size_t i = 0; i < last_commit; ++i) w.frames[i].committed = true;
  std::unordered_set<uint32_t> newest;
  for (size_t i = last_commit; i-- > 0;)
    if (newest.insert(w.frames[i].pgno).second) w.frames[i].current = true;
  return w;
}

// ---- Rollback journal ----

std::vector<JournalRecord> read_journal(Bytes j, uint32_t db_page_size, uint32_t max_pgno) {
  static constexpr unsigned char kMagic[8] = {0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7};
  std::vector<JournalRecord> out;
  if (j.size() < 28) return out;
  const unsigned char* p = ubytes(j);
  uint32_t page_size = db_page_size, sector = 512;
  if (std::memcmp(p, kMagic, 8) == 0) {
    uint32_t s = be32(p + 20), ps = be32(p + 24);
    if (s >= 32 && s <= 65536 && !(s & (s - 1))) sector = s;
    if (ps >= 512 && ps <= 65536 && !(ps & (ps - 1))) page_size = ps;
  }
  // With a zeroed header (PERSIST mode) the records are still there; they start after the first sector.
  if (page_size == 0) return out;
  size_t rec = 4 + size_t(page_size) + 4;
  size_t off = sector;
  uint32_t index = 0;
  while (off + rec <= j.size()) {
    if (std::memcmp(p + off, kMagic, 8) == 0) {  // another journal header (multiple transactions)
      off += sector;
      continue;
    }
    uint32_t pgno = be32(p + off);
    if (pgno == 0 || (max_pgno && pgno > max_pgno * 4u + 16)) {
      // Not a record: look for the next header at a sector boundary.
      off = (off / sector + 1) * sector;
      continue;
    }
    JournalRecord r;
    r.index = ++index;
    r.pgno = pgno;
    r.offset = off + 4;
    r.page = j.substr(off + 4, page_size);
    out.push_back(r);
    off += rec;
  }
  return out;
}

}  // namespace kanshiki::sqlite_forensic
