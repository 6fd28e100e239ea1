// `kanshiki links`: the cross-device identity graph (engine/graph/links.h). Exports GraphML (opens in Gephi)
// or an edge CSV, or answers the questions an investigator asks of a seizure: which devices rank as brokers
// (betweenness), which devices share an identifier, which seized devices talked to each other.
#include <fmt/format.h>

#include <fstream>
#include <iostream>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "engine/graph/links.h"
#include "hashing/multi_hash.h"

namespace kanshiki::cli {
namespace {

int cmd_links(const fs::path& case_dir, const std::string& format, const std::string& query,
              const std::string& entity, const std::string& output, size_t top) {
  Session s = open_session(case_dir);
  json params{{"format", format}, {"query", query}, {"entity", entity}, {"output", output}};
  logged(s, "links", params, [&] {
    if (format.empty() == query.empty())
      throw Error(ExitCode::usage, "give --format graphml|csv (export) or --query rank|shared|pairs");
    if (!format.empty() && format != "graphml" && format != "csv")
      throw Error(ExitCode::usage, "unknown --format " + format + " (graphml, csv)");
    if (!query.empty() && query != "rank" && query != "shared" && query != "pairs")
      throw Error(ExitCode::usage, "unknown --query " + query + " (rank, shared, pairs)");
    graph::Graph g = graph::build_identity_graph(s.db);
    size_t devices = std::count_if(g.nodes.begin(), g.nodes.end(), [](auto& n) { return n.device; });
    json summary{{"nodes", g.nodes.size()}, {"devices", devices}, {"edges", g.edges.size()}};
    json outputs = json::array();

    if (!format.empty()) {
      auto write = [&](std::ostream& o) {
        if (format == "graphml")
          graph::write_graphml(g, o);
        else
          graph::write_edges_csv(g, o);
      };
      if (output.empty() || output == "-") {
        write(std::cout);
        outputs.push_back({{"path", "<stdout>"}});
      } else {
        fs::path tmp = output + ".tmp";
        {
          std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
          if (!out) throw Error(ExitCode::failure, "cannot write " + output);
          write(out);
          out.flush();
          if (!out) throw Error(ExitCode::disk_full, "cannot write " + output + " (disk full?)");
        }
        fs::rename(tmp, output);
        outputs.push_back({{"path", fs::absolute(output).string()}, {"sha256", hash_file(output).sha256}});
        std::cerr << fmt::format("{} nodes ({} devices), {} edges -> {}\n", g.nodes.size(), devices,
                                 g.edges.size(), output);
      }
    } else if (query == "rank") {
      json rows = json::array();
      say(fmt::format("{:>4}  {:<28} {:>12} {:>7}", "順位", "端末 / device", "betweenness", "degree"));
      for (const auto& r : graph::rank_devices(g)) {
        const auto& n = g.nodes[r.node];
        rows.push_back({{"rank", r.rank},
                        {"exhibit", n.value},
                        {"label", n.label},
                        {"betweenness", n.betweenness},
                        {"degree", n.degree},
                        {"owned_identifiers", n.owned}});
        if (static_cast<size_t>(r.rank) <= top)
          say(fmt::format("{:>4}  {:<28} {:>12.1f} {:>7}", r.rank, n.label, n.betweenness, n.degree));
      }
      emit_json({{"summary", summary}, {"ranking", rows}});
    } else if (query == "shared") {
      json rows = json::array();
      for (const auto& sh : graph::shared_entities(g, entity)) {
        json devs = json::array();
        std::string names;
        for (size_t d : sh.devices) {
          devs.push_back(g.nodes[d].value);
          names += (names.empty() ? "" : ", ") + g.nodes[d].value;
        }
        const auto& n = g.nodes[sh.entity];
        rows.push_back({{"kind", n.kind}, {"value", n.value}, {"devices", devs}});
        say(fmt::format("{} {}: {} 台 / devices: {}", n.kind, n.value, sh.devices.size(), names));
      }
      emit_json({{"summary", summary}, {"shared", rows}});
    } else {
      json rows = json::array();
      for (const auto& p : graph::device_pairs(g)) {
        rows.push_back({{"a", g.nodes[p.a].value},
                        {"b", g.nodes[p.b].value},
                        {"weight", p.weight},
                        {"relations", p.relations}});
        say(fmt::format("{} ↔ {}  ({} artifacts)", g.nodes[p.a].label, g.nodes[p.b].label, p.weight));
      }
      emit_json({{"summary", summary}, {"pairs", rows}});
    }
    s.log({"links", "ok", params, json::array(), outputs.empty() ? json::array({summary}) : outputs});
  });
  return 0;
}

}  // namespace

void register_links(CLI::App& app, Action& action) {
  struct Options {
    std::string case_dir, format, query, entity, output;
    size_t top = 20;
  };
  auto o = std::make_shared<Options>();
  auto* links = app.add_subcommand(
      "links", "Cross-device identity graph: GraphML/CSV, ranking, shared ids / 端末間の関係");
  links->add_option("--case", o->case_dir, "Case folder")->required();
  links->add_option("--format", o->format, "Export: graphml (Gephi) or csv (edges)");
  links->add_option("--query", o->query,
                    "rank (betweenness/degree), shared (ids on 2+ devices), pairs (device↔device)");
  links->add_option("--entity", o->entity, "With --query shared: only this identifier (e.g. +819012345678)");
  links->add_option("-o,--output", o->output, "Output file for --format (default stdout)");
  links->add_option("--top", o->top, "Rows shown by --query rank (all are in --json)");
  links->callback([o, &action] {
    action = [o] { return cmd_links(o->case_dir, o->format, o->query, o->entity, o->output, o->top); };
  });
}

}  // namespace kanshiki::cli
