// SPDX-License-Identifier: MIT
/// The README's C++ example, built against the installed package: choose 10 KOLs with OPIM-C
/// and check their reach by an independent Monte Carlo estimate.
#include <kolsim/kolsim.hpp>
#include <iostream>

int main() {
  using namespace kolsim;
  auto g = weighted_cascade(preferential_attachment(20'000, 5, /*seed=*/1));
  OpimOptions opt;
  opt.epsilon = 0.1;
  opt.seed = 7;
  auto picked = opim_c(g, IndependentCascade{}, 10, opt);
  MonteCarloOptions mc;
  mc.seed = 8;
  auto est = estimate_spread(g, IndependentCascade{}, picked.seeds, mc);
  std::cout << est.mean << " +/- " << est.std_error << "\n";
  return picked.seeds.size() == 10 && est.mean > 10.0 ? 0 : 1;
}
