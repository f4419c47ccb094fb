// SPDX-License-Identifier: MIT
/// Python bindings of the cascade layer: observed cascades, their readers and summaries, the
/// probability learners (EM, credit baselines), the IC likelihood, held-out prediction scores and the
/// exposure counts / curves that compare simple with complex contagion.
#include <string>
#include <tuple>
#include <utility>

#include "bind_args.hpp"
#include "bind_common.hpp"
#include "kolsim/core/choice.hpp"
#include "kolsim/diffusion/continuous.hpp"
#include "kolsim/learn/cascades.hpp"
#include "kolsim/learn/exposure.hpp"
#include "kolsim/learn/ic_em.hpp"
#include "kolsim/learn/netrate.hpp"
#include "kolsim/learn/predict.hpp"

namespace kolsim::python {

namespace {

/// The spellings of the learners' string options.
constexpr Choice<CascadeFormat> cascade_format_choices[] = {{"auto", CascadeFormat::auto_detect},
                                                            {"per_line", CascadeFormat::per_line},
                                                            {"long_csv", CascadeFormat::long_csv}};
constexpr Choice<CreditScheme> credit_scheme_choices[] = {
    {"bernoulli", CreditScheme::bernoulli}, {"jaccard", CreditScheme::jaccard}, {"lt", CreditScheme::lt_weights}};
constexpr Choice<DelayModel> delay_model_choices[] = {
    {"exponential", DelayModel::exponential}, {"power_law", DelayModel::power_law}, {"rayleigh", DelayModel::rayleigh}};
constexpr Choice<NoveltyDecay> novelty_decay_choices[] = {
    {"none", NoveltyDecay::none}, {"exponential", NoveltyDecay::exponential}, {"power_law", NoveltyDecay::power_law}};

template <class T>
py::array_t<T> copy_numpy(std::span<const T> s) {
  return to_numpy(std::vector<T>(s.begin(), s.end()));
}

py::dict report_dict(const CascadeReadReport& r) {
  py::dict d;
  d["lines"] = r.lines;
  d["cascades"] = r.cascades;
  d["adoptions"] = r.adoptions;
  d["outside_adoptions"] = r.outside_adoptions;
  d["repeat_adoptions"] = r.repeat_adoptions;
  d["skipped_small"] = r.skipped_small;
  return d;
}

AttemptWindow window_from(double step_seconds, std::uint32_t min_lag_steps, std::optional<std::uint32_t> max_lag_steps) {
  AttemptWindow w;
  w.step_seconds = step_seconds;
  w.min_lag_steps = min_lag_steps;
  w.max_lag_steps = max_lag_steps ? *max_lag_steps : std::numeric_limits<std::uint32_t>::max();
  return w;
}

/// LearnedProbabilities with numpy arrays (moved).
struct PyLearned {
  std::string method;
  FollowerGraph graph;
  py::array_t<double> probability, std_error, successes, exogenous, cascade_intensity, exogenous_delays;
  py::array_t<std::uint32_t> trials;
  double prior_alpha = 0, prior_beta = 0, exogenous_alpha = 0, exogenous_beta = 0;
  double log_likelihood = 0, seconds = 0;
  std::uint32_t iterations = 0;
  bool converged = false;
  std::uint64_t events = 0, unexplained = 0, exercised_edges = 0;
};

PyLearned to_py(LearnedProbabilities&& r) {
  PyLearned o;
  o.method = r.method;
  o.graph = std::move(r.graph);
  o.probability = to_numpy(std::move(r.probability));
  o.std_error = to_numpy(std::move(r.std_error));
  o.successes = to_numpy(std::move(r.successes));
  o.exogenous = to_numpy(std::move(r.exogenous));
  o.cascade_intensity = to_numpy(std::move(r.cascade_intensity));
  o.exogenous_delays = to_numpy(std::move(r.exogenous_delays));
  o.trials = to_numpy(std::move(r.trials));
  o.prior_alpha = r.prior_alpha;
  o.prior_beta = r.prior_beta;
  o.exogenous_alpha = r.exogenous_alpha;
  o.exogenous_beta = r.exogenous_beta;
  o.log_likelihood = r.log_likelihood;
  o.seconds = r.seconds;
  o.iterations = r.iterations;
  o.converged = r.converged;
  o.events = r.events;
  o.unexplained = r.unexplained;
  o.exercised_edges = r.exercised_edges;
  return o;
}

/// The two numbers of a `prior` keyword (any sequence of two numbers); anything else raises
/// ValueError "<what> must be two numbers, got ...". The values are checked where they are used.
std::pair<double, double> prior_pair(py::handle prior, const char* what) {
  auto refuse = [&] {
    return std::invalid_argument(
        detail::concat(what, " must be two numbers, got ", py::repr(prior).cast<std::string>()));
  };
  if (!py::isinstance<py::sequence>(prior) || py::isinstance<py::str>(prior) || py::isinstance<py::bytes>(prior) ||
      py::len(prior) != 2)
    throw refuse();
  const auto seq = py::reinterpret_borrow<py::sequence>(prior);
  try {
    return {py::cast<double>(seq[0]), py::cast<double>(seq[1])};
  } catch (const py::cast_error&) {
    throw refuse();
  }
}

EmOptions em_options(double step_seconds, std::uint32_t min_lag_steps, std::optional<std::uint32_t> max_lag_steps,
                     std::uint32_t max_iterations, double tolerance, bool shrinkage, py::handle prior,
                     std::uint32_t prior_min_trials, bool exogenous, int threads) {
  EmOptions o;
  o.window = window_from(step_seconds, min_lag_steps, max_lag_steps);
  o.max_iterations = max_iterations;
  o.tolerance = tolerance;
  o.shrinkage = shrinkage;
  if (!prior.is_none()) {
    const auto ab = prior_pair(prior, "prior (alpha, beta)");
    KOLSIM_REQUIRE(ab.first > 0 && ab.second > 0, "prior must be (alpha, beta) with both > 0, got (", ab.first, ", ",
                   ab.second, ")");
    o.prior_alpha = ab.first;
    o.prior_beta = ab.second;
  }
  o.prior_min_trials = prior_min_trials;
  o.exogenous = exogenous;
  o.threads = threads;
  o.stop = python_stop_token();
  o.progress = python_progress();
  return o;
}

PredictOptions predict_options(std::uint64_t trials, std::uint64_t seed, int threads, std::optional<std::uint32_t> max_steps,
                               std::uint32_t observed_seeds, py::handle exogenous, py::handle exogenous_scales,
                               double observed_seconds = 0, double intensity_spread = 0,
                               py::handle exogenous_delays = py::none()) {
  PredictOptions o;
  fill_trial_options(o, trials, seed, threads, max_steps);
  o.observed_seeds = observed_seeds;
  o.observed_seconds = observed_seconds;
  o.exogenous = number_vector<double>(exogenous, "exogenous");
  o.exogenous_scales = number_vector<double>(exogenous_scales, "exogenous_scales");
  o.intensity_spread = intensity_spread;
  o.exogenous_delays = number_vector<double>(exogenous_delays, "exogenous_delays");
  return o;
}

struct PySizeDistribution {
  py::array_t<std::uint32_t> sizes;
  py::array_t<double> adoption_probability;
  double mean = 0, std_error = 0;
  std::uint64_t seed = 0;  ///< the seed the trials used (repeat the run with it)
  std::vector<std::uint32_t> sorted;
};

template <class M>
PySizeDistribution predict_py(const BoundModel<M>& m, py::handle seeds, std::uint64_t trials, std::uint64_t seed,
                              int threads, std::optional<std::uint32_t> max_steps, py::handle exogenous,
                              py::handle exogenous_scales) {
  const auto s = vertex_vector(m.graph, seeds, "seeds");
  const auto o = predict_options(trials, seed, threads, max_steps, 1, exogenous, exogenous_scales);
  SizeDistribution d = without_gil([&] { return predict_cascade(m.graph, m.model, std::span<const vertex_t>(s), o); });
  PySizeDistribution out;
  out.mean = d.mean;
  out.std_error = d.std_error;
  out.seed = seed;
  out.sorted = d.sizes;
  std::sort(out.sorted.begin(), out.sorted.end());
  out.sizes = to_numpy(std::move(d.sizes));
  out.adoption_probability = to_numpy(std::move(d.adoption_probability));
  return out;
}

py::dict scores_dict(const PredictionScores& s) {
  py::dict d;
  d["median_abs_log_error"] = s.median_abs_log_error;
  d["median_abs_log_error_of_mean"] = s.median_abs_log_error_of_mean;
  d["coverage50"] = s.coverage50;
  d["coverage90"] = s.coverage90;
  d["mean_auc"] = s.mean_auc;
  d["mean_average_precision"] = s.mean_average_precision;
  const std::size_t k = s.cascades.size();
  std::vector<std::uint64_t> id(k);
  std::vector<double> obs(k), seeded(k), mean(k), se(k), q05(k), q25(k), q50(k), q75(k), q95(k), auc(k), ap(k), pit(k);
  for (std::size_t i = 0; i < k; ++i) {
    const auto& c = s.cascades[i];
    id[i] = c.id;
    obs[i] = c.observed;
    seeded[i] = c.seeded;
    mean[i] = c.predicted_mean;
    se[i] = c.predicted_std_error;
    q05[i] = c.q05;
    q25[i] = c.q25;
    q50[i] = c.q50;
    q75[i] = c.q75;
    q95[i] = c.q95;
    auc[i] = c.auc;
    ap[i] = c.average_precision;
    pit[i] = c.pit;
  }
  py::dict per;
  per["id"] = to_numpy(std::move(id));
  per["observed"] = to_numpy(std::move(obs));
  per["seeded"] = to_numpy(std::move(seeded));
  per["predicted_mean"] = to_numpy(std::move(mean));
  per["predicted_std_error"] = to_numpy(std::move(se));
  per["q05"] = to_numpy(std::move(q05));
  per["q25"] = to_numpy(std::move(q25));
  per["q50"] = to_numpy(std::move(q50));
  per["q75"] = to_numpy(std::move(q75));
  per["q95"] = to_numpy(std::move(q95));
  per["auc"] = to_numpy(std::move(auc));
  per["average_precision"] = to_numpy(std::move(ap));
  per["pit"] = to_numpy(std::move(pit));
  d["cascades"] = per;
  return d;
}

template <class M>
py::dict evaluate_py(const BoundModel<M>& m, const Cascades& cs, std::uint64_t trials, std::uint64_t seed, int threads,
                     std::optional<std::uint32_t> max_steps, std::uint32_t observed_seeds, double observed_seconds,
                     py::handle exogenous, py::handle exogenous_scales, double intensity_spread,
                     py::handle exogenous_delays) {
  const auto o = predict_options(trials, seed, threads, max_steps, observed_seeds, exogenous, exogenous_scales,
                                 observed_seconds, intensity_spread, exogenous_delays);
  PredictionScores s = without_gil([&] { return evaluate_predictions(m.graph, m.model, cs, o); });
  return scores_dict(s);
}

const char* cascades_doc = R"doc(Observed cascades joined to one graph: per cascade, the adopting accounts in
adoption order with their times (seconds, any epoch).

Build one with :func:`read_cascades` or ``Cascades.from_lists(graph, [[(account, time), ...], ...])``.
``len(c)`` is the number of cascades; ``c.adopters(i)`` gives account ids, ``c.times(i)`` the times.

Examples
--------
>>> import kolsim
>>> g = kolsim.from_edges([1, 2], [2, 3])
>>> c = kolsim.cascades.Cascades.from_lists(g, [[(1, 0.0), (2, 5.0)], [(2, 1.0), (3, 2.0)]])
>>> len(c), list(c.adopters(0))
(2, [1, 2])
)doc";

const char* em_doc = R"doc(Learn IC edge probabilities from cascades by EM (Saito, Nakano, Kimura, KES 2008).

An earlier adopter u is a possible parent of a later adopter v along u -> v when the lag
``floor((t_v - t0) / step_seconds) - floor((t_u - t0) / step_seconds)`` lies in
``[min_lag_steps, max_lag_steps]`` (Saito's discrete time is ``min = max = 1``); a follower that
does not adopt within the window is a failed trial. With ``shrinkage`` a Beta prior fitted to the
data pulls edges with little evidence toward its mean; ``prior=(alpha, beta)`` fixes it. With
``exogenous=True`` a per-account probability of adopting from outside the graph is learned too
(``result.exogenous``), and ``result.cascade_intensity`` holds each training cascade's appeal.

Returns a result with ``graph`` (the learned probabilities, usable by every estimator and
selector), per-edge ``probability``, ``std_error``, ``trials``, ``successes``, the prior, the
training ``log_likelihood``, ``iterations`` and ``converged``.

Examples
--------
>>> import kolsim
>>> g = kolsim.from_edges([0], [1])
>>> c = kolsim.cascades.Cascades.from_lists(g, [[(0, 0), (1, 1)], [(0, 0)], [(0, 0)], [(0, 0)]])
>>> r = kolsim.cascades.learn_ic_em(g, c, shrinkage=False)
>>> round(float(r.probability[0]), 6)
0.25
)doc";

py::dict curve_dict(ExposureCurve&& cv) {
  return py::dict(py::arg("exposures") = to_numpy(std::move(cv.exposures)),
                  py::arg("trials") = to_numpy(std::move(cv.trials)), py::arg("adopted") = to_numpy(std::move(cv.adopted)),
                  py::arg("probability") = to_numpy(std::move(cv.probability)),
                  py::arg("std_error") = to_numpy(std::move(cv.std_error)),
                  py::arg("reached") = to_numpy(std::move(cv.reached)), py::arg("hazard") = to_numpy(std::move(cv.hazard)),
                  py::arg("hazard_std_error") = to_numpy(std::move(cv.hazard_std_error)));
}

/// Exposure counts and the exposure curve (learn/exposure.hpp).
void bind_exposure(py::module_& m) {
  m.def("exposure_counts",
        [](const FollowerGraph& g, const Cascades& c, int threads) {
          ExposureOptions o;
          o.threads = threads;
          o.stop = python_stop_token();
          ExposureData x = without_gil([&] { return exposure_counts(g, c, o); });
          std::vector<std::uint32_t> in_degree(x.size());
          for (std::size_t r = 0; r < x.size(); ++r) in_degree[r] = static_cast<std::uint32_t>(g.in_degree(x.vertex[r]));
          return py::dict(py::arg("rows") = x.size(), py::arg("decisions") = x.decisions(),
                          py::arg("adopters") = x.adopters, py::arg("exogenous") = x.exogenous,
                          py::arg("cascade") = to_numpy(std::move(x.cascade)),
                          py::arg("vertex") = to_numpy(std::move(x.vertex)),
                          py::arg("exposures") = to_numpy(std::move(x.exposures)),
                          py::arg("adopted") = to_numpy(std::move(x.adopted)),
                          py::arg("step_offsets") = to_numpy(std::move(x.step_offsets)),
                          py::arg("steps") = to_numpy(std::move(x.steps)),
                          py::arg("in_degree") = to_numpy(std::move(in_degree)));
        },
        py::arg("graph"), py::arg("cascades"), py::arg("threads") = 0,
        R"doc(Exposure counts of observed cascades (Romero, Meeder, Kleinberg 2011).

One row per (cascade, account exposed at least once): ``cascade``, ``vertex`` (dense index),
``exposures`` (distinct in-neighbours that adopted strictly before the account did, or before the
cascade ended when it never did), ``adopted`` (uint8), ``in_degree``; the row's decisions are the
cumulative counts ``steps[step_offsets[r]:step_offsets[r + 1]]`` after each batch of simultaneous
exposures. ``exogenous`` counts adopters with no earlier adopting in-neighbour. Identical for
any ``threads``.

Examples
--------
>>> import kolsim
>>> from kolsim import _core
>>> g = kolsim.from_edges([0, 1], [2, 2])
>>> c = kolsim.cascades.Cascades.from_lists(g, [[(0, 0), (1, 1), (2, 2)]])
>>> _core.exposure_counts(g, c)["steps"].tolist()
[1, 2]
)doc");
  m.def("exposure_curve",
        [](const FollowerGraph& g, const Cascades& c, int threads) {
          ExposureOptions o;
          o.threads = threads;
          o.stop = python_stop_token();
          ExposureCurve cv = without_gil([&] { return exposure_curve(exposure_counts(g, c, o)); });
          return curve_dict(std::move(cv));
        },
        py::arg("graph"), py::arg("cascades"), py::arg("threads") = 0,
        R"doc(Exposure curve of observed cascades: for j = 1 .. max, ``trials`` (rows with j exposures at
adoption or at the end), ``adopted``, ``probability`` and binomial ``std_error``, and Romero et
al.'s ``hazard`` over the ``reached`` rows (ever had >= j exposures).

Examples
--------
>>> import kolsim
>>> from kolsim import _core
>>> g = kolsim.from_edges([0, 0], [1, 2])
>>> c = kolsim.cascades.Cascades.from_lists(g, [[(0, 0), (1, 1)]])
>>> _core.exposure_curve(g, c)["probability"].tolist()
[0.5]
)doc");
}

