// SPDX-License-Identifier: MIT
/// Pickle support for the result classes of kolsim._core: a field-list pickle for plain records
/// and a refusal that says why a class cannot be pickled. Every result class uses one of them
/// (tests/python/test_pickle.py enumerates the classes and fails on one without a decision).
#pragma once

#include <pybind11/pybind11.h>

#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>

#include "kolsim/core/error.hpp"

namespace kolsim::python {

namespace py = pybind11;

/// Pickles T as the tuple of the listed data members (in this order) and restores it from that
/// tuple; `name` is used in the error for a state of the wrong shape. Every member a binding
/// exposes must be listed: test_pickle.py compares every public attribute after a round trip.
template <class T, class... Ms>
auto field_pickle(const char* name, Ms T::*... members) {
  return py::pickle(
      [members...](const T& value) { return py::make_tuple(value.*members...); },
      [name, members...](const py::tuple& state) {
        if (state.size() != sizeof...(Ms))
          throw std::invalid_argument(detail::concat(name, ".__setstate__: expected a tuple of ", sizeof...(Ms),
                                                     " fields, got ", state.size()));
        T value;
        std::size_t i = 0;
        ((value.*members = state[i++].template cast<std::remove_cvref_t<decltype(value.*members)>>()), ...);
        return value;
      });
}

/// Makes pickle (and copy) of the class raise TypeError("cannot pickle <name>: <reason>").
template <class Class>
void refuse_pickle(Class& cls, const char* name, const char* reason) {
  const std::string message = std::string("cannot pickle kolsim.") + name + ": " + reason;
  cls.def(
      "__reduce_ex__", [message](py::handle, py::handle) -> py::object { throw py::type_error(message); },
      py::arg("protocol"));
  cls.def("__reduce__", [message](py::handle) -> py::object { throw py::type_error(message); });
}

}  // namespace kolsim::python
