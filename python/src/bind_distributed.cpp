// SPDX-License-Identifier: MIT
/// kolsim._distributed: the distributed back end (include/kolsim/distributed) on mpi4py
/// communicators. A separate extension module linked with MPI, so that kolsim._core never
/// depends on MPI; it uses the classes kolsim._core registers (models, SpreadEstimate,
/// SelectResult, Roster, Audience, CampaignPlan), which pybind11 shares between modules.
///
/// Every rank calls the same function with the same arguments and gets the one-process result.
/// Errors agree across ranks: the Python-side conversions (model, seeds, candidates...) run
/// before one agreement step, and the C++ algorithms agree on their own failures
/// (distributed/comm.hpp), so a bad argument on one rank raises the same exception on all.
#include <mpi.h>
#include <mpi4py/mpi4py.h>

#include <cstdint>
#include <exception>
#include <map>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>

#include "bind_common.hpp"
#include "bind_errors.hpp"
#include "bind_options.hpp"
#include "bind_plan.hpp"
#include "bind_results.hpp"
#include "bind_select.hpp"
#include "kolsim/distributed/competitive.hpp"
#include "kolsim/distributed/monte_carlo.hpp"
#include "kolsim/distributed/plan.hpp"
#include "kolsim/distributed/select.hpp"