/// Cascades: observed cascades joined to one graph (sizes, adopters, times, subsets, pickling).
void bind_cascades_class(py::module_& m) {
  py::class_<Cascades>(m, "Cascades", py::dynamic_attr(), cascades_doc)
      .def("__len__", &Cascades::size)
      .def_property_readonly("num_adoptions", &Cascades::adoptions)
      .def_readonly("graph_vertices", &Cascades::graph_vertices)
      .def_property_readonly("ids", [](const Cascades& c) { return copy_numpy<std::uint64_t>(c.ids); })
      .def_property_readonly("outside", [](const Cascades& c) { return copy_numpy<std::uint64_t>(c.outside); })
      .def_property_readonly("sizes",
                             [](const Cascades& c) {
                               std::vector<std::uint64_t> s(c.size());
                               for (std::size_t i = 0; i < c.size(); ++i) s[i] = c.offsets[i + 1] - c.offsets[i];
                               return to_numpy(std::move(s));
                             })
      .def("adopter_indices", [](const Cascades& c, std::size_t i) { return copy_numpy<vertex_t>(c.adopters(i)); },
           py::arg("i"), "Dense vertex indices of cascade i's adopters, in adoption order.")
      .def("times", [](const Cascades& c, std::size_t i) { return copy_numpy<double>(c.adoption_times(i)); },
           py::arg("i"), "Adoption times (seconds) of cascade i.")
      .def("_subset",
           [](const Cascades& c, py::handle which) {
             auto w = number_vector<std::int64_t>(which, "which");
             std::vector<std::size_t> idx;
             for (auto x : w) {
               KOLSIM_REQUIRE_INDEX(x >= 0 && static_cast<std::size_t>(x) < c.size(), "subset: cascade ", x,
                                    " out of range (", c.size(), " cascades)");
               idx.push_back(static_cast<std::size_t>(x));
             }
             return c.subset(idx);
           },
           py::arg("which"), "The cascades at these positions, in this order.")
      .def(py::pickle(
          [](const Cascades& c) {
            return py::make_tuple(c.offsets, c.vertices, c.times, c.outside, c.ids, c.graph_vertices);
          },
          [](py::tuple t) {
            if (t.size() != 6) throw std::invalid_argument("Cascades: bad pickle state");
            Cascades c;
            c.graph_vertices = t[5].cast<vertex_t>();
            const auto offsets = t[0].cast<std::vector<std::uint64_t>>();
            const auto vertices = t[1].cast<std::vector<vertex_t>>();
            const auto times = t[2].cast<std::vector<double>>();
            const auto outside = t[3].cast<std::vector<std::uint64_t>>();
            const auto ids = t[4].cast<std::vector<std::uint64_t>>();
            KOLSIM_REQUIRE(!offsets.empty() && offsets.front() == 0 && offsets.back() == vertices.size() &&
                               times.size() == vertices.size() && outside.size() + 1 == offsets.size() &&
                               ids.size() == outside.size(),
                           "Cascades: inconsistent pickle state");
            for (std::size_t i = 0; i + 1 < offsets.size(); ++i) {
              KOLSIM_REQUIRE(offsets[i] <= offsets[i + 1], "Cascades: inconsistent pickle state");
              c.add(std::span<const vertex_t>(vertices.data() + offsets[i], offsets[i + 1] - offsets[i]),
                    std::span<const double>(times.data() + offsets[i], offsets[i + 1] - offsets[i]), ids[i], outside[i]);
            }
            return c;
          }))
      .def("__repr__", [](const Cascades& c) {
        return detail::concat("Cascades(", c.size(), " cascades, ", c.adoptions(), " adoptions, graph of ",
                              c.graph_vertices, " accounts)");
      });
}

