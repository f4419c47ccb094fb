// SPDX-License-Identifier: MIT
/// The kolsim._core extension: exception mapping and one bind_<layer> call per layer.
#include "bind_common.hpp"
#include "bind_errors.hpp"
#include "bind_pickle.hpp"
#include "kolsim/io/edge_list.hpp"

#include "kolsim/core/version.hpp"

#include <exception>
#include <string>

namespace py = pybind11;

namespace kolsim::python {

void bind_competitive(py::module_& m);
void bind_blocking(py::module_& m);
void bind_campaign(py::module_& m);
void bind_opinion(py::module_& m);
void bind_learn(py::module_& m);
void bind_models(py::module_& m);
void bind_time_critical(py::module_& m);
void bind_multiplex(py::module_& m);

void bind_core(py::module_& m) {
  m.attr("__version__") = KOLSIM_VERSION_INFO;
  m.def("version", [] { return std::string(kolsim::version()); },
        R"doc(Version string of the compiled C++ library.

Returns
-------
str
    "major.minor.patch".

Examples
--------
>>> import kolsim
>>> kolsim.version().count(".")
2
)doc");
  m.def(
      "_set_progress",
      [](py::object callback) -> py::object {
        PyObject*& slot = progress_slot();
        py::object previous = slot ? py::reinterpret_steal<py::object>(slot) : py::none();
        slot = callback.is_none() ? nullptr : callback.inc_ref().ptr();
        return previous;
      },
      py::arg("callback"),
      "Sets the progress callable (phase, done, total) of this thread's next calls; returns the previous one.");
  m.def("hardware_threads", &kolsim::hardware_threads,
        R"doc(Threads the machine offers (1 when built without OpenMP); ``threads=0`` uses them all.

Examples
--------
>>> import kolsim
>>> kolsim.hardware_threads() >= 1
True
)doc");
}

}  // namespace kolsim::python

PYBIND11_MODULE(_core, m) {
  using namespace kolsim::python;
  m.doc() = "kolsim._core: the compiled part of kolsim (use the `kolsim` package instead).";

  // ParseError is a ValueError subclass carrying .file and .line.
  static py::handle parse_error_type = [] {
    py::dict attrs;
    attrs["__doc__"] = "Malformed input data; .file and .line locate it (line 0: not tied to one line).";
    attrs["file"] = py::none();
    attrs["line"] = 0;
    PyObject* t = PyErr_NewException("kolsim.ParseError", PyExc_ValueError, attrs.ptr());
    if (t == nullptr) throw py::error_already_set();
    return py::handle(t);
  }();
  m.attr("ParseError") = parse_error_type;

  // Every C++ exception is translated here (bind_errors.hpp), so that no message can fail to convert.
  py::register_exception_translator([](std::exception_ptr p) { translate_exception(p, parse_error_type); });

  bind_core(m);
  bind_graph(m);
  bind_io(m);
  {
    // bind_io.cpp defines EdgeListReport; its pickle lives here with the other result classes'
    // decisions (test_pickle.py compares every attribute, so a new field must be listed).
    using R = kolsim::EdgeListReport;
    py::class_<R> report(m.attr("EdgeListReport"));
    report.def(field_pickle("EdgeListReport", &R::path, &R::build, &R::lines, &R::comment_lines, &R::blank_lines,
                            &R::edge_lines, &R::parse_seconds, &R::build_seconds, &R::unused_numeric_columns));
  }
  bind_diffusion(m);
  bind_estimate(m);
  bind_select(m);
  bind_heuristics(m);
  bind_competitive(m);
  bind_blocking(m);
  bind_campaign(m);
  bind_opinion(m);
  bind_learn(m);
  bind_models(m);
  bind_time_critical(m);
  bind_multiplex(m);
}
