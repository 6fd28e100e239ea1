#include "engine/graph/links.h"

#include "core/xml_escape.h"

#include <fmt/format.h>
#include <igraph/igraph.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>

#include "core/case_db.h"
#include "core/error.h"
#include "core/phone.h"

namespace kanshiki::graph {
namespace {

struct Entity {
  std::string kind, value;
};

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// One raw identifier as an app stored it -> a normalised entity (nullopt: empty or not an identifier).
std::optional<Entity> normalise(std::string_view raw_view, const std::string& app,
                                const std::string& hint = "") {
  std::string raw = trim(raw_view);
  if (raw.empty() || raw == "me" || raw == "self") return std::nullopt;
  auto at = raw.find('@');
  if (at != std::string::npos) {
    std::string domain = lower(raw.substr(at + 1));
    std::string local = raw.substr(0, at);
    if (domain == "s.whatsapp.net" || domain == "c.us") {
      // A WhatsApp user id is the phone number.
      if (auto e164 = normalize_phone_e164("+" + local); !e164.empty()) return Entity{"phone", e164};
      return Entity{"id.whatsapp", lower(raw)};
    }
    if (domain == "g.us") return Entity{"group.whatsapp", lower(raw)};
    if (domain.find('.') != std::string::npos) return Entity{"email", lower(raw)};
  }
  std::string digits;
  bool phone_chars = true;
  for (char ch : raw) {
    if (std::isdigit(static_cast<unsigned char>(ch)))
      digits.push_back(ch);
    else if (!std::strchr("+-() .", ch))
      phone_chars = false;
  }
  std::string h = lower(hint);
  if (h == "imei" || h == "meid")
    return digits.size() >= 14 ? std::optional(Entity{h, digits}) : std::nullopt;
  if (h == "iccid") return digits.size() >= 18 ? std::optional(Entity{"iccid", digits}) : std::nullopt;
  if (phone_chars && digits.size() >= 7) {
    if (auto e164 = normalize_phone_e164(raw); !e164.empty()) return Entity{"phone", e164};
  }
  if (app.empty()) return std::nullopt;
  return Entity{"id." + lower(app), raw};
}

// A field that may hold one identifier or a JSON array of them.
std::vector<std::string> values_of(const std::string& field) {
  if (field.starts_with("[")) {
    try {
      std::vector<std::string> out;
      for (const auto& v : nlohmann::json::parse(field))
        if (v.is_string())
          out.push_back(v.get<std::string>());
        else if (v.is_object())
          for (const char* k : {"number", "value", "address", "identifier"})
            if (v.contains(k) && v[k].is_string()) out.push_back(v[k].get<std::string>());
      return out;
    } catch (const std::exception&) {
      // Not JSON after all: treat as one value below.
    }
  }
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= field.size()) {
    size_t end = field.find_first_of(";,\n", start);
    out.push_back(field.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

class Builder {
 public:
  explicit Builder(CaseDb& c) : db_(c.db()) {}

  Graph build() {
    load_devices();
    collect_owned();
    collect_links();
    finish_edges();
    compute_metrics();
    return std::move(g_);
  }

 private:
  void load_devices() {
    // A derived evidence item (a decrypted backup) belongs to the device it was derived from.
    sql::Stmt st(db_, R"SQL(
SELECT e.id, COALESCE((SELECT i.evidence_id FROM items i WHERE i.id = e.derived_from_item), e.id), e.exhibit, e.label
FROM evidence e ORDER BY e.id)SQL");
    while (st.step()) {
      int64_t ev = st.i64(0), device_ev = st.i64(1);
      device_of_[ev] = device_ev;
      if (ev != device_ev) continue;
      Node n;
      n.key = fmt::format("device:{}", ev);
      n.device = true;
      n.kind = "device";
      n.value = st.text(2);
      n.label = st.text(3).empty() ? st.text(2) : st.text(2) + " " + st.text(3);
      index_[n.key] = g_.nodes.size();
      device_node_[ev] = g_.nodes.size();
      g_.nodes.push_back(std::move(n));
    }
  }

  size_t device_index(int64_t evidence_id) {
    auto d = device_of_.find(evidence_id);
    return device_node_.at(d == device_of_.end() ? evidence_id : d->second);
  }

  void own(int64_t evidence_id, const Entity& e, const std::string& source) {
    if (!device_of_.count(evidence_id)) return;
    size_t dev = device_index(evidence_id);
    std::string key = e.kind + ":" + e.value;
    owners_[key].insert(dev);
    g_.nodes[dev].owned.insert(key + " (" + source + ")");
  }

  void collect_owned() {
    {
      sql::Stmt st(db_, R"SQL(
SELECT a.evidence_id, d.key, d.value FROM device_info d JOIN artifacts a ON a.id = d.artifact_id
WHERE lower(d.key) IN ('phonenumber', 'phone_number', 'msisdn', 'imei', 'meid', 'iccid'))SQL");
      while (st.step())
        if (auto e = normalise(st.text(2), "", st.text(1))) own(st.i64(0), *e, "device_info " + st.text(1));
    }
    {
      sql::Stmt st(db_, R"SQL(
SELECT a.evidence_id, x.app, x.identifier, x.username FROM accounts x JOIN artifacts a ON a.id = x.artifact_id)SQL");
      while (st.step()) {
        std::string app = st.is_null(1) ? "" : st.text(1);
        for (int col : {2, 3})
          if (!st.is_null(col))
            if (auto e = normalise(st.text(col), app)) own(st.i64(0), *e, "account " + app);
      }
    }
    if (db_.table_exists("batch_devices") && !db_.columns("batch_devices").empty()) {
      auto cols = db_.columns("batch_devices");
      if (std::find(cols.begin(), cols.end(), "owner_ids") != cols.end()) {
        sql::Stmt st(db_, R"SQL(
SELECT e.id, b.owner_ids FROM batch_devices b JOIN evidence e ON e.source_path = b.evidence_path
WHERE b.owner_ids <> '')SQL");
        while (st.step())
          for (const auto& v : values_of(st.text(1)))
            if (auto e = normalise(v, "")) own(st.i64(0), *e, "examiner-declared (batch manifest)");
      }
    }
  }

  size_t entity_node(const Entity& e) {
    std::string key = e.kind + ":" + e.value;
    // An identifier owned by exactly one device is that device; one claimed by several stays an entity.
    if (auto o = owners_.find(key); o != owners_.end() && o->second.size() == 1) return *o->second.begin();
    auto it = index_.find(key);
    if (it != index_.end()) return it->second;
    Node n;
    n.key = key;
    n.kind = e.kind;
    n.value = e.value;
    n.label = e.value;
    index_[key] = g_.nodes.size();
    g_.nodes.push_back(std::move(n));
    return g_.nodes.size() - 1;
  }

  void link(int64_t evidence_id, const Entity& e, const std::string& relation, int64_t artifact_id) {
    if (!device_of_.count(evidence_id)) return;
    size_t dev = device_index(evidence_id), other = entity_node(e);
    if (dev == other) return;  // the device's own identifier
    auto key = std::minmax(dev, other);
    Edge& edge = edges_[{key.first, key.second}];
    edge.a = key.first;
    edge.b = key.second;
    ++edge.weight;
    edge.relations.insert(relation);
    if (edge.artifact_ids.size() < kMaxArtifactIds &&
        (edge.artifact_ids.empty() || edge.artifact_ids.back() != artifact_id))
      edge.artifact_ids.push_back(artifact_id);
  }

  void collect_links() {
    {
      sql::Stmt st(db_, R"SQL(
SELECT a.evidence_id, a.id, m.app, m.sender, m.recipients FROM messages m JOIN artifacts a ON a.id = m.artifact_id)SQL");
      while (st.step()) {
        std::string app = st.is_null(2) ? "" : st.text(2);
        for (int col : {3, 4})
          if (!st.is_null(col))
            for (const auto& v : values_of(st.text(col)))
              if (auto e = normalise(v, app)) link(st.i64(0), *e, "message", st.i64(1));
      }
    }
    {
      sql::Stmt st(db_, R"SQL(
SELECT a.evidence_id, a.id, p.app, p.identifier FROM participants p JOIN artifacts a ON a.id = p.artifact_id)SQL");
      while (st.step())
        if (!st.is_null(3))
          if (auto e = normalise(st.text(3), st.is_null(2) ? "" : st.text(2)))
            link(st.i64(0), *e, "message", st.i64(1));
    }
    {
      sql::Stmt st(db_, R"SQL(
SELECT a.evidence_id, a.id, c.app, COALESCE(NULLIF(c.number_e164, ''), c.number) FROM calls c
JOIN artifacts a ON a.id = c.artifact_id)SQL");
      while (st.step())
        if (!st.is_null(3))
          if (auto e = normalise(st.text(3), st.is_null(2) ? "" : st.text(2)))
            link(st.i64(0), *e, "call", st.i64(1));
    }
    {
      sql::Stmt st(db_, R"SQL(
SELECT a.evidence_id, a.id, c.phones, c.emails FROM contacts c JOIN artifacts a ON a.id = c.artifact_id)SQL");
      while (st.step())
        for (int col : {2, 3})
          if (!st.is_null(col))
            for (const auto& v : values_of(st.text(col)))
              if (auto e = normalise(v, "")) link(st.i64(0), *e, "contact", st.i64(1));
    }
    if (db_.table_exists("hits")) {
      // Identifiers found in free text by the latest `kanshiki scan` (wallets, e-mail, numbers in messages).
      sql::Stmt st(db_, R"SQL(
SELECT a.evidence_id, a.id, h.category, h.normalized FROM hits h JOIN artifacts a ON a.id = h.artifact_id
WHERE h.scan_run_id = (SELECT MAX(id) FROM scan_runs WHERE status = 'done') AND h.source = 'detector'
  AND (h.category LIKE 'wallet.%' OR h.category IN ('email', 'phone', 'messenger.whatsapp'))
  AND h.field IN ('messages.text', 'contacts.note', 'web_visits.url', 'web_visits.title'))SQL");
      while (st.step()) {
        std::string category = st.text(2);
        std::optional<Entity> e;
        if (category.starts_with("wallet."))
          e = Entity{category, st.text(3)};
        else
          e = normalise(st.text(3), "");
        if (e) link(st.i64(0), *e, "mention", st.i64(1));
      }
    }
  }

  void finish_edges() {
    for (auto& [_, e] : edges_) g_.edges.push_back(std::move(e));
    edges_.clear();
  }

  void compute_metrics() {
    igraph_set_error_handler(igraph_error_handler_printignore);
    igraph_vector_int_t edge_list;
    igraph_vector_int_init(&edge_list, static_cast<igraph_integer_t>(2 * g_.edges.size()));
    for (size_t i = 0; i < g_.edges.size(); ++i) {
      VECTOR(edge_list)[2 * i] = static_cast<igraph_integer_t>(g_.edges[i].a);
      VECTOR(edge_list)[2 * i + 1] = static_cast<igraph_integer_t>(g_.edges[i].b);
    }
    igraph_t graph;
    if (igraph_create(&graph, &edge_list, static_cast<igraph_integer_t>(g_.nodes.size()),
                      IGRAPH_UNDIRECTED) != IGRAPH_SUCCESS) {
      igraph_vector_int_destroy(&edge_list);
      throw Error(ExitCode::failure, "igraph could not build the identity graph");
    }
    igraph_vector_int_destroy(&edge_list);
    igraph_vector_int_t degree;
    igraph_vector_t betweenness;
    igraph_vector_int_init(&degree, 0);
    igraph_vector_init(&betweenness, 0);
    bool ok = igraph_degree(&graph, &degree, igraph_vss_all(), IGRAPH_ALL, false) == IGRAPH_SUCCESS &&
              igraph_betweenness(&graph, &betweenness, igraph_vss_all(), false, nullptr) == IGRAPH_SUCCESS;
    if (ok)
      for (size_t i = 0; i < g_.nodes.size(); ++i) {
        g_.nodes[i].degree = VECTOR(degree)[i];
        g_.nodes[i].betweenness = VECTOR(betweenness)[i];
      }
    igraph_vector_int_destroy(&degree);
    igraph_vector_destroy(&betweenness);
    igraph_destroy(&graph);
    if (!ok) throw Error(ExitCode::failure, "igraph could not compute degree/betweenness");
  }

  sql::Db& db_;
  Graph g_;
  std::unordered_map<std::string, size_t> index_;
  std::map<int64_t, int64_t> device_of_;
  std::map<int64_t, size_t> device_node_;
  std::map<std::string, std::set<size_t>> owners_;
  std::map<std::pair<size_t, size_t>, Edge> edges_;
};

std::string csv(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

std::string join(const std::set<std::string>& s, const char* sep) {
  std::string out;
  for (const auto& v : s) out += (out.empty() ? "" : sep) + v;
  return out;
}

std::string join_ids(const std::vector<int64_t>& ids) {
  std::string out;
  for (auto id : ids) out += (out.empty() ? "" : " ") + std::to_string(id);
  return out;
}

}  // namespace

Graph build_identity_graph(CaseDb& c) { return Builder(c).build(); }

void write_graphml(const Graph& g, std::ostream& out) {
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
         "  <key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n"
         "  <key id=\"type\" for=\"node\" attr.name=\"type\" attr.type=\"string\"/>\n"
         "  <key id=\"kind\" for=\"node\" attr.name=\"kind\" attr.type=\"string\"/>\n"
         "  <key id=\"value\" for=\"node\" attr.name=\"value\" attr.type=\"string\"/>\n"
         "  <key id=\"owned\" for=\"node\" attr.name=\"owned_identifiers\" attr.type=\"string\"/>\n"
         "  <key id=\"degree\" for=\"node\" attr.name=\"degree\" attr.type=\"long\"/>\n"
         "  <key id=\"betweenness\" for=\"node\" attr.name=\"betweenness\" attr.type=\"double\"/>\n"
         "  <key id=\"relation\" for=\"edge\" attr.name=\"relation\" attr.type=\"string\"/>\n"
         "  <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n"
         "  <key id=\"artifacts\" for=\"edge\" attr.name=\"artifact_ids\" attr.type=\"string\"/>\n"
         "  <graph id=\"kanshiki-links\" edgedefault=\"undirected\">\n";
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    out << fmt::format(
        "    <node id=\"n{}\"><data key=\"label\">{}</data><data key=\"type\">{}</data><data "
        "key=\"kind\">{}</data>"
        "<data key=\"value\">{}</data><data key=\"owned\">{}</data><data key=\"degree\">{}</data>"
        "<data key=\"betweenness\">{}</data></node>\n",
        i, xml_escape(n.label), n.device ? "device" : "entity", xml_escape(n.kind), xml_escape(n.value),
        xml_escape(join(n.owned, "; ")), n.degree, n.betweenness);
  }
  for (size_t i = 0; i < g.edges.size(); ++i) {
    const Edge& e = g.edges[i];
    out << fmt::format(
        "    <edge id=\"e{}\" source=\"n{}\" target=\"n{}\"><data key=\"relation\">{}</data><data "
        "key=\"weight\">{}</data><data key=\"artifacts\">{}</data></edge>\n",
        i, e.a, e.b, xml_escape(join(e.relations, ",")), e.weight, join_ids(e.artifact_ids));
  }
  out << "  </graph>\n</graphml>\n";
}

void write_edges_csv(const Graph& g, std::ostream& out) {
  out << "source,source_type,source_kind,target,target_type,target_kind,relation,weight,artifact_ids\n";
  for (const auto& e : g.edges) {
    const Node &a = g.nodes[e.a], &b = g.nodes[e.b];
    out << csv(a.label) << ',' << (a.device ? "device" : "entity") << ',' << csv(a.kind) << ','
        << csv(b.label) << ',' << (b.device ? "device" : "entity") << ',' << csv(b.kind) << ','
        << csv(join(e.relations, " ")) << ',' << e.weight << ',' << join_ids(e.artifact_ids) << '\n';
  }
}

std::vector<RankRow> rank_devices(const Graph& g) {
  std::vector<size_t> devices;
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (g.nodes[i].device) devices.push_back(i);
  std::sort(devices.begin(), devices.end(), [&](size_t x, size_t y) {
    const Node &a = g.nodes[x], &b = g.nodes[y];
    if (a.betweenness != b.betweenness) return a.betweenness > b.betweenness;
    if (a.degree != b.degree) return a.degree > b.degree;
    return a.value < b.value;
  });
  std::vector<RankRow> out;
  for (size_t i = 0; i < devices.size(); ++i) out.push_back({devices[i], static_cast<int>(i + 1)});
  return out;
}

std::vector<Shared> shared_entities(const Graph& g, const std::string& value) {
  std::vector<std::vector<size_t>> devices_of(g.nodes.size());
  for (const auto& e : g.edges) {
    if (g.nodes[e.a].device && !g.nodes[e.b].device) devices_of[e.b].push_back(e.a);
    if (g.nodes[e.b].device && !g.nodes[e.a].device) devices_of[e.a].push_back(e.b);
  }
  std::vector<Shared> out;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (g.nodes[i].device || devices_of[i].size() < 2) continue;
    if (!value.empty() && g.nodes[i].value != value) continue;
    std::sort(devices_of[i].begin(), devices_of[i].end());
    out.push_back({i, devices_of[i]});
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.devices.size() > b.devices.size(); });
  return out;
}

std::vector<Pair> device_pairs(const Graph& g) {
  std::vector<Pair> out;
  for (const auto& e : g.edges)
    if (g.nodes[e.a].device && g.nodes[e.b].device) out.push_back({e.a, e.b, e.weight, e.relations});
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.weight > b.weight; });
  return out;
}

}  // namespace kanshiki::graph