/// Cascade builders, the file reader, the summary and the train/test splits.
void bind_cascade_io(py::module_& m) {
  m.def("_cascades_from_indices",
        [](const FollowerGraph& g, const std::vector<std::vector<vertex_t>>& adopters,
           const std::vector<std::vector<double>>& times, const std::vector<std::uint64_t>& ids) {
          KOLSIM_REQUIRE(adopters.size() == times.size() && ids.size() == adopters.size(),
                         "cascades: adopters, times and ids differ in length");
          Cascades c;
          c.graph_vertices = g.num_vertices();
          for (std::size_t i = 0; i < adopters.size(); ++i) c.add(adopters[i], times[i], ids[i]);
          return c;
        },
        py::arg("graph"), py::arg("adopters"), py::arg("times"), py::arg("ids"));

  m.def("_read_cascades",
        [](py::handle path, const FollowerGraph& g, const std::string& format, bool root_field, bool allow_outside,
           std::uint64_t min_size) {
          CascadeReadOptions o;
          o.format = parse_choice("format", format, cascade_format_choices);
          o.root_field = root_field;
          o.allow_outside = allow_outside;
          o.min_size = min_size;
          o.progress = python_progress();
          const std::string p = to_path(path);
          CascadeReadReport rep;
          Cascades c = without_gil([&] { return read_cascades(p, g, o, &rep); });
          return py::make_tuple(std::move(c), report_dict(rep));
        },
        py::arg("path"), py::arg("graph"), py::arg("format") = "auto", py::arg("root_field") = true,
        py::arg("allow_outside") = true, py::arg("min_size") = 1);

  m.def("_summarize_cascades",
        [](const FollowerGraph& g, const Cascades& c) {
          CascadeSummary s = summarize_cascades(g, c);
          py::dict d;
          d["cascades"] = s.cascades;
          d["adoptions"] = s.adoptions;
          d["explained_fraction"] = s.explained_fraction;
          d["sizes"] = to_numpy(std::move(s.sizes));
          d["durations"] = to_numpy(std::move(s.durations));
          d["depths"] = to_numpy(std::move(s.depths));
          d["time_to_half"] = to_numpy(std::move(s.time_to_half));
          d["time_to_90"] = to_numpy(std::move(s.time_to_90));
          return d;
        },
        py::arg("graph"), py::arg("cascades"));

  m.def("_split_by_time",
        [](const Cascades& c, double test_fraction) {
          auto s = split_by_time(c, test_fraction);
          return py::make_tuple(to_numpy(std::move(s.train)), to_numpy(std::move(s.test)));
        },
        py::arg("cascades"), py::arg("test_fraction") = 0.2);
  m.def("_split_by_cascade",
        [](const Cascades& c, double test_fraction, std::uint64_t seed) {
          auto s = split_by_cascade(c, test_fraction, seed);
          return py::make_tuple(to_numpy(std::move(s.train)), to_numpy(std::move(s.test)));
        },
        py::arg("cascades"), py::arg("test_fraction") = 0.2, py::arg("seed") = 0);
}

