// SPDX-License-Identifier: MIT
/// The kolsim._core extension: exception mapping and one bind_<layer> call per layer.
#include "bind_common.hpp"

#include "kolsim/core/version.hpp"

namespace py = pybind11;

namespace kolsim::python {

void bind_competitive(py::module_& m);
void bind_blocking(py::module_& m);
void bind_campaign(py::module_& m);
void bind_opinion(py::module_& m);
void bind_learn(py::module_& m);

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

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const kolsim::ParseError& e) {
      py::object exc = parse_error_type(py::str(e.what()));
      exc.attr("file") = py::str(e.file());
      exc.attr("line") = py::int_(e.line());
      PyErr_SetObject(parse_error_type.ptr(), exc.ptr());
    } catch (const kolsim::IoError& e) {
      PyErr_SetString(PyExc_OSError, e.what());
    } catch (const kolsim::MemoryLimitError& e) {
      PyErr_SetString(PyExc_MemoryError, e.what());
    } catch (const kolsim::Interrupted& e) {
      PyErr_SetString(PyExc_KeyboardInterrupt, e.what());
    }
  });

  bind_core(m);
  bind_graph(m);
  bind_io(m);
  bind_diffusion(m);
  bind_estimate(m);
  bind_select(m);
  bind_heuristics(m);
  bind_competitive(m);
  bind_blocking(m);
  bind_campaign(m);
  bind_opinion(m);
  bind_learn(m);
}
