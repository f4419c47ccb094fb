// SPDX-License-Identifier: MIT
/// The exception translation of every kolsim extension module (kolsim._core, kolsim._distributed):
/// C++ exceptions to their Python ones, with messages that always convert.
#pragma once

#include <pybind11/pybind11.h>

#include <cstring>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>

#include "kolsim/core/error.hpp"

namespace kolsim::python {

namespace py = pybind11;

/// A Python str of a C++ message whatever its bytes: UTF-8, with invalid bytes as \xNN.
inline py::str message_str(const char* what) {
  PyObject* s = PyUnicode_DecodeUTF8(what, static_cast<Py_ssize_t>(std::strlen(what)), "backslashreplace");
  if (s == nullptr) {  // only on memory exhaustion
    PyErr_Clear();
    s = PyUnicode_FromString("(error message could not be decoded)");
  }
  return py::reinterpret_steal<py::str>(s);
}

/// A file name as os.fsdecode gives it (undecodable bytes as lone surrogates).
inline py::object filename_str(const std::string& file) {
  PyObject* s = PyUnicode_DecodeFSDefaultAndSize(file.data(), static_cast<Py_ssize_t>(file.size()));
  if (s == nullptr) {
    PyErr_Clear();
    return message_str(file.c_str());
  }
  return py::reinterpret_steal<py::object>(s);
}

inline void set_error(PyObject* type, const char* what) { PyErr_SetObject(type, message_str(what).ptr()); }

/// Whether `e` is one of the types E.
template <class... E>
bool is_any(const std::exception& e) {
  return ((dynamic_cast<const E*>(&e) != nullptr) || ...);
}

/// The Python exception type of a C++ exception other than ParseError (most derived first).
inline PyObject* python_type(const std::exception& e) {
  if (is_any<kolsim::IoError>(e)) return PyExc_OSError;
  if (is_any<kolsim::MemoryLimitError, std::bad_alloc>(e)) return PyExc_MemoryError;
  if (is_any<kolsim::Interrupted>(e)) return PyExc_KeyboardInterrupt;
  if (is_any<std::out_of_range>(e)) return PyExc_IndexError;
  // invalid_argument, domain_error, length_error, ... and range_error
  if (is_any<std::logic_error, std::range_error>(e)) return PyExc_ValueError;
  if (is_any<std::overflow_error>(e)) return PyExc_OverflowError;
  return PyExc_RuntimeError;
}

/// The exception translation of kolsim._core and kolsim._distributed: each C++ exception becomes its
/// Python one with a message that always converts. what() may hold any bytes (a path or a quoted
/// input line that is not UTF-8), which PyErr_SetString would turn into a
/// UnicodeDecodeError/SystemError; messages decode as UTF-8 with invalid bytes shown as \xNN, and
/// ParseError.file decodes like os.fsdecode, so os.fsencode(e.file) gives the path's bytes back.
/// pybind11's own exceptions (and Python errors in flight) pass through.
inline void translate_exception(std::exception_ptr p, py::handle parse_error_type) {
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
  } catch (const std::exception& e) {
    set_error(python_type(e), e.what());
  }
}

}  // namespace kolsim::python