/// LearnedProbabilities: what learn_ic_em and learn_credit return.
void bind_learned_class(py::module_& m) {
  py::class_<PyLearned>(m, "LearnedProbabilities", "Learned per-edge probabilities and the evidence behind them.")
      .def_readonly("method", &PyLearned::method)
      .def_readonly("graph", &PyLearned::graph)
      .def_readonly("probability", &PyLearned::probability)
      .def_readonly("std_error", &PyLearned::std_error)
      .def_readonly("successes", &PyLearned::successes)
      .def_readonly("trials", &PyLearned::trials)
      .def_readonly("exogenous", &PyLearned::exogenous)
      .def_readonly("cascade_intensity", &PyLearned::cascade_intensity)
      .def_readonly("exogenous_delays", &PyLearned::exogenous_delays)
      .def_readonly("prior_alpha", &PyLearned::prior_alpha)
      .def_readonly("prior_beta", &PyLearned::prior_beta)
      .def_readonly("exogenous_alpha", &PyLearned::exogenous_alpha)
      .def_readonly("exogenous_beta", &PyLearned::exogenous_beta)
      .def_readonly("log_likelihood", &PyLearned::log_likelihood)
      .def_readonly("iterations", &PyLearned::iterations)
      .def_readonly("converged", &PyLearned::converged)
      .def_readonly("events", &PyLearned::events)
      .def_readonly("unexplained", &PyLearned::unexplained)
      .def_readonly("exercised_edges", &PyLearned::exercised_edges)
      .def_readonly("seconds", &PyLearned::seconds)
      .def("__getstate__", [](const PyLearned&) -> py::object {
        throw py::type_error("cannot pickle kolsim.LearnedProbabilities: pickle its .graph and arrays instead");
      })
      .def("__repr__", [](const PyLearned& r) {
        return detail::concat("LearnedProbabilities(method='", r.method, "', edges=", r.probability.size(),
                              ", exercised_edges=", r.exercised_edges, ", log_likelihood=", r.log_likelihood,
                              ", iterations=", r.iterations, ", converged=", r.converged ? "True" : "False", ")");
      });
}