namespace kolsim::python {

namespace {

namespace kd = kolsim::distributed;

/// The MPI communicator of an mpi4py Comm (None: mpi4py.MPI.COMM_WORLD). TypeError for anything
/// else, ValueError for COMM_NULL and intercommunicators.
MPI_Comm mpi_comm(py::handle obj) {
  py::object comm = py::reinterpret_borrow<py::object>(obj);
  if (comm.is_none()) comm = py::module_::import("mpi4py.MPI").attr("COMM_WORLD");
  if (!PyObject_TypeCheck(comm.ptr(), &PyMPIComm_Type))
    throw py::type_error(detail::concat("comm: expected an mpi4py.MPI.Comm, got ",
                                        std::string(py::str(py::type::of(comm).attr("__name__")))));
  MPI_Comm* c = PyMPIComm_Get(comm.ptr());
  if (c == nullptr) throw py::error_already_set();
  KOLSIM_REQUIRE(*c != MPI_COMM_NULL, "comm: MPI.COMM_NULL is not a communicator to run on");
  int inter = 0;
  MPI_Comm_test_inter(*c, &inter);
  KOLSIM_REQUIRE(!inter, "comm: an intercommunicator; pass an intracommunicator (e.g. MPI.COMM_WORLD)");
  return *c;
}

/// Python exception kinds that travel in the argument agreement.
enum class PyKind : int { none = 0, value, index, type, overflow, memory, os, keyboard, runtime };

PyObject* py_type(PyKind k) {
  switch (k) {
    case PyKind::value: return PyExc_ValueError;
    case PyKind::index: return PyExc_IndexError;
    case PyKind::type: return PyExc_TypeError;
    case PyKind::overflow: return PyExc_OverflowError;
    case PyKind::memory: return PyExc_MemoryError;
    case PyKind::os: return PyExc_OSError;
    case PyKind::keyboard: return PyExc_KeyboardInterrupt;
    default: return PyExc_RuntimeError;
  }
}

PyKind classify(PyObject* type) {
  // Most derived first: IndexError and KeyError are LookupErrors, not ValueErrors.
  if (PyErr_GivenExceptionMatches(type, PyExc_IndexError)) return PyKind::index;
  if (PyErr_GivenExceptionMatches(type, PyExc_TypeError)) return PyKind::type;
  if (PyErr_GivenExceptionMatches(type, PyExc_OverflowError)) return PyKind::overflow;
  if (PyErr_GivenExceptionMatches(type, PyExc_ValueError)) return PyKind::value;
  if (PyErr_GivenExceptionMatches(type, PyExc_MemoryError)) return PyKind::memory;
  if (PyErr_GivenExceptionMatches(type, PyExc_OSError)) return PyKind::os;
  if (PyErr_GivenExceptionMatches(type, PyExc_KeyboardInterrupt)) return PyKind::keyboard;
  return PyKind::runtime;
}

/// kolsim.ParseError (kolsim._core's class), set when the module is imported.
py::handle parse_error_type;

/// The Python error an exception becomes through the modules' one translation (bind_errors.hpp).
py::error_already_set python_error(std::exception_ptr p) {
  try {
    translate_exception(p, parse_error_type);
  } catch (py::error_already_set& e) {
    return std::move(e);
  } catch (const py::builtin_exception& e) {
    e.set_error();
  } catch (...) {
    PyErr_SetString(PyExc_RuntimeError, "unknown C++ exception");
  }
  return py::error_already_set();  // fetches the error set above
}

/// Runs `convert` (the Python-side argument conversions of one call) on every rank, then one
/// agreement (a MIN-reduction of the failed rank, as in distributed/comm.hpp): if any rank
/// failed, the failure of the lowest failed rank is raised on every rank with the same Python
/// exception type and message. Without it a rank with a bad argument would raise alone and
/// leave the others waiting in the first collective.
/// Calls that reached agree_on_arguments in this process (kolsim.distributed reads it to tell a
/// call pybind11 rejected before any collective from an error the ranks agreed on).
std::uint64_t agreements_entered = 0;

template <class F>
void agree_on_arguments(MPI_Comm comm, F&& convert) {
  ++agreements_entered;
  PyKind kind = PyKind::none;
  std::string msg;
  try {
    convert();
  } catch (...) {
    py::error_already_set e = python_error(std::current_exception());
    kind = classify(e.type().ptr());
    msg = py::str(e.value());
  }
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  int flag = kind == PyKind::none ? size : rank, first = size;
  MPI_Allreduce(&flag, &first, 1, MPI_INT, MPI_MIN, comm);
  if (first == size) return;
  int k = static_cast<int>(kind);
  MPI_Bcast(&k, 1, MPI_INT, first, comm);
  long long len = static_cast<long long>(msg.size());
  MPI_Bcast(&len, 1, MPI_LONG_LONG, first, comm);
  msg.resize(static_cast<std::size_t>(len));
  MPI_Bcast(msg.data(), static_cast<int>(len), MPI_CHAR, first, comm);
  PyObject* text = PyUnicode_DecodeUTF8(msg.data(), static_cast<Py_ssize_t>(msg.size()), "backslashreplace");
  if (text == nullptr) throw py::error_already_set();
  PyErr_SetObject(py_type(static_cast<PyKind>(k)), text);
  Py_DECREF(text);
  throw py::error_already_set();
}

/// Calls f(bound_model) with the C++ model class of `model` (IndependentCascade or LinearThreshold).
template <class F>
decltype(auto) with_model(py::handle model, F&& f) {
  if (py::isinstance<BoundIC>(model)) return f(model.cast<const BoundIC&>());
  if (py::isinstance<BoundLT>(model)) return f(model.cast<const BoundLT&>());
  throw py::type_error(detail::concat("model: expected kolsim.IndependentCascade or kolsim.LinearThreshold, got ",
                                      std::string(py::str(py::type::of(model).attr("__name__")))));
}

std::size_t seed_count(py::handle k) {
  if (PyBool_Check(k.ptr()) || !PyIndex_Check(k.ptr()))
    throw py::type_error(detail::concat("k: expected an integer, got ", std::string(py::repr(k))));
  const auto v = k.cast<py::int_>();
  KOLSIM_REQUIRE(v.cast<long long>() >= 0, "k must be >= 0, got ", v.cast<long long>());
  return v.cast<std::size_t>();
}

/// The graph of `model` (the conversions of one call need it before the agreement).
const FollowerGraph& model_graph(py::handle model) {
  return with_model(model, [](const auto& m) -> const FollowerGraph& { return m.graph; });
}

PySpreadEstimate estimate_py(py::handle model, py::handle seeds, std::uint64_t trials, std::uint64_t seed,
                             int threads, double target_relative_error, std::uint64_t max_trials,
                             std::optional<std::uint32_t> max_steps, py::handle seed_probabilities, bool per_account,
                             py::handle account_weights, bool fused, py::handle comm_obj) {
  const MPI_Comm mc = mpi_comm(comm_obj);  // a bad comm cannot agree on anything: it raises on its own
  std::vector<vertex_t> s;
  MonteCarloOptions opt;
  agree_on_arguments(mc, [&] {
    s = vertex_vector(model_graph(model), seeds, "seeds");
    opt = monte_carlo_options(trials, seed, threads, target_relative_error, max_trials, max_steps, seed_probabilities,
                              per_account, account_weights, fused);
  });
  kd::Communicator comm(mc);
  SpreadEstimate e = with_model(model, [&](const auto& m) {
    return without_gil([&] { return kd::estimate_spread(comm, m.graph, m.model, std::span<const vertex_t>(s), opt); });
  });
  return to_python(std::move(e), per_account, seed);
}

void add_stats(PySelectResult& out, const kd::DistributedStats& st) {
  py::dict d;
  d["ranks"] = st.ranks;
  d["local_sets"] = st.local_sets;
  d["local_entries"] = st.local_entries;
  d["local_peak_bytes"] = st.local_peak_bytes;
  out.extra["distributed"] = d;
}

/// One distributed RR selection: `fill(opt, graph)` converts the keywords (agreed across ranks),
/// `select(comm, graph, model, k, opt, stats)` runs it, `convert(graph, result, seed)` builds
/// the Python result, to which this rank's figures are added.
template <class Options, class Fill, class Select, class Convert>
PySelectResult select_py(py::handle model, py::handle k_obj, std::uint64_t seed, py::handle comm_obj, Fill&& fill,
                         Select&& select, Convert&& convert) {
  const MPI_Comm mc = mpi_comm(comm_obj);
  std::size_t k = 0;
  Options opt;
  agree_on_arguments(mc, [&] {
    const FollowerGraph& g = model_graph(model);
    k = seed_count(k_obj);
    fill(opt, g);
  });
  kd::Communicator comm(mc);
  kd::DistributedStats st;
  auto r = with_model(model, [&](const auto& m) {
    return without_gil([&] { return select(comm, m.graph, m.model, k, opt, &st); });
  });
  PySelectResult out = convert(model_graph(model), std::move(r), seed);
  add_stats(out, st);
  return out;
}

PySelectResult imm_py(py::handle model, py::handle k_obj, double epsilon, double ell, std::size_t memory_limit,
                      std::optional<std::uint32_t> max_depth, py::handle root_weights, py::handle candidates,
                      py::handle fixed_seeds, std::uint64_t seed, int threads, double estimation_epsilon,
                      const std::string& bound_phase, double validation_ratio, py::handle comm_obj) {
  auto fill = [&](ImmOptions& opt, const FollowerGraph& g) {
    fill_rr_options(opt, g, candidates, fixed_seeds, seed, threads, memory_limit, max_depth, root_weights);
    fill_imm_options(opt, epsilon, ell, estimation_epsilon, bound_phase, validation_ratio);
  };
  auto select = [](auto&&... a) { return kd::imm(a...); };
  return select_py<ImmOptions>(model, k_obj, seed, comm_obj, fill, select, imm_result);
}

PySelectResult opim_py(py::handle model, py::handle k_obj, double epsilon, double delta, std::size_t memory_limit,
                       std::optional<std::uint32_t> max_depth, py::handle root_weights, py::handle candidates,
                       py::handle fixed_seeds, std::uint64_t seed, int threads, double selection_ratio,
                       double max_selection_noise, py::handle comm_obj) {
  auto fill = [&](OpimOptions& opt, const FollowerGraph& g) {
    fill_rr_options(opt, g, candidates, fixed_seeds, seed, threads, memory_limit, max_depth, root_weights);
    fill_opim_options(opt, epsilon, delta, selection_ratio, max_selection_noise);
  };
  auto select = [](auto&&... a) { return kd::opim_c(a...); };
  return select_py<OpimOptions>(model, k_obj, seed, comm_obj, fill, select, opim_result);
}

/// Calls f(model) with the C++ competitive model of `model` (CompetitiveIC or CompetitiveLT).
template <class F>
auto with_competitive_model(py::handle model, F&& f) {
  if (py::isinstance<CompetitiveIC>(model)) return f(model.cast<const CompetitiveIC&>());
  if (py::isinstance<CompetitiveLT>(model)) return f(model.cast<const CompetitiveLT&>());
  throw py::type_error(detail::concat("model: expected kolsim.CompetitiveIC or kolsim.CompetitiveLT, got ",
                                      std::string(py::str(py::type::of(model).attr("__name__")))));
}

py::object competition_py(py::handle model, py::handle misleading_seeds, py::handle corrective_seeds,
                          std::uint64_t trials, std::uint64_t seed, int threads, std::optional<std::uint32_t> max_steps,
                          py::handle comm_obj) {
  const MPI_Comm mc = mpi_comm(comm_obj);
  std::vector<vertex_t> f, c;
  CompetitionOptions opt;
  agree_on_arguments(mc, [&] {
    with_competitive_model(model, [&](const auto& m) {
      f = vertex_vector(seed_graph(m), misleading_seeds, "misleading_seeds");
      c = vertex_vector(seed_graph(m), corrective_seeds, "corrective_seeds");
      return 0;
    });
    opt = competition_options(trials, seed, threads, max_steps);
  });
  kd::Communicator comm(mc);
  CompetitiveEstimate e = with_competitive_model(model, [&](const auto& m) {
    return without_gil([&] {
      return kd::estimate_competition(comm, m, std::span<const vertex_t>(f), std::span<const vertex_t>(c), opt);
    });
  });
  return competitive_estimate_object(std::move(e));
}

/// Calls f(bound_model) with the C++ model class of plan_campaign's `model` (IndependentCascade,
/// LinearThreshold or ContinuousIC).
template <class F>
decltype(auto) with_plan_model(py::handle model, F&& f) {
  if (py::isinstance<BoundIC>(model)) return f(model.cast<const BoundIC&>());
  if (py::isinstance<BoundLT>(model)) return f(model.cast<const BoundLT&>());
  if (py::isinstance<BoundModel<ContinuousIC>>(model)) return f(model.cast<const BoundModel<ContinuousIC>&>());
  throw py::type_error(detail::concat(
      "model: expected kolsim.IndependentCascade, kolsim.LinearThreshold or kolsim.ContinuousIC, got ",
      std::string(py::str(py::type::of(model).attr("__name__")))));
}

/// `obj` as a T of kolsim._core (TypeError naming `what` and the class otherwise).
template <class T>
const T& core_object(py::handle obj, const char* what, const char* expected) {
  if (!py::isinstance<T>(obj))
    throw py::type_error(detail::concat(what, ": expected ", expected, ", got ",
                                        std::string(py::str(py::type::of(obj).attr("__name__")))));
  return obj.cast<const T&>();
}

CampaignPlan plan_py(py::handle model, py::handle roster_obj, double budget, std::size_t max_kols, double max_risk,
                     const std::string& risk_mode, double risk_penalty, std::optional<std::uint32_t> deadline,
                     std::optional<double> deadline_hours, double epsilon, double delta, std::uint64_t seed,
                     int threads, py::handle audience, py::handle group_minimums, std::uint64_t check_trials,
                     py::handle budget_curve, const std::string& method, py::handle contracted, py::handle excluded,
                     std::size_t memory_limit, py::handle comm_obj) {
  const MPI_Comm mc = mpi_comm(comm_obj);
  const Roster* roster = nullptr;
  CampaignSpec spec;
  agree_on_arguments(mc, [&] {
    with_plan_model(model, [](const auto&) { return 0; });
    roster = &core_object<Roster>(roster_obj, "roster", "kolsim.Roster");
    std::optional<Audience> a;
    if (!audience.is_none()) a = core_object<Audience>(audience, "audience", "kolsim.Audience or None");
    std::map<std::string, double> minimums;
    try {
      minimums = group_minimums.cast<std::map<std::string, double>>();
    } catch (const py::cast_error&) {
      throw py::type_error(detail::concat("group_minimums: expected a dict of str to float, got ",
                                          std::string(py::repr(group_minimums))));
    }
    spec = campaign_spec(budget, max_kols, max_risk, risk_mode, risk_penalty, deadline, deadline_hours, epsilon, delta,
                         seed, threads, std::move(a), minimums, check_trials, budget_curve, method, contracted,
                         excluded, memory_limit);
  });
  kd::Communicator comm(mc);
  CampaignPlan plan = with_plan_model(model, [&](const auto& m) {
    return without_gil([&] { return kd::plan_campaign(comm, m.graph, m.model, *roster, spec); });
  });
  plan.spec.stop = nullptr;  // the token must not outlive the call
  plan.spec.progress = nullptr;
  return plan;
}

}  // namespace

}  // namespace kolsim::python

