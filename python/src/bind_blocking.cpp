// SPDX-License-Identifier: MIT
/// Python binding of select_blockers: corrective KOLs that minimise a misleading campaign's reach.
#include "bind_select.hpp"
#include "kolsim/select/blocking.hpp"

namespace kolsim::python {

namespace {

/// select_blockers for either competitive model (account ids in, account ids out).
template <class Model>
PySelectResult select_blockers_py(const Model& model, py::handle misleading_seeds, std::size_t k,
                                  const std::string& method, std::optional<std::uint32_t> max_steps,
                                  std::uint64_t worlds, std::uint32_t roots_per_world, std::uint64_t trials,
                                  double imm_epsilon, std::uint64_t evaluation_trials, py::handle candidates,
                                  py::handle fixed_seeds, std::uint64_t seed, int threads) {
  const FollowerGraph& g = model.misleading();
  const auto f = vertex_vector(g, misleading_seeds, "misleading_seeds");
  BlockingOptions opt;
  fill_select_options(opt, g, candidates, fixed_seeds, seed, threads);
  opt.method = parse_blocking_method(method);
  opt.max_steps = step_limit(max_steps);
  opt.worlds = worlds;
  opt.roots_per_world = roots_per_world;
  opt.trials = trials;
  opt.imm_epsilon = imm_epsilon;
  opt.evaluation_trials = evaluation_trials;
  BlockingResult r = without_gil([&] { return select_blockers(model, f, k, opt); });
  const BlockingResult copy = r;
  PySelectResult out = to_python(g, std::move(r), seed);
  out.extra["reach_before"] = copy.reach_before;
  out.extra["reach_before_error"] = copy.reach_before_error;
  out.extra["reach_after"] = copy.reach_after;
  out.extra["reach_after_error"] = copy.reach_after_error;
  out.extra["saved"] = copy.saved;
  out.extra["saved_error"] = copy.saved_error;
  out.extra["evaluation_trials"] = copy.evaluation_trials;
  return out;
}

}  // namespace

void bind_blocking(py::module_& m) {
  const char* doc = R"doc(Chooses k corrective KOLs that minimise the misleading campaign's reach.

Methods: "rr" (RR race sets + weighted coverage; CompetitiveIC only), "celf" (CELF on common
random numbers; the method for CompetitiveLT, whose gains may be negative: a corrective seed can
tip accounts that then pick the falsehood), baselines "degree", "neighbourhood", "imm".
``extra`` holds the independent Monte Carlo evaluation: reach_before/after (with standard
errors) and saved. Progress: "sampling" (worlds) and "seeds" for rr, "seeds" for celf.

Examples
--------
>>> import kolsim
>>> g = kolsim.weighted_cascade(kolsim.erdos_renyi(300, 1500, seed=1))
>>> r = kolsim.select_blockers(kolsim.CompetitiveIC(g), [0, 1], 3, worlds=200, seed=2)
>>> len(r.seeds), r.extra["saved"] >= -1
(3, True)
>>> lt = kolsim.CompetitiveLT(g)  # weighted cascade: in-weights sum to 1
>>> len(kolsim.select_blockers(lt, [0, 1], 2, method="celf", trials=50, seed=2).seeds)
2
)doc";
  // One def (not two overloads) so that the signature and the docstring are one, as for every
  // selector; the model decides which C++ overload runs.
  m.def(
      "select_blockers",
      [](const py::object& model, py::handle misleading_seeds, std::size_t k, const std::string& method,
         std::optional<std::uint32_t> max_steps, std::uint64_t worlds, std::uint32_t roots_per_world,
         std::uint64_t trials, double imm_epsilon, std::uint64_t evaluation_trials, py::handle candidates,
         py::handle fixed_seeds, std::uint64_t seed, int threads) {
        if (py::isinstance<CompetitiveLT>(model))
          return select_blockers_py(model.cast<const CompetitiveLT&>(), misleading_seeds, k, method, max_steps, worlds,
                                    roots_per_world, trials, imm_epsilon, evaluation_trials, candidates, fixed_seeds,
                                    seed, threads);
        if (!py::isinstance<CompetitiveIC>(model))
          throw py::type_error("select_blockers: model must be a CompetitiveIC or a CompetitiveLT");
        return select_blockers_py(model.cast<const CompetitiveIC&>(), misleading_seeds, k, method, max_steps, worlds,
                                  roots_per_world, trials, imm_epsilon, evaluation_trials, candidates, fixed_seeds, seed,
                                  threads);
      },
      py::arg("model"), py::arg("misleading_seeds"), py::arg("k"), py::arg("method") = "rr",
      py::arg("max_steps") = py::none(), py::arg("worlds") = 2000, py::arg("roots_per_world") = 16,
      py::arg("trials") = 200, py::arg("imm_epsilon") = 0.3, py::arg("evaluation_trials") = 1000,
      py::arg("candidates") = py::none(), py::arg("fixed_seeds") = py::none(), py::arg("seed") = 0,
      py::arg("threads") = 0, doc);
}

}  // namespace kolsim::python