/// Discrete-time learners (EM, credit baselines) and the IC log-likelihood of cascades.
void bind_discrete_learners(py::module_& m) {
  m.def("learn_ic_em",
        [](const FollowerGraph& g, const Cascades& c, double step_seconds, std::uint32_t min_lag_steps,
           std::optional<std::uint32_t> max_lag_steps, std::uint32_t max_iterations, double tolerance, bool shrinkage,
           py::handle prior, std::uint32_t prior_min_trials, bool exogenous, int threads, bool squarem) {
          auto o = em_options(step_seconds, min_lag_steps, max_lag_steps, max_iterations, tolerance, shrinkage,
                              prior, prior_min_trials, exogenous, threads);
          o.squarem = squarem;
          return to_py(without_gil([&] { return learn_ic_em(g, c, o); }));
        },
        py::arg("graph"), py::arg("cascades"), py::arg("step_seconds") = EmOptions{}.window.step_seconds,
        py::arg("min_lag_steps") = EmOptions{}.window.min_lag_steps, py::arg("max_lag_steps") = py::none(),
        py::arg("max_iterations") = EmOptions{}.max_iterations, py::arg("tolerance") = EmOptions{}.tolerance,
        py::arg("shrinkage") = EmOptions{}.shrinkage, py::arg("prior") = py::none(),
        py::arg("prior_min_trials") = EmOptions{}.prior_min_trials, py::arg("exogenous") = EmOptions{}.exogenous,
        py::arg("threads") = 0, py::arg("squarem") = EmOptions{}.squarem, em_doc);

  m.def("learn_credit",
        [](const FollowerGraph& g, const Cascades& c, const std::string& scheme, double step_seconds,
           std::uint32_t min_lag_steps, std::optional<std::uint32_t> max_lag_steps, bool shrinkage, py::handle prior,
           std::uint32_t prior_min_trials) {
          const CreditScheme s = parse_choice("scheme", scheme, credit_scheme_choices);
          const auto o = em_options(step_seconds, min_lag_steps, max_lag_steps, 1, 1.0, shrinkage, prior,
                                    prior_min_trials, false, 1);
          return to_py(without_gil([&] { return learn_credit(g, c, s, o); }));
        },
        py::arg("graph"), py::arg("cascades"), py::arg("scheme") = "bernoulli",
        py::arg("step_seconds") = EmOptions{}.window.step_seconds,
        py::arg("min_lag_steps") = EmOptions{}.window.min_lag_steps, py::arg("max_lag_steps") = py::none(),
        py::arg("shrinkage") = EmOptions{}.shrinkage, py::arg("prior") = py::none(),
        py::arg("prior_min_trials") = EmOptions{}.prior_min_trials,
        "Static credit baselines (Goyal, Bonchi, Lakshmanan, WSDM 2010): 'bernoulli', 'jaccard' or 'lt' weights.");

  m.def("ic_log_likelihood",
        [](const FollowerGraph& g, const Cascades& c, double step_seconds, std::uint32_t min_lag_steps,
           std::optional<std::uint32_t> max_lag_steps, py::handle exogenous) {
          const auto q = number_vector<double>(exogenous, "exogenous");
          const auto w = window_from(step_seconds, min_lag_steps, max_lag_steps);
          CascadeLikelihood r = without_gil([&] { return ic_log_likelihood(g, c, w, q); });
          py::dict d;
          d["log_likelihood"] = r.log_likelihood;
          d["events"] = r.events;
          d["failures"] = r.failures;
          d["unexplained"] = r.unexplained;
          d["per_event"] = r.per_event();
          return d;
        },
        py::arg("graph"), py::arg("cascades"), py::arg("step_seconds") = EmOptions{}.window.step_seconds,
        py::arg("min_lag_steps") = EmOptions{}.window.min_lag_steps, py::arg("max_lag_steps") = py::none(),
        py::arg("exogenous") = py::none(),
        "IC log-likelihood of cascades under the graph's probabilities (compare models on held-out cascades).");
}

