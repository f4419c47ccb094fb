// SPDX-License-Identifier: MIT
/// Python bindings of the score-based heuristics: top degree, degree discount, influence
/// PageRank, core numbers, Katz and eigenvector centrality (scores and top-k selectors).
#include "bind_select.hpp"
#include "kolsim/select/heuristics.hpp"

namespace kolsim::python {

namespace {

constexpr const char* common_args = R"doc(
Parameters
----------
g : FollowerGraph
k : int
    Seeds to choose.
candidates, fixed_seeds : array_like of int, optional
    Account ids: only candidates may be chosen; fixed seeds are skipped.
)doc";

template <class F>
PySelectResult run_heuristic(const FollowerGraph& g, py::handle candidates, py::handle fixed_seeds, F&& f) {
  SelectOptions opt;
  fill_select_options(opt, g, candidates, fixed_seeds, 0, 0);
  SelectResult r = without_gil([&] { return f(opt); });
  return to_python(g, std::move(r));
}

std::string doc_with(const char* head, const char* example) {
  return std::string(head) + "\n" + common_args + "\nExamples\n--------\n" + example;
}

/// The top-k selectors: degree, degree discount, PageRank, core number, Katz, eigenvector.
void bind_top_k_selectors(py::module_& m) {
  static const std::string top_degree_doc = doc_with(
      "The k accounts with the most followers (out-degree; ties to the lowest index).",
      ">>> import kolsim\n>>> kolsim.top_degree(kolsim.from_edges([1, 1, 2], [2, 3, 3]), 1).seeds.tolist()\n[1]\n");
  m.def(
      "top_degree",
      [](const FollowerGraph& g, std::size_t k, py::handle candidates, py::handle fixed_seeds) {
        return run_heuristic(g, candidates, fixed_seeds, [&](const SelectOptions& o) { return top_degree(g, k, o); });
      },
      py::arg("g"), py::arg("k"), py::arg("candidates") = py::none(), py::arg("fixed_seeds") = py::none(),
      top_degree_doc.c_str());
  static const std::string dd_doc = doc_with(
      "DegreeDiscountIC (Chen, Wang, Yang, KDD 2009) with uniform propagation probability p.",
      ">>> import kolsim\n>>> g = kolsim.erdos_renyi(100, 500, seed=1)\n"
      ">>> len(kolsim.degree_discount(g, 5, 0.01).seeds)\n5\n");
  m.def(
      "degree_discount",
      [](const FollowerGraph& g, std::size_t k, prob_t p, py::handle candidates, py::handle fixed_seeds) {
        return run_heuristic(g, candidates, fixed_seeds,
                             [&](const SelectOptions& o) { return degree_discount(g, k, p, o); });
      },
      py::arg("g"), py::arg("k"), py::arg("p") = 0.01f, py::arg("candidates") = py::none(),
      py::arg("fixed_seeds") = py::none(), dd_doc.c_str());
  static const std::string pr_doc = doc_with(
      "The k accounts with the highest influence PageRank (rank flows from followers).",
      ">>> import kolsim\n>>> len(kolsim.top_pagerank(kolsim.erdos_renyi(100, 500, seed=1), 3).seeds)\n3\n");
  m.def(
      "top_pagerank",
      [](const FollowerGraph& g, std::size_t k, py::handle candidates, py::handle fixed_seeds, double damping,
         int iterations) {
        return run_heuristic(g, candidates, fixed_seeds,
                             [&](const SelectOptions& o) { return top_pagerank(g, k, o, damping, iterations); });
      },
      py::arg("g"), py::arg("k"), py::arg("candidates") = py::none(), py::arg("fixed_seeds") = py::none(),
      py::arg("damping") = 0.85, py::arg("iterations") = 50, pr_doc.c_str());
  static const std::string core_doc = doc_with(
      "The k accounts with the highest follower core number.",
      ">>> import kolsim\n>>> len(kolsim.top_core_number(kolsim.erdos_renyi(100, 500, seed=1), 3).seeds)\n3\n");
  m.def(
      "top_core_number",
      [](const FollowerGraph& g, std::size_t k, py::handle candidates, py::handle fixed_seeds) {
        return run_heuristic(g, candidates, fixed_seeds,
                             [&](const SelectOptions& o) { return top_core_number(g, k, o); });
      },
      py::arg("g"), py::arg("k"), py::arg("candidates") = py::none(), py::arg("fixed_seeds") = py::none(),
      core_doc.c_str());
  static const std::string katz_doc = doc_with(
      "The k accounts with the highest Katz centrality (alpha = 0: 0.9 / spectral radius).",
      ">>> import kolsim\n>>> len(kolsim.top_katz(kolsim.erdos_renyi(100, 500, seed=1), 3).seeds)\n3\n");
  m.def(
      "top_katz",
      [](const FollowerGraph& g, std::size_t k, py::handle candidates, py::handle fixed_seeds, double alpha,
         double beta) {
        return run_heuristic(g, candidates, fixed_seeds,
                             [&](const SelectOptions& o) { return top_katz(g, k, o, alpha, beta); });
      },
      py::arg("g"), py::arg("k"), py::arg("candidates") = py::none(), py::arg("fixed_seeds") = py::none(),
      py::arg("alpha") = 0.0, py::arg("beta") = 1.0, katz_doc.c_str());
  static const std::string eig_doc = doc_with(
      "The k accounts with the highest eigenvector centrality.",
      ">>> import kolsim\n>>> len(kolsim.top_eigenvector(kolsim.erdos_renyi(100, 500, seed=1), 3).seeds)\n3\n");
  m.def(
      "top_eigenvector",
      [](const FollowerGraph& g, std::size_t k, py::handle candidates, py::handle fixed_seeds, int max_iterations,
         double tol) {
        return run_heuristic(g, candidates, fixed_seeds,
                             [&](const SelectOptions& o) { return top_eigenvector(g, k, o, max_iterations, tol); });
      },
      py::arg("g"), py::arg("k"), py::arg("candidates") = py::none(), py::arg("fixed_seeds") = py::none(),
      py::arg("max_iterations") = 200, py::arg("tol") = 1e-10, eig_doc.c_str());
}

/// The scores behind them: influence PageRank, core numbers, Katz and eigenvector centrality.
void bind_centrality_scores(py::module_& m) {
  m.def(
      "influence_pagerank",
      [](const FollowerGraph& g, double damping, int iterations) {
        return to_numpy(without_gil([&] { return influence_pagerank(g, damping, iterations); }));
      },
      py::arg("g"), py::arg("damping") = 0.85, py::arg("iterations") = 50,
      R"doc(Influence PageRank of every account (dense index order; float64).

Examples
--------
>>> import kolsim
>>> kolsim.influence_pagerank(kolsim.erdos_renyi(10, 30, seed=1)).shape
(10,)
)doc");
  m.def(
      "core_numbers", [](const FollowerGraph& g) { return to_numpy(without_gil([&] { return core_numbers(g); })); },
      py::arg("g"), R"doc(Follower core number of every account (dense index order; uint32).

Examples
--------
>>> import kolsim
>>> kolsim.core_numbers(kolsim.from_edges([0, 1, 2], [1, 2, 0])).tolist()
[1, 1, 1]
)doc");
  m.def(
      "katz_centrality",
      [](const FollowerGraph& g, double alpha, double beta) {
        return to_numpy(without_gil([&] { return katz_centrality(g, alpha, beta); }));
      },
      py::arg("g"), py::arg("alpha") = 0.0, py::arg("beta") = 1.0,
      R"doc(Katz centrality in the influence direction (dense index order; float64).

Examples
--------
>>> import kolsim
>>> kolsim.katz_centrality(kolsim.erdos_renyi(10, 30, seed=1)).shape
(10,)
)doc");
  m.def(
      "eigenvector_centrality",
      [](const FollowerGraph& g, int max_iterations, double tol) {
        return to_numpy(without_gil([&] { return eigenvector_centrality(g, max_iterations, tol); }));
      },
      py::arg("g"), py::arg("max_iterations") = 200, py::arg("tol") = 1e-10,
      R"doc(Eigenvector centrality in the influence direction (dense index order; float64).

Examples
--------
>>> import kolsim
>>> kolsim.eigenvector_centrality(kolsim.erdos_renyi(10, 30, seed=1)).shape
(10,)
)doc");
}

}  // namespace

void bind_heuristics(py::module_& m) {
  bind_top_k_selectors(m);
  bind_centrality_scores(m);
}

}  // namespace kolsim::python
