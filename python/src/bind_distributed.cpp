// SPDX-License-Identifier: MIT
/// kolsim._distributed: the distributed back end (include/kolsim/distributed) on mpi4py
/// communicators. A separate extension module linked with MPI, so that kolsim._core never
/// depends on MPI; it uses the classes kolsim._core registers (models, SpreadEstimate,
/// SelectResult), which pybind11 shares between modules.
///
/// Every rank calls the same function with the same arguments and gets the one-process result.
/// Errors agree across ranks: the Python-side conversions (model, seeds, candidates...) run
/// before one agreement step, and the C++ algorithms agree on their own failures
/// (distributed/comm.hpp), so a bad argument on one rank raises the same exception on all.
#include <mpi.h>
#include <mpi4py/mpi4py.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>

#include "bind_common.hpp"
#include "bind_results.hpp"
#include "bind_select.hpp"
#include "kolsim/distributed/monte_carlo.hpp"
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

/// Runs `convert` (the Python-side argument conversions of one call) on every rank, then one
/// agreement (a MIN-reduction of the failed rank, as in distributed/comm.hpp): if any rank
/// failed, the failure of the lowest failed rank is raised on every rank with the same Python
/// exception type and message. Without it a rank with a bad argument would raise alone and
/// leave the others waiting in the first collective.
template <class F>
void agree_on_arguments(MPI_Comm comm, F&& convert) {
  PyKind kind = PyKind::none;
  std::string msg;
  try {
    convert();
  } catch (py::error_already_set& e) {
    kind = classify(e.type().ptr());
    msg = py::str(e.value());
  } catch (const py::type_error& e) {
    kind = PyKind::type, msg = e.what();
  } catch (const py::index_error& e) {
    kind = PyKind::index, msg = e.what();
  } catch (const py::value_error& e) {
    kind = PyKind::value, msg = e.what();
  } catch (const kolsim::IoError& e) {
    kind = PyKind::os, msg = e.what();
  } catch (const kolsim::MemoryLimitError& e) {
    kind = PyKind::memory, msg = e.what();
  } catch (const std::bad_alloc& e) {
    kind = PyKind::memory, msg = e.what();
  } catch (const std::out_of_range& e) {
    kind = PyKind::index, msg = e.what();
  } catch (const std::logic_error& e) {
    kind = PyKind::value, msg = e.what();
  } catch (const std::overflow_error& e) {
    kind = PyKind::overflow, msg = e.what();
  } catch (const std::exception& e) {
    kind = PyKind::runtime, msg = e.what();
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
auto with_model(py::handle model, F&& f) {
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

PySpreadEstimate estimate_py(py::handle model, py::handle seeds, std::uint64_t trials, std::uint64_t seed,
                             int threads, double target_relative_error, std::uint64_t max_trials,
                             std::optional<std::uint32_t> max_steps, py::handle seed_probabilities, bool per_account,
                             py::handle account_weights, bool fused, py::handle comm_obj) {
  const MPI_Comm mc = mpi_comm(comm_obj);  // a bad comm cannot agree on anything: it raises on its own
  const FollowerGraph* graph = nullptr;
  std::vector<vertex_t> s;
  MonteCarloOptions opt;
  agree_on_arguments(mc, [&] {
    with_model(model, [&](const auto& m) {
      graph = &m.graph;
      return 0;
    });
    s = vertex_vector(*graph, seeds, "seeds");
    opt.trials = trials;
    opt.seed = seed;
    opt.threads = threads;
    opt.target_relative_error = target_relative_error;
    opt.max_trials = max_trials;
    opt.max_steps = step_limit(max_steps);
    opt.seed_probabilities = number_vector<prob_t>(seed_probabilities, "seed_probabilities");
    opt.per_account = per_account;
    opt.account_weights = number_vector<double>(account_weights, "account_weights");
    opt.fused = fused;
  });
  opt.stop = python_stop_token();
  kd::Communicator comm(mc);
  SpreadEstimate e = with_model(model, [&](const auto& m) {
    return without_gil([&] { return kd::estimate_spread(comm, m.graph, m.model, std::span<const vertex_t>(s), opt); });
  });
  return to_python(std::move(e), per_account, seed);
}

/// Candidates, fixed seeds, seed and threads of a selector (fill_select_options without the
/// progress callable: that lives in kolsim._core's own thread-local slot).
void select_options(SelectOptions& opt, const FollowerGraph& g, py::handle candidates, py::handle fixed_seeds,
                    std::uint64_t seed, int threads) {
  opt.candidates = vertex_vector(g, candidates, "candidates");
  opt.fixed_seeds = vertex_vector(g, fixed_seeds, "fixed_seeds");
  opt.seed = seed;
  opt.threads = threads;
}

void add_stats(PySelectResult& out, const kd::DistributedStats& st) {
  py::dict d;
  d["ranks"] = st.ranks;
  d["local_sets"] = st.local_sets;
  d["local_entries"] = st.local_entries;
  d["local_peak_bytes"] = st.local_peak_bytes;
  out.extra["distributed"] = d;
}

PySelectResult imm_py(py::handle model, py::handle k_obj, double epsilon, double ell, std::size_t memory_limit,
                      std::optional<std::uint32_t> max_depth, py::handle root_weights, py::handle candidates,
                      py::handle fixed_seeds, std::uint64_t seed, int threads, double estimation_epsilon,
                      py::handle comm_obj) {
  const MPI_Comm mc = mpi_comm(comm_obj);
  const FollowerGraph* graph = nullptr;
  std::size_t k = 0;
  ImmOptions opt;
  agree_on_arguments(mc, [&] {
    with_model(model, [&](const auto& m) {
      graph = &m.graph;
      return 0;
    });
    k = seed_count(k_obj);
    select_options(opt, *graph, candidates, fixed_seeds, seed, threads);
    opt.epsilon = epsilon;
    opt.ell = ell;
    opt.estimation_epsilon = estimation_epsilon;
    opt.memory_limit = memory_limit;
    opt.max_depth = step_limit(max_depth);
    opt.root_weights = number_vector<double>(root_weights, "root_weights");
  });
  opt.stop = python_stop_token();
  kd::Communicator comm(mc);
  kd::DistributedStats st;
  ImmResult r = with_model(model, [&](const auto& m) {
    return without_gil([&] { return kd::imm(comm, m.graph, m.model, k, opt, &st); });
  });
  const auto theta = r.theta;
  const auto lb = r.lower_bound;
  const auto eps_p = r.estimation_epsilon;
  PySelectResult out = to_python(*graph, std::move(r), seed);
  out.extra["theta"] = theta;
  out.extra["lower_bound"] = lb;
  out.extra["estimation_epsilon"] = eps_p;
  add_stats(out, st);
  return out;
}

PySelectResult opim_py(py::handle model, py::handle k_obj, double epsilon, double delta, std::size_t memory_limit,
                       std::optional<std::uint32_t> max_depth, py::handle root_weights, py::handle candidates,
                       py::handle fixed_seeds, std::uint64_t seed, int threads, double selection_ratio,
                       py::handle comm_obj) {
  const MPI_Comm mc = mpi_comm(comm_obj);
  const FollowerGraph* graph = nullptr;
  std::size_t k = 0;
  OpimOptions opt;
  agree_on_arguments(mc, [&] {
    with_model(model, [&](const auto& m) {
      graph = &m.graph;
      return 0;
    });
    k = seed_count(k_obj);
    select_options(opt, *graph, candidates, fixed_seeds, seed, threads);
    opt.epsilon = epsilon;
    opt.delta = delta;
    opt.selection_ratio = selection_ratio;
    opt.memory_limit = memory_limit;
    opt.max_depth = step_limit(max_depth);
    opt.root_weights = number_vector<double>(root_weights, "root_weights");
  });
  opt.stop = python_stop_token();
  kd::Communicator comm(mc);
  kd::DistributedStats st;
  OpimResult r = with_model(model, [&](const auto& m) {
    return without_gil([&] { return kd::opim_c(comm, m.graph, m.model, k, opt, &st); });
  });
  const double ratio = r.certified_ratio, lo = r.lower_bound, hi = r.upper_bound;
  const int rounds = r.rounds;
  const auto validation = r.validation_sets;
  PySelectResult out = to_python(*graph, std::move(r), seed);
  out.extra["certified_ratio"] = ratio;
  out.extra["lower_bound"] = lo;
  out.extra["upper_bound"] = hi;
  out.extra["rounds"] = rounds;
  out.extra["validation_sets"] = validation;
  add_stats(out, st);
  return out;
}

/// A Python str of a C++ message whatever its bytes (as kolsim._core does).
py::str message_str(const char* what) {
  PyObject* s = PyUnicode_DecodeUTF8(what, static_cast<Py_ssize_t>(std::strlen(what)), "backslashreplace");
  if (s == nullptr) {
    PyErr_Clear();
    s = PyUnicode_FromString("(error message could not be decoded)");
  }
  return py::reinterpret_steal<py::str>(s);
}

void set_error(PyObject* type, const char* what) { PyErr_SetObject(type, message_str(what).ptr()); }

}  // namespace

}  // namespace kolsim::python

PYBIND11_MODULE(_distributed, m) {
  using namespace kolsim::python;
  m.doc() = "kolsim._distributed: the MPI back end on mpi4py communicators (use kolsim.distributed).";
  if (import_mpi4py() < 0) throw py::error_already_set();
  // The models and result classes are kolsim._core's: import it so that they are registered.
  py::module_ core = py::module_::import("kolsim._core");
  static py::handle parse_error_type = py::object(core.attr("ParseError")).release();

  // The same translation as kolsim._core, local to this module (so it does not depend on the
  // order in which the two modules registered their translators).
  py::register_local_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const py::error_already_set&) {
      throw;
    } catch (const py::builtin_exception&) {
      throw;
    } catch (const kolsim::ParseError& e) {
      py::object exc = parse_error_type(message_str(e.what()));
      exc.attr("file") = py::str(e.file());
      exc.attr("line") = py::int_(e.line());
      PyErr_SetObject(parse_error_type.ptr(), exc.ptr());
    } catch (const kolsim::IoError& e) {
      set_error(PyExc_OSError, e.what());
    } catch (const kolsim::MemoryLimitError& e) {
      set_error(PyExc_MemoryError, e.what());
    } catch (const kolsim::Interrupted& e) {
      set_error(PyExc_KeyboardInterrupt, e.what());
    } catch (const std::bad_alloc& e) {
      set_error(PyExc_MemoryError, e.what());
    } catch (const std::out_of_range& e) {
      set_error(PyExc_IndexError, e.what());
    } catch (const std::logic_error& e) {
      set_error(PyExc_ValueError, e.what());
    } catch (const std::overflow_error& e) {
      set_error(PyExc_OverflowError, e.what());
    } catch (const std::range_error& e) {
      set_error(PyExc_ValueError, e.what());
    } catch (const std::exception& e) {
      set_error(PyExc_RuntimeError, e.what());
    }
  });

  m.def("estimate_spread", &estimate_py, py::arg("model"), py::arg("seeds"),
        py::arg("trials") = kolsim::MonteCarloOptions{}.trials, py::arg("seed") = 0, py::arg("threads") = 0,
        py::arg("target_relative_error") = 0.0, py::arg("max_trials") = kolsim::MonteCarloOptions{}.max_trials,
        py::arg("max_steps") = py::none(), py::arg("seed_probabilities") = py::none(),
        py::arg("per_account") = false, py::arg("account_weights") = py::none(), py::arg("fused") = true,
        py::kw_only(), py::arg("comm") = py::none());
  m.def("imm", &imm_py, py::arg("model"), py::arg("k"), py::arg("epsilon") = kolsim::ImmOptions{}.epsilon,
        py::arg("ell") = kolsim::ImmOptions{}.ell, py::arg("memory_limit") = 0, py::arg("max_depth") = py::none(),
        py::arg("root_weights") = py::none(), py::arg("candidates") = py::none(),
        py::arg("fixed_seeds") = py::none(), py::arg("seed") = 0, py::arg("threads") = 0,
        py::arg("estimation_epsilon") = 0.0, py::kw_only(), py::arg("comm") = py::none());
  m.def("opim_c", &opim_py, py::arg("model"), py::arg("k"), py::arg("epsilon") = kolsim::OpimOptions{}.epsilon,
        py::arg("delta") = kolsim::OpimOptions{}.delta, py::arg("memory_limit") = 0,
        py::arg("max_depth") = py::none(), py::arg("root_weights") = py::none(),
        py::arg("candidates") = py::none(), py::arg("fixed_seeds") = py::none(), py::arg("seed") = 0,
        py::arg("threads") = 0, py::arg("selection_ratio") = kolsim::OpimOptions{}.selection_ratio, py::kw_only(),
        py::arg("comm") = py::none());
}