/// NetRate: continuous-time transmission rates learned from cascades.
void bind_netrate(py::module_& m) {
  m.def("learn_netrate",
        [](const FollowerGraph& g, const Cascades& c, const std::string& delay, double horizon,
           double observation_window, double min_delay, std::uint32_t max_iterations, double tolerance, py::handle prior,
           int threads) {
          NetRateOptions o;
          o.delay = parse_choice("delay", delay, delay_model_choices);
          o.horizon = horizon;
          o.observation_window = observation_window;
          o.min_delay = min_delay;
          o.max_iterations = max_iterations;
          o.tolerance = tolerance;
          if (!prior.is_none()) {
            // (shape, rate) of the Gamma prior; learn_netrate checks both are finite and >= 0.
            std::tie(o.prior_shape, o.prior_rate) = prior_pair(prior, "learn_netrate: prior (shape, rate)");
          }
          o.threads = threads;
          o.stop = python_stop_token();
          o.progress = python_progress();
          NetRateResult r = without_gil([&] { return learn_netrate(g, c, o); });
          py::dict d;
          d["graph"] = std::move(r.graph);
          d["rate"] = to_numpy(std::move(r.rate));
          d["std_error"] = to_numpy(std::move(r.std_error));
          d["exposure"] = to_numpy(std::move(r.exposure));
          d["credit"] = to_numpy(std::move(r.credit));
          d["log_likelihood"] = r.log_likelihood;
          d["iterations"] = r.iterations;
          d["converged"] = r.converged;
          d["events"] = r.events;
          d["unexplained"] = r.unexplained;
          d["seconds"] = r.seconds;
          return d;
        },
        py::arg("graph"), py::arg("cascades"), py::arg("delay") = "exponential",
        py::arg("horizon") = NetRateOptions{}.horizon, py::arg("observation_window") = NetRateOptions{}.observation_window,
        py::arg("min_delay") = NetRateOptions{}.min_delay, py::arg("max_iterations") = NetRateOptions{}.max_iterations,
        py::arg("tolerance") = NetRateOptions{}.tolerance, py::arg("prior") = py::none(), py::arg("threads") = 0,
        R"doc(Continuous-time transmission rates by NetRate (Gomez-Rodriguez, Balduzzi, Schoelkopf, ICML 2011).

Each adopter's hazard is the sum of its adopted in-neighbours' hazards under the ``delay`` model
('exponential', 'power_law' with ``min_delay``, 'rayleigh'); exposures that did not transmit count
through their survival until the follower adopted or the observation ended. Returns a dict with
``graph`` (probability of transmission within ``horizon`` seconds on every edge), per-edge
``rate``, ``std_error`` (inverse observed information), ``exposure``, ``credit``, and the
training ``log_likelihood``.
)doc");
}

