// `kanshiki export`: artifacts with provenance in standard formats (docs/exports.md). Every file written is
// hashed (SHA-256) into the custody log entry of the export; the court report lists those hashes.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <optional>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "engine/progress.h"
#include "hashing/multi_hash.h"
#include "report/case_uco.h"
#include "report/export.h"
#include "report/geo_export.h"
#include "report/sheet_export.h"

namespace kanshiki::cli {
namespace {

struct ExportOptions {
  std::string case_dir, format, output;
  bool split_by_type = false;
  size_t xlsx_rows_per_sheet = 1048575;
};

// Writes one file through `write` (as FILE.tmp, renamed when complete); returns what write() counted.
template <typename F>
size_t write_single_file(const std::string& output, F&& write) {
  fs::path tmp = output + ".tmp";
  size_t n = 0;
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(ExitCode::failure, "cannot write " + output);
    try {
      n = write(out);
    } catch (...) {
      out.close();
      std::error_code ec;
      fs::remove(tmp, ec);
      throw;
    }
    out.flush();
    if (!out) throw Error(ExitCode::disk_full, "cannot write " + output + " (disk full?)");
  }
  fs::rename(tmp, output);
  return n;
}

json file_record(const fs::path& path) {
  Digests d = hash_file(path);
  return {{"path", fs::absolute(path).lexically_normal().string()}, {"size", d.size}, {"sha256", d.sha256}};
}

int cmd_export(const ExportOptions& o) {
  Session s = open_session(o.case_dir);
  json params{{"format", o.format}, {"output", o.output}};
  if (o.split_by_type) params["split_by_type"] = true;
  logged(s, "export", params, [&] {
    std::optional<ExportFormat> f;
    std::optional<GeoFormat> geo;  // location points only, for mapping tools (report/geo_export.h)
    const std::string& format = o.format;
    bool case_uco = format == "case-uco", xlsx = format == "xlsx";
    if (format == "csv")
      f = ExportFormat::csv;
    else if (format == "jsonl")
      f = ExportFormat::jsonl;
    else if (format == "kml")
      geo = GeoFormat::kml;
    else if (format == "geojson")
      geo = GeoFormat::geojson;
    else if (format == "gpx")
      geo = GeoFormat::gpx;
    else if (!case_uco && !xlsx)
      throw Error(ExitCode::usage,
                  "unknown export format " + format + " (csv, jsonl, xlsx, case-uco, kml, geojson, gpx)");
    if (o.split_by_type && format != "csv")
      throw Error(ExitCode::usage, "--split-by-type applies to --format csv");
    bool to_stdout = o.output.empty() || o.output == "-";
    if ((xlsx || o.split_by_type) && to_stdout)
      throw Error(ExitCode::usage,
                  xlsx ? "--format xlsx needs -o FILE.xlsx" : "--split-by-type needs -o DIR");

    json outputs = json::array();
    json summary = json::object();
    size_t n = 0;
    if (xlsx || o.split_by_type) {
      Progress bar("export " + format, 0, xlsx && Progress::wanted(g.quiet));
      XlsxOptions xo{o.xlsx_rows_per_sheet, [&](size_t n) { bar.update(0, n); }};
      SheetExportResult r = xlsx ? export_xlsx(s.db, o.output, xo) : export_csv_per_type(s.db, o.output);
      bar.update(0, r.artifacts);
      bar.finish();
      for (const auto& p : r.files) outputs.push_back(file_record(p));
      n = r.artifacts;
      summary = {{"artifacts", r.artifacts}, {"files", r.files.size()}};
      if (xlsx) {
        summary["sheets"] = r.sheets;
        summary["truncated_cells"] = r.truncated_cells;
        if (r.truncated_cells)
          std::cerr << fmt::format(
              "note: {} cell(s) exceeded Excel's 32,767-character limit and were truncated with a marker "
              "(whole in the CSV/JSONL export) / Excel のセル上限を超えた {} 件を切り詰めました\n",
              r.truncated_cells, r.truncated_cells);
      }
    } else {
      auto write = [&](std::ostream& out) -> size_t {
        if (case_uco) {
          Progress bar("export case-uco", 0, !to_stdout && Progress::wanted(g.quiet));
          CaseUcoResult r = export_case_uco(s.db, out, [&](size_t n) { bar.update(0, n); });
          bar.update(0, r.artifacts);
          bar.finish();
          summary["nodes"] = r.nodes;
          return r.artifacts;
        }
        return geo ? export_locations(s.db, *geo, out) : export_artifacts(s.db, *f, out);
      };
      if (to_stdout) {
        n = write(std::cout);
        std::cout.flush();
        outputs.push_back({{"path", "<stdout>"}});
      } else {
        n = write_single_file(o.output, write);
        outputs.push_back(file_record(o.output));
      }
      summary["artifacts"] = n;
    }
    json logged_outputs = outputs;
    logged_outputs.push_back(summary);
    s.log({"export", "ok", params, json::array(), logged_outputs});
    if (!to_stdout) {
      // stdout may be the export itself; chatter goes to stderr unless --quiet.
      if (!g.quiet && !g.json_out) {
        std::cerr << fmt::format("Exported {} artifacts ({}) / {} 件をエクスポートしました\n", n, format, n);
        for (const auto& out : outputs)
          std::cerr << fmt::format("  {}  SHA-256 {}\n", out["path"].get<std::string>(),
                                   out["sha256"].get<std::string>());
      }
      json j = summary;
      j["outputs"] = outputs;
      emit_json(j);
    }
  });
  return 0;
}

}  // namespace

void register_export(CLI::App& app, Action& action) {
  auto o = std::make_shared<ExportOptions>();
  auto* ex =
      app.add_subcommand("export", "Export artifacts with provenance (csv, jsonl, xlsx, case-uco, kml, ...)");
  ex->add_option("--case", o->case_dir, "Case folder")->required();
  ex->add_option("--format", o->format, "csv, jsonl, xlsx, case-uco, kml, geojson or gpx")->required();
  ex->add_option("-o,--output", o->output, "Output file (default stdout); a folder with --split-by-type");
  ex->add_flag("--split-by-type", o->split_by_type, "csv: one file per artifact type in the -o folder");
  ex->add_option("--xlsx-rows-per-sheet", o->xlsx_rows_per_sheet,
                 "xlsx: data rows per sheet before a continuation sheet (default and maximum 1048575)");
  ex->callback([o, &action] { action = [o] { return cmd_export(*o); }; });
}

}  // namespace kanshiki::cli
