// SPDX-License-Identifier: MIT
/// Uses the installed library through its umbrella header: build a graph, estimate a spread.
#include <kolsim/kolsim.hpp>

#include <iostream>
#include <vector>

int main() {
  std::vector<kolsim::account_t> src{10, 10, 20}, dst{20, 30, 30};
  std::vector<kolsim::prob_t> p{1.0f, 1.0f, 1.0f};
  auto g = kolsim::build_graph(src, dst, p);
  if (g.num_vertices() != 3 || g.num_edges() != 3) return 1;
  std::cout << "consumer: " << g.num_vertices() << " accounts, " << g.num_edges() << " edges\n";
  return 0;
}
