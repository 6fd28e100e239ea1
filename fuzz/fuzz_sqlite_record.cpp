// SQLite record and cell decoding (varints, serial types, UTF-16 text) and the carver on one raw page,
// with the schema of a typical messages table.
#include <string>

#include "core/sqlite_forensic/carver.h"
#include "core/sqlite_forensic/page_reader.h"
#include "core/sqlite_forensic/record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kanshiki::sqlite_forensic;
  if (size < 2) return 0;
  auto enc = static_cast<TextEncoding>(1 + data[0] % 3);
  Bytes rest(reinterpret_cast<const char*>(data + 1), size - 1);
  (void)decode_record(rest, enc);
  if (auto h = parse_record_header(rest)) {
    if (h->header_len <= rest.size()) (void)decode_body(rest.substr(h->header_len), h->serial_types, enc);
  }
  static const std::vector<TableSchema> tables = [] {
    std::vector<TableSchema> t{sqlite_master_schema()};
    if (auto s = schema_from_sql("message",
                                 "CREATE TABLE message(_id INTEGER PRIMARY KEY, address TEXT, "
                                 "date INTEGER, body TEXT, type INTEGER, read INTEGER, data BLOB)"))
      t.push_back(*s);
    return t;
  }();
  const uint32_t usable = static_cast<uint32_t>(rest.size());
  if (usable < 512 || usable > 65536) return 0;
  Carver carver(tables, enc, usable);
  std::vector<Carved> out;
  if (auto bp = parse_btree_page(rest, 2, usable)) {
    (void)cell_pointers(rest, *bp, usable);
    for (const auto& r : free_regions(rest, *bp, usable))
      carver.carve_region(rest, r.begin, r.end, r.freeblock, -1, out);
  }
  carver.carve_unstructured(rest, 0, rest.size(), -1, out);
  (void)text_plausibility(rest);
  return 0;
}
