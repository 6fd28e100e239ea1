// The SQLite forensic layer: header, b-tree pages, freelist, WAL and rollback journal readers and the
// deleted-record carver, on raw bytes (no SQLite library involved). The first byte says which file the rest
// is: the main database, or a WAL / journal beside a small valid database.
#include <string>

#include "core/sqlite_forensic/recovery.h"

namespace {
// A minimal valid one-table database (page size 512) so WAL/journal inputs have something to apply to.
std::string tiny_db() {
  std::string db(1024, '\0');
  const char magic[] = "SQLite format 3";
  db.replace(0, 16, std::string(magic, 16));
  db[16] = 0x02;  // page size 512
  db[17] = 0x00;
  db[18] = db[19] = 1;
  db[21] = 64, db[22] = 32, db[23] = 32;
  db[31] = 2;  // page count
  db[47] = 4, db[56 + 3] = 1;
  db[100] = 13;  // page 1: empty table leaf (sqlite_master)
  db[105] = 0x02, db[106] = 0x00;
  db[512] = 13;
  db[512 + 5] = 0x02, db[512 + 6] = 0x00;
  return db;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kanshiki::sqlite_forensic;
  if (size < 1) return 0;
  Bytes rest(reinterpret_cast<const char*>(data + 1), size - 1);
  static const std::string db = tiny_db();
  switch (data[0] % 3) {
    case 0:
      (void)recover(rest, {}, {});
      break;
    case 1:
      (void)recover(db, rest, {});
      break;
    default:
      (void)recover(db, {}, rest);
      break;
  }
  return 0;
}
