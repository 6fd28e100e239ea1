#pragma once
// Cross-device identity graph (docs/links.md). Devices (one per seized evidence item) and the identifiers
// they hold — phone numbers, e-mail, messenger ids, wallet addresses, IMEI/ICCID — linked through messages,
// calls, contacts, accounts and scan hits. Identifiers a device owns (its SIM number, its own accounts, what
// the examiner recorded in the batch manifest) are merged into the device, so a message from device B to A's
// number links B and A. Degree and betweenness come from igraph; brokers (organisers) rank high on
// betweenness, leaves (runners) low. Every edge keeps the artifact ids it was built from.
#include <cstdint>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace kanshiki {
class CaseDb;
}

namespace kanshiki::graph {

struct Node {
  std::string key;  // "device:<evidence id>" or "<kind>:<value>"
  bool device = false;
  std::string kind;   // device: "device"; entity: phone, email, wallet.btc, imei, iccid, id.<app>, ...
  std::string value;  // entity value (normalised); device: exhibit
  std::string label;  // device label, or the value
  std::set<std::string> owned;  // device: identifiers merged into it (with their source)
  int64_t degree = 0;
  double betweenness = 0;
};

struct Edge {
  size_t a = 0, b = 0;                // node indexes, a < b
  int64_t weight = 0;                 // number of artifacts behind the edge
  std::set<std::string> relations;    // message, call, contact, mention
  std::vector<int64_t> artifact_ids;  // the first kMaxArtifactIds, for traceability
};
inline constexpr size_t kMaxArtifactIds = 20;

struct Graph {
  std::vector<Node> nodes;
  std::vector<Edge> edges;
};

// Builds the graph and computes degree and betweenness (igraph).
Graph build_identity_graph(CaseDb& c);

void write_graphml(const Graph& g, std::ostream& out);
void write_edges_csv(const Graph& g, std::ostream& out);

struct RankRow {
  size_t node = 0;
  int rank = 0;
};
// Devices by betweenness, then degree (ties by exhibit).
std::vector<RankRow> rank_devices(const Graph& g);

struct Shared {
  size_t entity = 0;
  std::vector<size_t> devices;
};
// Entities linked to two or more devices (optionally only `value`).
std::vector<Shared> shared_entities(const Graph& g, const std::string& value = "");

// Device pairs joined directly (one device's messages/calls/contacts reach the other's own identifiers).
struct Pair {
  size_t a = 0, b = 0;
  int64_t weight = 0;
  std::set<std::string> relations;
};
std::vector<Pair> device_pairs(const Graph& g);

}  // namespace kanshiki::graph
