// SPDX-License-Identifier: MIT
/// Python bindings of the seed selectors with guarantees or simulations behind them: IMM,
/// OPIM-C, greedy, CELF and CELF++, plus the SelectResult they all return.
#include "bind_select.hpp"
#include "bind_options.hpp"
#include "bind_pickle.hpp"
#include "kolsim/select/greedy.hpp"
#include "kolsim/select/imm.hpp"
#include "kolsim/select/opim.hpp"

#include <algorithm>
#include <limits>

namespace kolsim::python {

py::array account_ids_array(const FollowerGraph& g, std::span<const vertex_t> vs) {
  std::vector<account_t> ids = g.accounts_of(vs);
  constexpr auto int_max = static_cast<account_t>(std::numeric_limits<std::int64_t>::max());
  if (std::any_of(ids.begin(), ids.end(), [](account_t a) { return a > int_max; })) return to_numpy(std::move(ids));
  return to_numpy(std::vector<std::int64_t>(ids.begin(), ids.end()));
}

PySelectResult to_python(const FollowerGraph& g, SelectResult&& r, std::uint64_t seed) {
  PySelectResult out;
  out.method = std::move(r.method);
  out.seeds = account_ids_array(g, r.seeds);
  out.seed = seed;
  out.marginal_gains = to_numpy(std::move(r.marginal_gains));
  out.spread = r.spread;
  out.rr_sets = r.rr_sets;
  out.trials = r.trials;
  out.peak_bytes = r.peak_bytes;
  out.approximation = r.approximation;
  for (auto& [name, s] : r.phase_seconds) out.phase_seconds[py::str(name)] = s;
  out.seconds = r.seconds;
  return out;
}

void fill_select_options(SelectOptions& opt, const FollowerGraph& g, py::handle candidates, py::handle fixed_seeds,
                         std::uint64_t seed, int threads) {
  opt.candidates = vertex_vector(g, candidates, "candidates");
  opt.fixed_seeds = vertex_vector(g, fixed_seeds, "fixed_seeds");
  opt.seed = seed;
  opt.threads = threads;
  opt.stop = python_stop_token();
  opt.progress = python_progress();
}

namespace {

template <class M>
PySelectResult imm_py(const BoundModel<M>& m, std::size_t k, double epsilon, double ell, std::size_t memory_limit,
                      std::optional<std::uint32_t> max_depth, py::handle root_weights, py::handle candidates,
                      py::handle fixed_seeds, std::uint64_t seed, int threads, double estimation_epsilon,
                      const std::string& bound_phase, double validation_ratio) {
  ImmOptions opt;
  fill_rr_options(opt, m.graph, candidates, fixed_seeds, seed, threads, memory_limit, max_depth, root_weights);
  fill_imm_options(opt, epsilon, ell, estimation_epsilon, bound_phase, validation_ratio);
  ImmResult r = without_gil([&] { return imm(m.graph, m.model, k, opt); });
  return imm_result(m.graph, std::move(r), seed);
}

template <class M>
PySelectResult opim_py(const BoundModel<M>& m, std::size_t k, double epsilon, double delta, std::size_t memory_limit,
                       std::optional<std::uint32_t> max_depth, py::handle root_weights, py::handle candidates,
                       py::handle fixed_seeds, std::uint64_t seed, int threads, double selection_ratio,
                       double max_selection_noise) {
  OpimOptions opt;
  fill_rr_options(opt, m.graph, candidates, fixed_seeds, seed, threads, memory_limit, max_depth, root_weights);
  fill_opim_options(opt, epsilon, delta, selection_ratio, max_selection_noise);
  OpimResult r = without_gil([&] { return opim_c(m.graph, m.model, k, opt); });
  return opim_result(m.graph, std::move(r), seed);
}

enum class GreedyKind { plain, celf, celf_plus_plus };

template <class M, GreedyKind K>
PySelectResult greedy_py(const BoundModel<M>& m, std::size_t k, std::uint64_t trials,
                         std::optional<std::uint32_t> max_steps, py::handle candidates, py::handle fixed_seeds,
                         std::uint64_t seed, int threads) {
  GreedyOptions opt;
  fill_select_options(opt, m.graph, candidates, fixed_seeds, seed, threads);
  opt.trials = trials;
  opt.max_steps = step_limit(max_steps);
  SelectResult r = without_gil([&] {
    if constexpr (K == GreedyKind::plain) return greedy(m.graph, m.model, k, opt);
    else if constexpr (K == GreedyKind::celf) return celf(m.graph, m.model, k, opt);
    else return celf_plus_plus(m.graph, m.model, k, opt);
  });
  return to_python(m.graph, std::move(r), seed);
}

constexpr const char* imm_doc = R"doc(IMM (Tang, Shi, Xiao, SIGMOD 2015, with Chen's 2018 fix): k seeds with a
(1 - 1/e - epsilon) guarantee with probability >= 1 - 1/n^ell; the final RR sets are drawn fresh.

``bound_phase`` chooses how the lower bound on OPT (which sets the final RR-set count) is proven;
both keep the guarantee. "validated" (default): greedy on R1, bound certified on an independent
R2 as in OPIM-C, doubling both until a further round would not pay: fewer RR sets.
``validation_ratio`` is |R1| / |R2| of that phase, in [1, 64]. "classic": IMM's own
doubling with epsilon' = ``estimation_epsilon``, where 0 picks the epsilon' minimising
the RR sets drawn and sqrt(2) * epsilon is the paper's; an ``estimation_epsilon`` > 0 (< 1)
selects the classic phase whatever ``bound_phase`` says.

Returns a SelectResult whose ``extra`` holds ``theta`` (final RR sets), ``lower_bound``,
``bound_rounds`` and ``estimation_epsilon``: in the classic phase the epsilon' it used, in the
validated phase the bound's relative margin (estimate / LB - 1). Use :func:`kolsim.select_seeds`
for the friendly entry point.

Examples
--------
>>> import kolsim
>>> g = kolsim.weighted_cascade(kolsim.erdos_renyi(200, 1000, seed=1))
>>> r = kolsim.imm(kolsim.IndependentCascade(g), 3, epsilon=0.3, seed=7)
>>> len(r.seeds)
3
>>> c = kolsim.imm(kolsim.IndependentCascade(g), 3, epsilon=0.3, seed=7, bound_phase="classic")
>>> c.extra["estimation_epsilon"] > 0
True
)doc";

constexpr const char* opim_doc = R"doc(OPIM-C (Tang et al., SIGMOD 2018): adaptive RR sampling that stops once a
(1 - 1/e - epsilon) ratio is certified with probability >= 1 - delta (0: 1/n).

``extra`` holds ``certified_ratio``, ``lower_bound``, ``upper_bound``, ``rounds`` and
``validation_sets`` (|R2|, on which ``spread`` is estimated).
``selection_ratio`` is |R1| / |R2|, in [1, 64]: seeds are chosen on R1 and certified on R2, so a
larger R1 returns better seeds at the same guarantee (1 = the paper's equal sizes).
For near-best seeds fast, loosen ``epsilon`` and raise the ratio (e.g. ``epsilon=0.2,
selection_ratio=48``: on Slashdot a mean spread of 17,599 in 0.019 s, above IMM at epsilon 0.5).
``max_selection_noise``, in (0, 1]: OPIM-C stops only once the greedy on R1 is resolved, its
sampling noise (the standard errors of its picks' marginal counts, summed, over its coverage)
at most this; 1 is the paper's rule (stop at the first certified round). Lower
values draw more RR sets for better seeds.

Examples
--------
>>> import kolsim
>>> g = kolsim.weighted_cascade(kolsim.erdos_renyi(200, 1000, seed=1))
>>> r = kolsim.opim_c(kolsim.IndependentCascade(g), 3, epsilon=0.3, seed=7)
>>> 0 < r.approximation <= 1
True
)doc";

constexpr const char* greedy_doc = R"doc(Monte Carlo greedy on ``trials`` fixed live-edge worlds (Kempe et al. 2003);
``celf`` (Leskovec et al. 2007) and ``celf_plus_plus`` (Goyal et al. 2011) return the same seeds
with fewer evaluations.

Examples
--------
>>> import kolsim
>>> g = kolsim.weighted_cascade(kolsim.erdos_renyi(60, 200, seed=1))
>>> model = kolsim.IndependentCascade(g)
>>> a = kolsim.greedy(model, 2, trials=100, seed=3)
>>> b = kolsim.celf(model, 2, trials=100, seed=3)
>>> a.seeds.tolist() == b.seeds.tolist()
True
)doc";

template <class M>
void def_selectors(py::module_& m, bool with_doc) {
  // Defaults are the C++ options' own (bind_options.hpp): the signature shows them.
  def_imm(m, &imm_py<M>, with_doc ? imm_doc : "");
  def_opim_c(m, &opim_py<M>, with_doc ? opim_doc : "");
  auto def_greedy = [&](const char* name, auto fn) {
    m.def(name, fn, py::arg("model"), py::arg("k"), py::arg("trials") = GreedyOptions{}.trials,
          py::arg("max_steps") = py::none(),
          py::arg("candidates") = py::none(), py::arg("fixed_seeds") = py::none(),
          py::arg("seed") = GreedyOptions{}.seed, py::arg("threads") = GreedyOptions{}.threads,
          with_doc ? greedy_doc : "");
  };
  def_greedy("greedy", &greedy_py<M, GreedyKind::plain>);
  def_greedy("celf", &greedy_py<M, GreedyKind::celf>);
  def_greedy("celf_plus_plus", &greedy_py<M, GreedyKind::celf_plus_plus>);
}

}  // namespace

