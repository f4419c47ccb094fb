// SPDX-License-Identifier: MIT
/// Helpers shared by the kolsim._core bindings: numpy conversions, zero-copy views, GIL release
/// and the stop token that turns Ctrl-C into kolsim::Interrupted.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/progress.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/diffusion/model.hpp"
#include "kolsim/graph/builder.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim::python {

namespace py = pybind11;

void bind_core(py::module_& m);
void bind_graph(py::module_& m);
void bind_io(py::module_& m);
void bind_diffusion(py::module_& m);
void bind_estimate(py::module_& m);
void bind_select(py::module_& m);
void bind_heuristics(py::module_& m);

/// A std::vector moved into a numpy array whose memory a capsule owns (no copy).
template <class T>
py::array_t<T> to_numpy(std::vector<T>&& v) {
  auto* owned = new std::vector<T>(std::move(v));
  py::capsule owner(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>({static_cast<py::ssize_t>(owned->size())}, {static_cast<py::ssize_t>(sizeof(T))},
                        owned->data(), owner);
}

/// A read-only numpy view of memory kept alive by `base` (typically the owning Python object).
template <class T>
py::array_t<T> readonly_view(std::span<const T> s, py::handle base) {
  py::array_t<T> a({static_cast<py::ssize_t>(s.size())}, {static_cast<py::ssize_t>(sizeof(T))}, s.data(), base);
  py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return a;
}

/// Converts any array-like of non-negative integers to account ids. Float, bool, string or
/// object arrays raise TypeError; negative ids raise IndexError (they name no account).
inline std::vector<account_t> account_vector(py::handle obj, const char* what) {
  if (obj.is_none()) return {};
  if (py::isinstance<py::list>(obj) || py::isinstance<py::tuple>(obj)) {
    // Python ints element by element: numpy would turn [2**64 - 1, 5] into float64.
    const auto seq = py::reinterpret_borrow<py::sequence>(obj);
    std::vector<account_t> out;
    out.reserve(seq.size());
    for (py::handle item : seq) {
      if (PyBool_Check(item.ptr()) || !PyIndex_Check(item.ptr()))
        throw py::type_error(detail::concat(what, ": account ids must be integers, got ",
                                            std::string(py::repr(item))));
      const auto v = py::reinterpret_steal<py::object>(PyNumber_Index(item.ptr()));
      if (!v) throw py::error_already_set();
      int overflow = 0;
      const long long sv = PyLong_AsLongLongAndOverflow(v.ptr(), &overflow);
      if (overflow < 0 || (overflow == 0 && sv < 0))
        throw std::out_of_range(detail::concat(what, ": account ", std::string(py::str(v)),
                                               " is not in the graph (ids are >= 0)"));
      const unsigned long long uv = PyLong_AsUnsignedLongLong(v.ptr());
      if (uv == static_cast<unsigned long long>(-1) && PyErr_Occurred()) {
        PyErr_Clear();
        throw std::out_of_range(detail::concat(what, ": account ", std::string(py::str(v)),
                                               " is not in the graph (ids are < 2**64)"));
      }
      out.push_back(static_cast<account_t>(uv));
    }
    return out;
  }
  py::array arr = py::array::ensure(obj);
  if (!arr) throw py::type_error(std::string(what) + ": expected an array-like of integer account ids");
  if (arr.size() == 0) return {};
  if (arr.ndim() != 1) throw py::value_error(std::string(what) + ": expected a one-dimensional array of account ids");
  const char kind = arr.dtype().kind();
  std::vector<account_t> out(static_cast<std::size_t>(arr.size()));
  if (kind == 'u') {
    auto a = py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>::ensure(arr);
    std::copy(a.data(), a.data() + a.size(), out.begin());
  } else if (kind == 'i') {
    auto a = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(arr);
    for (py::ssize_t i = 0; i < a.size(); ++i) {
      if (a.data()[i] < 0)
        throw std::out_of_range(detail::concat(what, ": account ", a.data()[i], " is not in the graph (ids are >= 0)"));
      out[static_cast<std::size_t>(i)] = static_cast<account_t>(a.data()[i]);
    }
  } else {
    throw py::type_error(detail::concat(what, ": account ids must be integers, got dtype ",
                                        std::string(py::str(arr.dtype()))));
  }
  return out;
}

/// Converts an array-like of numbers to a vector of T (float32/float64/int inputs; others raise).
template <class T>
std::vector<T> number_vector(py::handle obj, const char* what) {
  if (obj.is_none()) return {};
  py::array arr = py::array::ensure(obj);
  if (!arr) throw py::type_error(std::string(what) + ": expected an array-like of numbers");
  if (arr.size() == 0) return {};
  if (arr.ndim() != 1) throw py::value_error(std::string(what) + ": expected a one-dimensional array");
  const char kind = arr.dtype().kind();
  if (kind != 'f' && kind != 'i' && kind != 'u')
    throw py::type_error(detail::concat(what, ": expected real numbers, got dtype ", std::string(py::str(arr.dtype()))));
  auto a = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(arr);
  return std::vector<T>(a.data(), a.data() + a.size());
}

/// Dense vertices of a list of account ids (IndexError naming the first unknown account).
inline std::vector<vertex_t> vertex_vector(const FollowerGraph& g, py::handle obj, const char* what) {
  const auto ids = account_vector(obj, what);
  return g.indices_of(ids);
}

/// Account ids of dense vertices, as a numpy uint64 array.
inline py::array_t<account_t> accounts_array(const FollowerGraph& g, std::span<const vertex_t> vs) {
  return to_numpy(g.accounts_of(vs));
}

/// A filesystem path from str, bytes or os.PathLike, as the bytes os.fsencode gives: str paths
/// with lone surrogates (undecodable names from os.listdir) name the same file as their bytes.
/// Anything else raises TypeError naming the type; an embedded NUL raises ValueError.
inline std::string to_path(py::handle obj) {
  py::object os = py::module_::import("os");
  py::object p;
  try {
    p = os.attr("fsencode")(obj);
  } catch (py::error_already_set& e) {
    if (!e.matches(PyExc_TypeError)) throw;
    throw py::type_error(detail::concat("expected a path (str, bytes or os.PathLike), got ",
                                        std::string(py::str(py::type::of(obj).attr("__name__")))));
  }
  std::string s = p.cast<std::string>();
  if (s.find('\0') != std::string::npos) throw py::value_error("path contains a NUL byte");
  return s;
}

/// Optional step limit: None means no deadline.
inline std::uint32_t step_limit(const std::optional<std::uint32_t>& max_steps) {
  return max_steps ? *max_steps : std::numeric_limits<std::uint32_t>::max();
}

/// A stop token for long calls made with the GIL released: at most every 20 ms it takes the GIL
/// back, runs the Python signal handlers (PyErr_CheckSignals) and asks C++ to stop if one
/// raised (Ctrl-C). The pending Python error is cleared; the binding layer turns the resulting
/// kolsim::Interrupted into KeyboardInterrupt. Once it has said stop, it keeps saying stop.
inline StopToken python_stop_token() {
  struct State {
    std::atomic<std::int64_t> last_ms{-1000000};
    std::atomic<bool> stopped{false};
  };
  auto state = std::make_shared<State>();
  return [state]() -> bool {
    if (state->stopped.load(std::memory_order_relaxed)) return true;
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now().time_since_epoch())
                         .count();
    if (now - state->last_ms.load(std::memory_order_relaxed) < 20) return false;
    state->last_ms.store(now, std::memory_order_relaxed);
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) {
      PyErr_Clear();
      state->stopped.store(true, std::memory_order_relaxed);
      return true;
    }
    return false;
  };
}