/// SizeDistribution: the simulated final sizes predict_cascade returns.
void bind_size_distribution(py::module_& m) {
  py::class_<PySizeDistribution>(m, "SizeDistribution", "Simulated final sizes of one cascade and who it reached.")
      .def_readonly("sizes", &PySizeDistribution::sizes)
      .def_readonly("adoption_probability", &PySizeDistribution::adoption_probability)
      .def_readonly("mean", &PySizeDistribution::mean)
      .def_readonly("std_error", &PySizeDistribution::std_error)
      .def_readonly("seed", &PySizeDistribution::seed, "The seed the trials used (int; repeat the run with it).")
      .def("quantile",
           [](const PySizeDistribution& d, double q) {
             return detail::sorted_quantile(std::span<const std::uint32_t>(d.sorted), q, "quantile");
           },
           py::arg("q"))
      .def("__getstate__", [](const PySizeDistribution&) -> py::object {
        throw py::type_error("cannot pickle kolsim.SizeDistribution: pickle its .sizes and .adoption_probability arrays");
      })
      .def("__repr__", [](const PySizeDistribution& d) {
        return detail::concat("SizeDistribution(mean=", d.mean, ", std_error=", d.std_error,
                              ", trials=", d.sorted.size(), ")");
      });
}

/// continuous_reach: continuous-time IC reach over wall-clock time.
void bind_continuous_reach(py::module_& m) {
  m.def(
      "continuous_reach",
      [](const FollowerGraph& g, py::handle seeds, std::vector<double> times, py::handle rate, double default_rate,
         py::handle delay_samples, const std::string& decay, double decay_scale, double decay_exponent,
         py::handle seed_times, py::handle exogenous, py::handle exogenous_times, py::handle exogenous_scales,
         py::handle exogenous_weights, py::handle track, std::uint64_t trials, std::uint64_t seed, int threads) {
        const auto s = vertex_vector(g, seeds, "seeds");
        ContinuousOptions o;
        o.times = std::move(times);
        o.rate = number_vector<double>(rate, "rate");
        o.default_rate = default_rate;
        o.delay_samples = number_vector<double>(delay_samples, "delay_samples");
        o.decay = parse_choice("continuous_reach: decay", decay, novelty_decay_choices);
        o.decay_scale = decay_scale;
        o.decay_exponent = decay_exponent;
        o.seed_times = number_vector<double>(seed_times, "seed_times");
        o.exogenous = number_vector<double>(exogenous, "exogenous");
        o.exogenous_times = number_vector<double>(exogenous_times, "exogenous_times");
        o.exogenous_scales = number_vector<double>(exogenous_scales, "exogenous_scales");
        o.exogenous_weights = number_vector<double>(exogenous_weights, "exogenous_weights");
        if (!track.is_none()) o.track = vertex_vector(g, track, "track");
        o.trials = trials;
        o.seed = seed;
        o.threads = threads;
        o.stop = python_stop_token();
        ReachCurve r = without_gil([&] { return continuous_reach(g, std::span<const vertex_t>(s), o); });
        const std::size_t nt = r.times.size();
        py::dict d;
        d["times"] = to_numpy(std::move(r.times));
        d["mean"] = to_numpy(std::move(r.mean));
        d["std_error"] = to_numpy(std::move(r.std_error));
        d["reach_probability"] = to_numpy(std::move(r.reach_probability));
        py::array_t<std::uint32_t> reach = to_numpy(std::move(r.reach));
        d["reach"] = reach.reshape({static_cast<py::ssize_t>(trials), static_cast<py::ssize_t>(nt)});
        if (!track.is_none()) {
          FirstReachTimes& f = r.first_reach;
          const auto A = static_cast<py::ssize_t>(f.accounts.size());
          std::vector<account_t> ids;
          for (vertex_t v : f.accounts) ids.push_back(g.account(v));
          py::dict fr;
          fr["accounts"] = to_numpy(std::move(ids));
          fr["times"] = to_numpy(std::move(f.times));
          fr["probability"] = to_numpy(std::move(f.probability)).reshape({A, static_cast<py::ssize_t>(nt)});
          fr["probability_se"] = to_numpy(std::move(f.probability_se)).reshape({A, static_cast<py::ssize_t>(nt)});
          fr["mean"] = to_numpy(std::move(f.mean));
          fr["mean_se"] = to_numpy(std::move(f.mean_se));
          fr["median"] = to_numpy(std::move(f.median));
          fr["median_se"] = to_numpy(std::move(f.median_se));
          fr["reached"] = to_numpy(std::move(f.reached));
          fr["first_time"] = to_numpy(std::move(f.first_time)).reshape({A, static_cast<py::ssize_t>(trials)});
          d["first_reach"] = fr;
        }
        return d;
      },
      py::arg("graph"), py::arg("seeds"), py::arg("times"), py::arg("rate") = py::none(),
      py::arg("default_rate") = ContinuousOptions{}.default_rate, py::arg("delay_samples") = py::none(),
      py::arg("decay") = "none", py::arg("decay_scale") = ContinuousOptions{}.decay_scale,
      py::arg("decay_exponent") = ContinuousOptions{}.decay_exponent, py::arg("seed_times") = py::none(),
      py::arg("exogenous") = py::none(), py::arg("exogenous_times") = py::none(),
      py::arg("exogenous_scales") = py::none(), py::arg("exogenous_weights") = py::none(),
      py::arg("track") = py::none(), py::arg("trials") = ContinuousOptions{}.trials, py::arg("seed") = 0, py::arg("threads") = 0,
      "Continuous-time IC reach over wall-clock time (seeds as account ids); see kolsim.cascades.continuous_reach.");
}