void bind_select(py::module_& m) {
  py::class_<PySelectResult>(m, "SelectResult", "Seeds chosen by a selector and what a researcher reports.")
      .def(field_pickle("SelectResult", &PySelectResult::method, &PySelectResult::seeds,
                        &PySelectResult::marginal_gains, &PySelectResult::spread, &PySelectResult::rr_sets,
                        &PySelectResult::trials, &PySelectResult::peak_bytes, &PySelectResult::approximation,
                        &PySelectResult::phase_seconds, &PySelectResult::seconds, &PySelectResult::extra,
                        &PySelectResult::seed))
      .def_readonly("method", &PySelectResult::method)
      .def_readonly("seeds", &PySelectResult::seeds, "Chosen account ids in order (fixed seeds excluded).")
      .def_readonly("marginal_gains", &PySelectResult::marginal_gains, "Selector's estimate of each seed's gain.")
      .def_readonly("spread", &PySelectResult::spread, "Selector's own spread estimate (not independent).")
      .def_readonly("rr_sets", &PySelectResult::rr_sets, "RR sets drawn (RR-based methods).")
      .def_readonly("trials", &PySelectResult::trials, "Monte Carlo trials run (simulation methods).")
      .def_readonly("peak_bytes", &PySelectResult::peak_bytes, "Peak bytes of the method's own structures.")
      .def_readonly("approximation", &PySelectResult::approximation, "Proven ratio (0 = none).")
      .def_readonly("phase_seconds", &PySelectResult::phase_seconds, "Wall seconds per phase.")
      .def_readonly("seconds", &PySelectResult::seconds, "Total wall seconds.")
      .def_readonly("extra", &PySelectResult::extra, "Method-specific numbers (theta, bounds, rounds...).")
      .def_readonly("seed", &PySelectResult::seed, "The seed the run used: pass it as seed= to repeat the run.")
      .def("__repr__", [](const PySelectResult& r) {
        return detail::concat("SelectResult(method='", r.method, "', k=", r.seeds.size(), ", spread=", r.spread,
                              ", seconds=", r.seconds, ")");
      });
  def_selectors<IndependentCascade>(m, true);
  def_selectors<LinearThreshold>(m, false);
}

}  // namespace kolsim::python
