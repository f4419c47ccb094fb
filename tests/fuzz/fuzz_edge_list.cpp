// SPDX-License-Identifier: MIT
/// Fuzz target for read_edge_list: two option bytes, then the file. A graph it accepts is
/// summarised and written back; re-reading that edge list must give the same graph.
#include "fuzz_common.hpp"

extern const char* const kolsim_fuzz_temp_tags[] = {"edges.txt", "edges.csv", "roundtrip.txt", nullptr};

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace kolsim;
  if (size < 2) return 0;
  const std::uint8_t a = data[0], b = data[1];
  EdgeListOptions o;
  // Byte 0: format (auto by name / whitespace / csv), probability column, flip, undirected,
  // extra columns, NetHEPT counts line, csv header.
  const int fmt = a & 3;
  o.format = fmt == 1 ? EdgeFormat::whitespace : fmt == 2 ? EdgeFormat::csv : EdgeFormat::auto_detect;
  const bool csv_name = fmt == 3;  // auto-detect from a ".csv" name
  if (a & 4) o.probability_column = (b & 0x40) ? 3 : 2;
  o.build.flip = (a & 8) != 0;
  o.build.undirected = (a & 16) != 0;
  o.ignore_extra_columns = (a & 32) != 0;
  o.first_line_counts = (a & 64) != 0;
  o.csv_header = (a & 128) != 0;
  // Byte 1: duplicates policy, self-loop policy, LT weight check, probability column 3.
  o.build.duplicates = static_cast<Duplicates>((b & 7) % 6);
  o.build.self_loops = static_cast<SelfLoops>(((b >> 3) & 3) % 3);
  o.check_lt_weights = (b & 0x20) != 0;
  o.build.threads = 1;

  const std::string path = kolsim_fuzz::temp_path(csv_name ? "edges.csv" : "edges.txt");
  kolsim_fuzz::write_file(path, data + 2, size - 2);
  FollowerGraph g;
  EdgeListReport rep;
  if (!kolsim_fuzz::guarded("read_edge_list", [&] { g = read_edge_list(path, o, &rep); })) return 0;

  if (rep.build.vertices != g.num_vertices() || rep.build.edges != g.num_edges())
    kolsim_fuzz::finding("read_edge_list", "report counts differ from the graph");
  if (o.probability_column >= 0 && !g.has_probabilities())
    kolsim_fuzz::finding("read_edge_list", "probability column asked for, graph has no probabilities");
  kolsim_fuzz::guarded("summarize", [&] { (void)to_string(summarize(g)); });
  const std::uint64_t sum = graph_checksum(g);

  // Round trip through write_edge_list (no isolated accounts: an edge list cannot hold them).
  if (g.num_edges() == 0) return 0;
  for (vertex_t v = 0; v < g.num_vertices(); ++v)
    if (g.in_degree(v) == 0 && g.out_degree(v) == 0) return 0;
  const std::string back = kolsim_fuzz::temp_path("roundtrip.txt");
  kolsim_fuzz::guarded("write_edge_list", [&] { write_edge_list(g, back); });
  EdgeListOptions ro;
  ro.format = EdgeFormat::whitespace;
  ro.build.duplicates = Duplicates::keep;
  ro.build.self_loops = SelfLoops::keep;
  ro.build.threads = 1;
  if (g.has_probabilities()) ro.probability_column = 2;
  FollowerGraph h;
  if (!kolsim_fuzz::guarded("re-read", [&] { h = read_edge_list(back, ro); }))
    kolsim_fuzz::finding("round trip", "write_edge_list wrote a file read_edge_list rejects");
  if (graph_checksum(h) != sum) kolsim_fuzz::finding("round trip", "write_edge_list + read_edge_list changed the graph");
  return 0;
}
