// SPDX-License-Identifier: MIT
/// The kolsim._core extension: exception mapping and one bind_<layer> call per layer.
#include "bind_common.hpp"
#include "bind_pickle.hpp"
#include "kolsim/io/edge_list.hpp"

#include "kolsim/core/version.hpp"

#include <cstring>
#include <new>
#include <stdexcept>
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

namespace {

/// A Python str of a C++ message whatever its bytes: UTF-8, with invalid bytes as \xNN.
py::str message_str(const char* what) {
  PyObject* s = PyUnicode_DecodeUTF8(what, static_cast<Py_ssize_t>(std::strlen(what)), "backslashreplace");
  if (s == nullptr) {  // only on memory exhaustion
    PyErr_Clear();
    s = PyUnicode_FromString("(error message could not be decoded)");
  }
  return py::reinterpret_steal<py::str>(s);
}

/// A file name as os.fsdecode gives it (undecodable bytes as lone surrogates).
py::object filename_str(const std::string& file) {
  PyObject* s = PyUnicode_DecodeFSDefaultAndSize(file.data(), static_cast<Py_ssize_t>(file.size()));
  if (s == nullptr) {
    PyErr_Clear();
    return message_str(file.c_str());
  }
  return py::reinterpret_steal<py::object>(s);
}

void set_error(PyObject* type, const char* what) { PyErr_SetObject(type, message_str(what).ptr()); }

}  // namespace

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

  // Every C++ exception is translated here, so that no message can fail to convert: what() may
  // hold any bytes (a path or a quoted input line that is not UTF-8), which PyErr_SetString
  // would turn into a UnicodeDecodeError/SystemError. Messages decode as UTF-8 with invalid bytes
  // shown as \xNN; ParseError.file decodes like os.fsdecode, so os.fsencode(e.file) gives the
  // path's bytes back. pybind11's own exceptions (and Python errors in flight) pass through.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const py::error_already_set&) {
      throw;
    } catch (const py::builtin_exception&) {
      throw;
    } catch (const kolsim::ParseError& e) {
      py::object exc = parse_error_type(message_str(e.what()));
      exc.attr("file") = filename_str(e.file());
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
    } catch (const std::logic_error& e) {  // invalid_argument, domain_error, length_error, ...
      set_error(PyExc_ValueError, e.what());
    } catch (const std::overflow_error& e) {
      set_error(PyExc_OverflowError, e.what());
    } catch (const std::range_error& e) {
      set_error(PyExc_ValueError, e.what());
    } catch (const std::exception& e) {
      set_error(PyExc_RuntimeError, e.what());
    }
  });

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
