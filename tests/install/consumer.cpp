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
  // Selectors return dense indices; print them as account ids (what the CLI and Python show).
  for (account_t a : g.accounts_of(picked.seeds)) std::cout << a << ' ';
  auto est = estimate_spread(g, IndependentCascade{}, picked.seeds, mc);
  std::cout << "\n" << est.mean << " +/- " << est.std_error << "\n";
  // Seeds you name yourself are account ids, as on the command line (`--seeds 12,99`).
  auto mine = estimate_spread(g, IndependentCascade{}, Accounts{12, 99}, mc);
  std::cout << mine.mean << " +/- " << mine.std_error << "\n";
  return picked.seeds.size() == 10 && est.mean > 10.0 && mine.mean >= 2.0 ? 0 : 1;
}
