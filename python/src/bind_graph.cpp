// SPDX-License-Identifier: MIT
/// Python bindings of the graph layer: FollowerGraph (zero-copy numpy views, pickling),
/// build_graph, the seeded generators and the probability schemes.
#include <array>
#include <numeric>
#include <optional>
#include <string>

#include "bind_common.hpp"
#include "bind_pickle.hpp"
#include "kolsim/graph/builder.hpp"
#include "kolsim/graph/generators.hpp"
#include "kolsim/graph/probabilities.hpp"
#include "kolsim/graph/summary.hpp"

namespace kolsim::python {

namespace {

template <class T>
std::vector<T> copy_span(std::span<const T> s) {
  return std::vector<T>(s.begin(), s.end());
}

/// BuildReport: what a build did to its input edges.
void bind_build_report(py::module_& m) {
  py::class_<BuildReport>(m, "BuildReport", "What a build did: counts of input edges, self-loops, duplicates.")
      .def(field_pickle("BuildReport", &BuildReport::input_edges, &BuildReport::self_loops, &BuildReport::duplicates,
                        &BuildReport::edges, &BuildReport::vertices))
      .def_readonly("input_edges", &BuildReport::input_edges, "Edges given (before undirected doubling).")
      .def_readonly("self_loops", &BuildReport::self_loops, "Self-loops seen (dropped under self_loops='drop').")
      .def_readonly("duplicates", &BuildReport::duplicates, "Extra copies of an edge seen.")
      .def_readonly("edges", &BuildReport::edges, "Edges in the graph.")
      .def_readonly("vertices", &BuildReport::vertices, "Vertices in the graph.")
      .def("__repr__", [](const BuildReport& r) {
        return detail::concat("BuildReport(input_edges=", r.input_edges, ", self_loops=", r.self_loops,
                              ", duplicates=", r.duplicates, ", edges=", r.edges, ", vertices=", r.vertices, ")");
      });
}

/// FollowerGraph's sizes, CSR arrays, probabilities and degrees (read-only views or new arrays).
void def_graph_arrays(py::class_<FollowerGraph>& g) {
  g.def_property_readonly("num_vertices", &FollowerGraph::num_vertices, "Number of accounts.")
      .def_property_readonly("num_edges", &FollowerGraph::num_edges, "Number of follower edges.")
      .def_property_readonly(
          "accounts", [](py::object self) { return readonly_view(self.cast<const FollowerGraph&>().accounts(), self); },
          "Account id of each dense index (uint64, strictly increasing; read-only view).")
      .def_property_readonly(
          "out_offsets",
          [](py::object self) { return readonly_view(self.cast<const FollowerGraph&>().out_offsets(), self); },
          "CSR offsets of the out-edges (followers), n + 1 entries (uint64; read-only view).")
      .def_property_readonly(
          "out_targets",
          [](py::object self) { return readonly_view(self.cast<const FollowerGraph&>().out_targets(), self); },
          "Dense index of each out-edge's target (uint32; read-only view).")
      .def_property_readonly(
          "in_offsets",
          [](py::object self) { return readonly_view(self.cast<const FollowerGraph&>().in_offsets(), self); },
          "CSR offsets of the in-edges (accounts followed), n + 1 entries (uint64; read-only view).")
      .def_property_readonly(
          "in_sources",
          [](py::object self) { return readonly_view(self.cast<const FollowerGraph&>().in_sources(), self); },
          "Dense index of each in-edge's source (uint32; read-only view).")
      .def_property_readonly(
          "edge_probs",
          [](py::object self) -> py::object {
            const auto& gr = self.cast<const FollowerGraph&>();
            if (!gr.has_probabilities()) return py::none();
            return readonly_view(gr.edge_probs(), self);
          },
          "Edge probabilities in out-edge order (float32; read-only view), or None when unassigned.\n"
          "Implicit kinds (weighted cascade, constant: see probability_kind) build the array on first\n"
          "access (4 bytes per edge, kept with the graph).")
      .def_property_readonly(
          "probability_kind",
          [](const FollowerGraph& gr) -> py::object {
            if (!gr.has_probabilities()) return py::none();
            switch (gr.probability_kind()) {
              case ProbabilityKind::weighted_cascade: return py::str("weighted_cascade");
              case ProbabilityKind::constant: return py::str("constant");
              case ProbabilityKind::per_edge: break;
            }
            return py::str("per_edge");
          },
          "How the probabilities are stored: 'per_edge' (arrays), 'weighted_cascade' or 'constant'\n"
          "(implicit: no bytes per edge), or None when unassigned.")
      .def_property_readonly(
          "in_edge_probs",
          [](py::object self) -> py::object {
            const auto& gr = self.cast<const FollowerGraph&>();
            if (!gr.has_probabilities()) return py::none();
            return readonly_view(gr.in_edge_probs(), self);
          },
          "Edge probabilities in in-edge order (float32; read-only view), or None when unassigned\n"
          "(built on first access for implicit kinds, as edge_probs).")
      .def_property_readonly(
          "out_degrees",
          [](const FollowerGraph& gr) {
            std::vector<std::uint64_t> d(gr.num_vertices());
            for (vertex_t v = 0; v < gr.num_vertices(); ++v) d[v] = gr.out_degree(v);
            return to_numpy(std::move(d));
          },
          "Follower count (out-degree) of each dense index (uint64, a new array).")
      .def_property_readonly(
          "in_degrees",
          [](const FollowerGraph& gr) {
            std::vector<std::uint64_t> d(gr.num_vertices());
            for (vertex_t v = 0; v < gr.num_vertices(); ++v) d[v] = gr.in_degree(v);
            return to_numpy(std::move(d));
          },
          "Number of accounts each dense index follows (in-degree; uint64, a new array).")
      .def_property_readonly("has_probabilities", &FollowerGraph::has_probabilities,
                             "True once edge probabilities (or LT weights) are assigned.")
      .def_property_readonly("memory_bytes", &FollowerGraph::memory_bytes, "Bytes held by the graph's arrays.");
}

/// FollowerGraph's account lookups: dense index and id, membership, followers and followed.
void def_graph_lookups(py::class_<FollowerGraph>& g) {
  g.def("index_of", &FollowerGraph::index_of, py::arg("a"), R"doc(Dense index of an account id.

Raises
------
IndexError
    When the account is not in the graph (the message names it).

Examples
--------
>>> import kolsim
>>> kolsim.from_edges([10, 20], [20, 30]).index_of(20)
1
)doc")
      .def("account", &FollowerGraph::account, py::arg("v"), R"doc(Account id of dense index v (IndexError if out of range).

Examples
--------
>>> import kolsim
>>> kolsim.from_edges([10, 20], [20, 30]).account(2)
30
)doc")
      .def("__contains__", [](const FollowerGraph& gr, account_t a) { return gr.find(a).has_value(); }, py::arg("a"))
      .def(
          "out_neighbors",
          [](const FollowerGraph& gr, account_t a) { return accounts_array(gr, gr.out_neighbors(gr.index_of(a))); },
          py::arg("a"), R"doc(Followers of account ``a`` (the accounts it can influence), as account ids.

Examples
--------
>>> import kolsim
>>> kolsim.from_edges([5, 5, 6], [6, 7, 7]).out_neighbors(5).tolist()
[6, 7]
)doc")
      .def(
          "in_neighbors",
          [](const FollowerGraph& gr, account_t a) { return accounts_array(gr, gr.in_neighbors(gr.index_of(a))); },
          py::arg("a"), R"doc(Accounts that ``a`` follows (that can influence it), as account ids.

Examples
--------
>>> import kolsim
>>> kolsim.from_edges([5, 5, 6], [6, 7, 7]).in_neighbors(7).tolist()
[5, 6]
)doc");
}

/// FollowerGraph's new-probability copy, repr and pickle (restored through the checked CSR builder).
void def_graph_copies(py::class_<FollowerGraph>& g) {
  g.def(
      "with_probabilities",
      [](const FollowerGraph& gr, py::handle out_probs) {
        auto p = number_vector<prob_t>(out_probs, "out_probs");
        return gr.with_probabilities(std::move(p));
      },
      py::arg("out_probs"), R"doc(A graph with the same topology and these edge probabilities.

Parameters
----------
out_probs : array_like of float
    One value in [0, 1] per edge, in out-edge order (``edge_probs`` order); float64 input is
    rounded to float32.

Examples
--------
>>> import kolsim
>>> g = kolsim.from_edges([0, 1], [1, 2]).with_probabilities([0.5, 0.25])
>>> g.edge_probs.tolist()
[0.5, 0.25]
)doc")
      .def("__repr__",
           [](const FollowerGraph& gr) {
             return detail::concat("FollowerGraph(num_vertices=", gr.num_vertices(), ", num_edges=", gr.num_edges(),
                                   ", has_probabilities=", gr.has_probabilities() ? "True" : "False", ")");
           })
      // State: (accounts, out_offsets, out_targets, probabilities or None) for per-edge graphs,
      // the format earlier builds write and read; implicit graphs (weighted cascade, constant)
      // add (kind name, constant) and store no probabilities, so they stay implicit and small.
      .def(py::pickle(
          [](const FollowerGraph& gr) {
            py::object probs = py::none();
            auto acc = to_numpy(copy_span(gr.accounts()));
            auto off = to_numpy(copy_span(gr.out_offsets()));
            auto tgt = to_numpy(copy_span(gr.out_targets()));
            if (gr.implicit_probabilities()) {
              const bool wc = gr.probability_kind() == ProbabilityKind::weighted_cascade;
              return py::make_tuple(acc, off, tgt, probs, py::str(wc ? "weighted_cascade" : "constant"),
                                    static_cast<double>(gr.constant_probability_value()));
            }
            if (gr.has_probabilities()) probs = to_numpy(copy_span(gr.edge_probs()));
            return py::make_tuple(acc, off, tgt, probs);
          },
          [](const py::tuple& t) {
            if (t.size() != 4 && t.size() != 6)
              throw std::invalid_argument(detail::concat("FollowerGraph state: expected 4 or 6 items, got ", t.size()));
            auto acc = py::array_t<account_t, py::array::c_style | py::array::forcecast>::ensure(t[0]);
            auto off = py::array_t<edge_t, py::array::c_style | py::array::forcecast>::ensure(t[1]);
            auto tgt = py::array_t<vertex_t, py::array::c_style | py::array::forcecast>::ensure(t[2]);
            if (!acc || !off || !tgt) throw std::invalid_argument("FollowerGraph state: bad arrays");
            std::optional<ProbabilityKind> kind;
            prob_t value = 0.0f;
            if (t.size() == 6) {
              const std::string name = py::str(t[4]);
              if (name == "weighted_cascade") kind = ProbabilityKind::weighted_cascade;
              else if (name == "constant") kind = ProbabilityKind::constant;
              else throw std::invalid_argument(detail::concat("FollowerGraph state: unknown probability kind '", name,
                                                              "' (expected 'weighted_cascade' or 'constant')"));
              if (!t[3].is_none())
                throw std::invalid_argument("FollowerGraph state: an implicit kind with probabilities");
              value = static_cast<prob_t>(t[5].cast<double>());
            }
            std::vector<prob_t> p = number_vector<prob_t>(t[3], "probabilities");
            // The builder checks every array (ValueError when corrupted) and builds the transpose.
            FollowerGraph g = build_graph_from_csr(std::vector<account_t>(acc.data(), acc.data() + acc.size()),
                                                   std::vector<edge_t>(off.data(), off.data() + off.size()),
                                                   std::vector<vertex_t>(tgt.data(), tgt.data() + tgt.size()),
                                                   std::move(p), 0, "FollowerGraph state");
            // with_implicit_probabilities checks the constant (ValueError outside [0, 1]).
            return kind ? g.with_implicit_probabilities(*kind, value) : g;
          }));
}

/// The FollowerGraph class (an immutable follower network).
void bind_graph_class(py::module_& m) {
  py::class_<FollowerGraph> g(m, "FollowerGraph", R"doc(An immutable follower network.

An edge ``u -> v`` means *v follows u*: influence flows from u to v. Accounts keep their
original integer ids; dense indices 0..n-1 order them increasingly (``accounts[i]`` is the id
of index i). The CSR arrays are exposed as read-only numpy views that share memory with the
graph (no copy). Build one with :func:`kolsim.from_edges`, :func:`kolsim.read_edge_list`,
:func:`kolsim.load_snapshot` or a generator such as :func:`kolsim.erdos_renyi`.

Examples
--------
>>> import kolsim
>>> g = kolsim.from_edges([1, 1, 2], [2, 3, 3])
>>> g.num_vertices, g.num_edges
(3, 3)
>>> g.out_neighbors(1).tolist()
[2, 3]
)doc");
  g.def(py::init<>(), "The empty graph.");
  def_graph_arrays(g);
  def_graph_lookups(g);
  def_graph_copies(g);
}

/// build_graph (edges between account ids -> graph and report) and summarize.
void bind_graph_builders(py::module_& m) {
  m.def(
      "build_graph",
      [](py::handle sources, py::handle targets, py::handle probs, bool undirected, bool flip,
         const std::string& self_loops, const std::string& duplicates, int threads, py::handle extra_accounts) {
        const auto src = account_vector(sources, "sources");
        const auto dst = account_vector(targets, "targets");
        const auto p = number_vector<prob_t>(probs, "probs");
        const auto extra = account_vector(extra_accounts, "extra_accounts");
        const BuildOptions opt = build_options(undirected, flip, self_loops, duplicates, threads);
        BuildReport report;
        FollowerGraph gr = without_gil([&] { return build_graph(src, dst, p, opt, &report, extra); });
        return py::make_tuple(std::move(gr), report);
      },
      py::arg("sources"), py::arg("targets"), py::arg("probs") = py::none(), py::arg("undirected") = false,
      py::arg("flip") = false, py::arg("self_loops") = "drop", py::arg("duplicates") = "first", py::arg("threads") = 0,
      py::arg("extra_accounts") = py::none(), R"doc(Builds a graph from edges between account ids.

``sources[i] -> targets[i]`` means targets[i] follows sources[i]. Use :func:`kolsim.from_edges`.

Returns
-------
(FollowerGraph, BuildReport)

Examples
--------
>>> import kolsim
>>> g, rep = kolsim._core.build_graph([1, 2, 2], [2, 3, 3])
>>> rep.duplicates, g.num_edges
(1, 2)
)doc");

  m.def(
      "summarize",
      [](const FollowerGraph& gr) {
        const GraphSummary s = without_gil([&] { return summarize(gr); });
        py::dict d;
        d["vertices"] = s.vertices;
        d["edges"] = s.edges;
        d["reciprocal_edges"] = s.reciprocal_edges;
        d["self_loops"] = s.self_loops;
        d["mean_degree"] = s.mean_degree;
        d["max_out_degree"] = s.max_out_degree;
        d["max_in_degree"] = s.max_in_degree;
        d["sources"] = s.sources;
        d["sinks"] = s.sinks;
        d["strong_components"] = s.strong_components;
        d["largest_strong_component"] = s.largest_strong_component;
        d["weak_components"] = s.weak_components;
        d["largest_weak_component"] = s.largest_weak_component;
        d["has_probabilities"] = s.has_probabilities;
        d["mean_probability"] = s.mean_probability;
        return d;
      },
      py::arg("g"), R"doc(Structural numbers of a graph as a dict (also ``graph.summary()``).

Keys: vertices, edges, reciprocal_edges, self_loops, mean_degree, max_out_degree (largest
follower count), max_in_degree, sources (follow nobody), sinks (no followers),
strong_components, largest_strong_component, weak_components, largest_weak_component,
has_probabilities, mean_probability.

Examples
--------
>>> import kolsim
>>> s = kolsim.summarize(kolsim.from_edges([0, 1, 2], [1, 2, 0]))
>>> s["strong_components"], s["reciprocal_edges"]
(1, 0)
)doc");
}

/// Generators with independent edges or attachment: Erdos-Renyi, preferential attachment, Chung-Lu.
void bind_random_generators(py::module_& m) {
  m.def(
      "erdos_renyi",
      [](vertex_t n, edge_t m_, std::uint64_t seed, int threads) {
        return without_gil([&] { return erdos_renyi(n, m_, seed, threads); });
      },
      py::arg("n"), py::arg("m"), py::arg("seed") = 0, py::arg("threads") = 0,
      R"doc(Directed Erdos-Renyi G(n, m): exactly m distinct arcs u -> v, u != v, chosen uniformly.

Examples
--------
>>> import kolsim
>>> kolsim.erdos_renyi(100, 500, seed=1).num_edges
500
)doc");
  m.def(
      "preferential_attachment",
      [](vertex_t n, std::uint32_t follows_per_account, std::uint64_t seed, double attractiveness) {
        return without_gil([&] { return preferential_attachment(n, follows_per_account, seed, attractiveness); });
      },
      py::arg("n"), py::arg("follows_per_account"), py::arg("seed") = 0, py::arg("attractiveness") = 1.0,
      R"doc(Directed Price-style preferential attachment: power-law follower counts.

Account t follows min(t, follows_per_account) earlier accounts chosen in proportion to
(follower count + attractiveness).

Examples
--------
>>> import kolsim
>>> kolsim.preferential_attachment(1000, 3, seed=1).num_vertices
1000
)doc");
  m.def(
      "chung_lu",
      [](vertex_t n, double average_degree, double out_exponent, double in_exponent, std::uint64_t seed, int threads,
         double max_out_degree, double max_in_degree) {
        return without_gil([&] {
          return chung_lu(n, average_degree, out_exponent, in_exponent, seed, threads, max_out_degree, max_in_degree);
        });
      },
      py::arg("n"), py::arg("average_degree"), py::arg("out_exponent") = 2.5, py::arg("in_exponent") = 2.1,
      py::arg("seed") = 0, py::arg("threads") = 0, py::arg("max_out_degree") = 0.0, py::arg("max_in_degree") = 0.0,
      R"doc(Directed Chung-Lu power-law graph with the given out- (follower) and in-degree exponents.

max_out_degree and max_in_degree set the largest expected degrees (Chung & Lu's cutoff); 0 means
the structural cutoff sqrt(n * average_degree).

Examples
--------
>>> import kolsim
>>> g = kolsim.chung_lu(10000, 8.0, 2.5, 2.1, seed=1)
>>> 70000 < g.num_edges <= 80000
True
)doc");
}

/// Generators with structure: Watts-Strogatz small world, R-MAT and the stochastic block model.
void bind_structured_generators(py::module_& m) {
  m.def(
      "watts_strogatz",
      [](vertex_t n, std::uint32_t k, double beta, std::uint64_t seed) {
        return without_gil([&] { return watts_strogatz(n, k, beta, seed); });
      },
      py::arg("n"), py::arg("k"), py::arg("beta"), py::arg("seed") = 0,
      R"doc(Watts-Strogatz small world; every link in both directions (n*k arcs).

Examples
--------
>>> import kolsim
>>> kolsim.watts_strogatz(100, 4, 0.1, seed=1).num_edges
400
)doc");
  m.def(
      "rmat",
      [](std::uint32_t scale, edge_t m_, std::uint64_t seed, double a, double b, double c, int threads) {
        return without_gil([&] { return rmat(scale, m_, seed, a, b, c, threads); });
      },
      py::arg("scale"), py::arg("m"), py::arg("seed") = 0, py::arg("a") = 0.57, py::arg("b") = 0.19,
      py::arg("c") = 0.19, py::arg("threads") = 0,
      R"doc(R-MAT graph on 2**scale vertices from m draws (loops and repeats removed).

Examples
--------
>>> import kolsim
>>> kolsim.rmat(10, 5000, seed=1).num_vertices
1024
)doc");
  m.def(
      "stochastic_block_model",
      [](py::handle block_sizes, const std::vector<std::vector<double>>& probabilities, std::uint64_t seed,
         int threads) {
        const auto sizes64 = account_vector(block_sizes, "block_sizes");
        std::vector<vertex_t> sizes;
        for (auto s : sizes64) {
          KOLSIM_REQUIRE(s <= max_vertices, "stochastic_block_model: block too large");
          sizes.push_back(static_cast<vertex_t>(s));
        }
        CommunityGraph cg = without_gil([&] { return stochastic_block_model(sizes, probabilities, seed, threads); });
        return py::make_tuple(std::move(cg.graph), to_numpy(std::move(cg.community)));
      },
      py::arg("block_sizes"), py::arg("probabilities"), py::arg("seed") = 0, py::arg("threads") = 0,
      R"doc(Directed stochastic block model.

Returns
-------
(FollowerGraph, numpy.ndarray of uint32)
    The graph and the block of each dense index.

Examples
--------
>>> import kolsim
>>> g, block = kolsim.stochastic_block_model([50, 50], [[0.2, 0.01], [0.01, 0.2]], seed=1)
>>> g.num_vertices, int(block[-1])
(100, 1)
)doc");
}

/// IC probability schemes: constant, weighted cascade, trivalency, uniform.
void bind_ic_probabilities(py::module_& m) {
  m.def("constant_probability", &constant_probability, py::arg("g"), py::arg("p"),
        py::call_guard<py::gil_scoped_release>(), R"doc(Every edge gets probability p.

Examples
--------
>>> import kolsim
>>> g = kolsim.constant_probability(kolsim.erdos_renyi(10, 20, seed=1), 0.1)
>>> round(float(g.edge_probs[0]), 6)
0.1
)doc");
  m.def("weighted_cascade", &weighted_cascade, py::arg("g"), py::call_guard<py::gil_scoped_release>(),
        R"doc(Weighted cascade: p(u, v) = 1 / indeg(v) (Kempe, Kleinberg, Tardos 2003).

Examples
--------
>>> import kolsim
>>> g = kolsim.weighted_cascade(kolsim.from_edges([0, 1], [2, 2]))
>>> g.edge_probs.tolist()
[0.5, 0.5]
)doc");
  m.def(
      "trivalency",
      [](const FollowerGraph& gr, std::uint64_t seed, std::array<prob_t, 3> values, int threads) {
        return without_gil([&] { return trivalency(gr, seed, values, threads); });
      },
      py::arg("g"), py::arg("seed") = 0, py::arg("values") = std::array<prob_t, 3>{0.1f, 0.01f, 0.001f},
      py::arg("threads") = 0, R"doc(Trivalency: each edge uniformly one of ``values`` (default 0.1, 0.01, 0.001).

Examples
--------
>>> import kolsim
>>> g = kolsim.trivalency(kolsim.erdos_renyi(50, 200, seed=1), seed=2)
>>> sorted(set(round(float(p), 3) for p in g.edge_probs))
[0.001, 0.01, 0.1]
)doc");
  m.def(
      "uniform_probability",
      [](const FollowerGraph& gr, prob_t low, prob_t high, std::uint64_t seed, int threads) {
        return without_gil([&] { return uniform_probability(gr, low, high, seed, threads); });
      },
      py::arg("g"), py::arg("low"), py::arg("high"), py::arg("seed") = 0, py::arg("threads") = 0,
      R"doc(Each edge independently uniform in [low, high].

Examples
--------
>>> import kolsim
>>> g = kolsim.uniform_probability(kolsim.erdos_renyi(50, 200, seed=1), 0.1, 0.2, seed=2)
>>> bool(((g.edge_probs >= 0.1) & (g.edge_probs <= 0.2)).all())
True
)doc");
}

/// LT weights: normalising in-weights and random weights.
void bind_lt_weights(py::module_& m) {
  m.def("lt_normalise", &lt_normalise, py::arg("g"), py::arg("only_above_one") = true,
        py::call_guard<py::gil_scoped_release>(), R"doc(Scales each account's in-weights to sum to 1 (LT).

With ``only_above_one`` only accounts whose in-weights sum above 1 are scaled.

Examples
--------
>>> import kolsim
>>> g = kolsim.lt_normalise(kolsim.from_edges([0, 1], [2, 2], [0.8, 0.8]))
>>> g.edge_probs.tolist()
[0.5, 0.5]
)doc");
  m.def(
      "random_lt_weights",
      [](const FollowerGraph& gr, std::uint64_t seed, int threads) {
        return without_gil([&] { return random_lt_weights(gr, seed, threads); });
      },
      py::arg("g"), py::arg("seed") = 0, py::arg("threads") = 0,
      R"doc(Random LT weights: uniform (0, 1] per edge, then each account's in-weights sum to 1.

Examples
--------
>>> import kolsim
>>> g = kolsim.random_lt_weights(kolsim.erdos_renyi(50, 200, seed=1), seed=2)
>>> g.has_probabilities
True
)doc");
}

}  // namespace

void bind_graph(py::module_& m) {
  bind_build_report(m);
  bind_graph_class(m);
  bind_graph_builders(m);
  bind_random_generators(m);
  bind_structured_generators(m);
  bind_ic_probabilities(m);
  bind_lt_weights(m);
}

}  // namespace kolsim::python
