// `kanshiki export`: artifacts with provenance in standard formats. Every file written is hashed into the
// custody log (the court report lists those hashes).
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <optional>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "hashing/multi_hash.h"
#include "report/export.h"
#include "report/geo_export.h"

namespace kanshiki::cli {
namespace {

int cmd_export(const fs::path& case_dir, const std::string& format, const std::string& output) {
  Session s = open_session(case_dir);
  json params{{"format", format}, {"output", output}};
  logged(s, "export", params, [&] {
    std::optional<ExportFormat> f;
    std::optional<GeoFormat> geo;  // location points only, for mapping tools (report/geo_export.h)
    if (format == "csv") f = ExportFormat::csv;
    else if (format == "jsonl") f = ExportFormat::jsonl;
    else if (format == "kml") geo = GeoFormat::kml;
    else if (format == "geojson") geo = GeoFormat::geojson;
    else if (format == "gpx") geo = GeoFormat::gpx;
    else throw Error(ExitCode::usage, "unknown export format " + format + " (csv, jsonl, kml, geojson, gpx)");
    auto write = [&](std::ostream& o) { return geo ? export_locations(s.db, *geo, o) : export_artifacts(s.db, *f, o); };
    size_t n = 0;
    json outputs = json::array();
    if (output.empty() || output == "-") {
      n = write(std::cout);
      std::cout.flush();
      outputs.push_back({{"path", "<stdout>"}, {"artifacts", n}});
    } else {
      fs::path tmp = output + ".tmp";
      {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw Error(ExitCode::failure, "cannot write " + output);
        n = write(out);
        out.flush();
        if (!out) throw Error(ExitCode::disk_full, "cannot write " + output + " (disk full?)");
      }
      fs::rename(tmp, output);
      outputs.push_back({{"path", fs::absolute(output).string()}, {"sha256", hash_file(output).sha256}, {"artifacts", n}});
      std::cerr << fmt::format("Exported {} artifacts to {}\n", n, output);
    }
    s.log({"export", "ok", params, json::array(), outputs});
  });
  return 0;
}

}  // namespace

void register_export(CLI::App& app, Action& action) {
  struct Options {
    std::string case_dir, format, output;
  };
  auto o = std::make_shared<Options>();
  auto* ex = app.add_subcommand("export", "Export artifacts with provenance (csv or jsonl)");
  ex->add_option("--case", o->case_dir, "Case folder")->required();
  ex->add_option("--format", o->format, "csv, jsonl, kml, geojson or gpx")->required();
  ex->add_option("-o,--output", o->output, "Output file (default stdout)");
  ex->callback([o, &action] { action = [o] { return cmd_export(o->case_dir, o->format, o->output); }; });
}

}  // namespace kanshiki::cli