PYBIND11_MODULE(_distributed, m) {
  using namespace kolsim::python;
  m.doc() = "kolsim._distributed: the MPI back end on mpi4py communicators (use kolsim.distributed).";
  if (import_mpi4py() < 0) throw py::error_already_set();
  // The models and result classes are kolsim._core's: import it so that they are registered.
  py::module_ core = py::module_::import("kolsim._core");
  parse_error_type = py::object(core.attr("ParseError")).release();

  // The same translation as kolsim._core (bind_errors.hpp), local to this module (so it does not
  // depend on the order in which the two modules registered their translators).
  py::register_local_exception_translator([](std::exception_ptr p) { translate_exception(p, parse_error_type); });

  // Keywords and defaults are those of the serial functions (bind_options.hpp), plus comm.
  def_estimate_spread(m, &estimate_py, py::kw_only(), py::arg("comm") = py::none());
  def_imm(m, &imm_py, py::kw_only(), py::arg("comm") = py::none());
  def_opim_c(m, &opim_py, py::kw_only(), py::arg("comm") = py::none());
  def_estimate_competition(m, &competition_py, py::kw_only(), py::arg("comm") = py::none());
  def_plan_campaign(m, &plan_py, py::kw_only(), py::arg("comm") = py::none());
  // A call pybind11 rejected on this rank (a keyword of the wrong type) never reached the
  // agreement its peers are waiting in: kolsim.distributed joins it here with that TypeError.
  m.def("_join_with_type_error", [](py::object comm, const std::string& message) {
    agree_on_arguments(mpi_comm(comm), [&] { throw py::type_error(message); });
  }, py::arg("comm"), py::arg("message"));
  m.def("_agreements_entered", [] { return agreements_entered; });
}