/// The progress callable of the calling Python thread (kolsim._core._set_progress; None = none).
inline PyObject*& progress_slot() {
  thread_local PyObject* callback = nullptr;
  return callback;
}

/// A ProgressFn calling the callable set by kolsim._core._set_progress (empty when none is set),
/// taken when the options are filled (GIL held). It takes the GIL for each report, at most every
/// 50 ms per phase plus every phase change and phase end, so a Python callable costs nothing
/// measurable. A callable that raises is reported once as unraisable and not called again.
inline ProgressFn python_progress() {
  PyObject* cb = progress_slot();
  if (cb == nullptr) return {};
  Py_INCREF(cb);
  struct State {
    std::shared_ptr<PyObject> callback;
    std::string phase;
    std::int64_t last_ms = -1000000;
    bool failed = false;
  };
  auto state = std::make_shared<State>();
  state->callback = std::shared_ptr<PyObject>(cb, [](PyObject* p) {
    py::gil_scoped_acquire gil;
    Py_DECREF(p);
  });
  return [state](std::string_view phase, std::uint64_t done, std::uint64_t total) {
    if (state->failed) return;
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now().time_since_epoch())
                         .count();
    const bool same_phase = phase == state->phase;
    if (same_phase && done != total && now - state->last_ms < 50) return;
    state->last_ms = now;
    if (!same_phase) state->phase.assign(phase);
    py::gil_scoped_acquire gil;
    // The arguments are built as Python objects (no "s#" format, so no PY_SSIZE_T_CLEAN needed).
    PyObject* py_phase = PyUnicode_DecodeUTF8(phase.data(), static_cast<Py_ssize_t>(phase.size()), "replace");
    PyObject* py_done = PyLong_FromUnsignedLongLong(static_cast<unsigned long long>(done));
    PyObject* py_total = PyLong_FromUnsignedLongLong(static_cast<unsigned long long>(total));
    PyObject* r = nullptr;
    if (py_phase != nullptr && py_done != nullptr && py_total != nullptr)
      r = PyObject_CallFunctionObjArgs(state->callback.get(), py_phase, py_done, py_total, nullptr);
    Py_XDECREF(py_phase);
    Py_XDECREF(py_done);
    Py_XDECREF(py_total);
    if (r == nullptr) {
      state->failed = true;
      PyErr_WriteUnraisable(state->callback.get());
      return;
    }
    Py_DECREF(r);
  };
}

/// BuildOptions from the Python keyword arguments (policies given by name).
inline BuildOptions build_options(bool undirected, bool flip, const std::string& self_loops,
                                  const std::string& duplicates, int threads) {
  BuildOptions o;
  o.undirected = undirected;
  o.flip = flip;
  o.threads = threads;
  o.self_loops = parse_choice("self_loops", self_loops, self_loops_choices);
  o.duplicates = parse_choice("duplicates", duplicates, duplicates_choices);
  return o;
}

/// A diffusion model bound to its graph: the Python model objects carry the graph they run on,
/// validated once at construction.
template <class M>
struct BoundModel {
  FollowerGraph graph;
  M model;
  explicit BoundModel(FollowerGraph g) : graph(std::move(g)) { model.validate(graph); }
};
using BoundIC = BoundModel<IndependentCascade>;
using BoundLT = BoundModel<LinearThreshold>;

/// Runs f() with the GIL released (inputs must already be converted to C++ values).
template <class F>
auto without_gil(F&& f) {
  py::gil_scoped_release release;
  return f();
}

}  // namespace kolsim::python
