// SPDX-License-Identifier: MIT
/// The docs' distributed example, built against the installed package (kolsim::distributed):
/// IMM over the ranks equals one process's IMM.
#include <kolsim/distributed/monte_carlo.hpp>
#include <kolsim/distributed/select.hpp>
#include <kolsim/kolsim.hpp>
#include <iostream>

int main(int argc, char** argv) {
  using namespace kolsim;
  distributed::Environment env(&argc, &argv);
  distributed::Communicator world;
  auto g = weighted_cascade(preferential_attachment(5'000, 4, /*seed=*/1));
  ImmOptions opt;
  opt.epsilon = 0.3;
  opt.seed = 7;
  distributed::DistributedStats st;
  auto d = distributed::imm(world, g, IndependentCascade{}, 10, opt, &st);
  auto s = imm(g, IndependentCascade{}, 10, opt);
  MonteCarloOptions mc;
  mc.trials = 2000;
  mc.seed = 8;
  auto est = distributed::estimate_spread(world, g, IndependentCascade{}, std::span<const vertex_t>(d.seeds), mc);
  const bool same = d.seeds == s.seeds && d.rr_sets == s.rr_sets && est.mean == estimate_spread(g, IndependentCascade{}, std::span<const vertex_t>(s.seeds), mc).mean;
  if (world.root()) std::cout << world.size() << " ranks, same as one process: " << (same ? "yes" : "NO") << "\n";
  return same ? 0 : 1;
}
