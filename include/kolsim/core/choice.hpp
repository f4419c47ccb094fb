// SPDX-License-Identifier: MIT
/// String choices (model kinds, probability schemes, tie rules, methods, bound phases...): one
/// constexpr {name, value} table per option, parsed, named and listed by the same three functions,
/// so the command-line tool and the Python bindings accept the same spellings and say the same.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "kolsim/core/error.hpp"

namespace kolsim {

/// One accepted spelling of an option's value. A value may have several rows (aliases such as
/// "neighbourhood" and "neighborhood"); its first row is its canonical name.
template <class T>
struct Choice {
  std::string_view name;
  T value;
};

/// The names of `table` joined by `sep`, an alias written "alias (= canonical)": for help texts
/// and error messages. E.g. "drop | keep | error".
template <class Table>
std::string choice_names(const Table& table, std::string_view sep = " | ") {
  std::string out;
  for (auto it = std::begin(table); it != std::end(table); ++it) {
    if (it != std::begin(table)) out += sep;
    out += it->name;
    for (auto first = std::begin(table); first != it; ++first)
      if (first->value == it->value) {
        out += detail::concat(" (= ", first->name, ")");
        break;
      }
  }
  return out;
}

/// Every accepted name of `table`, in table order (e.g. for CLI11's IsMember).
template <class Table>
std::vector<std::string> choice_list(const Table& table) {
  std::vector<std::string> out;
  for (const auto& c : table) out.emplace_back(c.name);
  return out;
}

/// The value `text` names in `table`. Anything else throws std::invalid_argument
/// "<what> must be one of a | b | c, got 'text'" (`what` names the option, e.g. "imm: bound_phase").
template <class Table>
auto parse_choice(std::string_view what, std::string_view text, const Table& table) {
  for (const auto& c : table)
    if (c.name == text) return c.value;
  throw std::invalid_argument(detail::concat(what, " must be one of ", choice_names(table), ", got '", text, "'"));
}

/// The canonical (first) name of `value` in `table`; "?" for a value the table lacks.
template <class Table, class T>
std::string_view choice_name(const Table& table, const T& value) {
  for (const auto& c : table)
    if (c.value == value) return c.name;
  return "?";
}

}  // namespace kolsim
