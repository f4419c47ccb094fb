// SPDX-License-Identifier: MIT
/// read_graph: dispatch between snapshots and edge lists by the file's first bytes.
#include "kolsim/io/graph_file.hpp"

#include <fstream>

#include "kolsim/io/snapshot.hpp"

namespace kolsim {

bool is_snapshot_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[8] = {};
  in.read(magic, 8);
  return in.gcount() == 8 && static_cast<unsigned char>(magic[0]) == 0x89 && std::string(magic + 1, 3) == "KGS";
}

FollowerGraph read_graph(const std::string& path, const EdgeListOptions& options, GraphFileReport* report) {
  GraphFileReport local;
  GraphFileReport& rep = report ? *report : local;
  if (is_snapshot_file(path)) {
    KOLSIM_REQUIRE(!options.build.flip && !options.build.undirected && options.probability_column < 0, path,
                   ": a snapshot keeps the edges and probabilities it was saved with; flip, undirected and a "
                   "probability column apply only to edge lists");
    rep.snapshot = true;
    return load_snapshot(path);
  }
  rep.snapshot = false;
  return read_edge_list(path, options, &rep.edge_list);
}

}  // namespace kolsim