/// predict_cascade and evaluate_predictions, one overload per model (IC, LT).
void bind_prediction(py::module_& m) {
  auto def_predict = [&](auto fn) {
    m.def("predict_cascade", fn, py::arg("model"), py::arg("seeds"), py::arg("trials") = PredictOptions{}.trials,
          py::arg("seed") = 0, py::arg("threads") = 0, py::arg("max_steps") = py::none(),
          py::arg("exogenous") = py::none(), py::arg("exogenous_scales") = py::none(),
          "Monte Carlo distribution of one cascade's final size and of who adopts (trial i keyed by (seed, i)).");
  };
  def_predict(&predict_py<IndependentCascade>);
  def_predict(&predict_py<LinearThreshold>);
  auto def_eval = [&](auto fn) {
    m.def("evaluate_predictions", fn, py::arg("model"), py::arg("cascades"), py::arg("trials") = PredictOptions{}.trials,
          py::arg("seed") = 0, py::arg("threads") = 0, py::arg("max_steps") = py::none(),
          py::arg("observed_seeds") = PredictOptions{}.observed_seeds,
          py::arg("observed_seconds") = PredictOptions{}.observed_seconds, py::arg("exogenous") = py::none(),
          py::arg("exogenous_scales") = py::none(), py::arg("intensity_spread") = PredictOptions{}.intensity_spread,
          py::arg("exogenous_delays") = py::none(),
          "Predict each cascade from its first adopters and score it: median absolute log error, coverage "
          "of the 50%/90% intervals, AUC and average precision of who adopts; per-cascade arrays in ['cascades'].");
  };
  def_eval(&evaluate_py<IndependentCascade>);
  def_eval(&evaluate_py<LinearThreshold>);
}

}  // namespace

void bind_learn(py::module_& m) {
  bind_cascades_class(m);
  bind_cascade_io(m);
  bind_learned_class(m);
  bind_discrete_learners(m);
  bind_netrate(m);
  bind_size_distribution(m);
  bind_continuous_reach(m);
  bind_prediction(m);
  bind_exposure(m);
}

}  // namespace kolsim::python
