// SPDX-License-Identifier: MIT
/// Errors: the always-on boundary check KOLSIM_REQUIRE and the exception types kolsim throws.
#pragma once

#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace kolsim {

/// Malformed input data. `what()` reads "file:line: message"; file() and line() give the parts
/// (line 0 means the problem is not tied to one line, e.g. a truncated gzip stream).
class ParseError : public std::runtime_error {
 public:
  ParseError(std::string file, std::uint64_t line, const std::string& message)
      : std::runtime_error(format(file, line, message)), file_(std::move(file)), line_(line) {}
  const std::string& file() const noexcept { return file_; }
  std::uint64_t line() const noexcept { return line_; }

 private:
  static std::string format(const std::string& file, std::uint64_t line, const std::string& msg) {
    std::ostringstream os;
    os << file;
    if (line > 0) os << ':' << line;
    os << ": " << msg;
    return os.str();
  }
  std::string file_;
  std::uint64_t line_;
};

/// A file could not be opened, read or written (maps to Python's OSError).
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A computation would need more memory than the caller allowed (maps to MemoryError).
class MemoryLimitError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A long computation was stopped by an interrupt request (maps to KeyboardInterrupt).
class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted") {}
};

namespace detail {
template <class... Args>
std::string concat(Args&&... args) {
  std::ostringstream os;
  (os << ... << std::forward<Args>(args));
  return os.str();
}
}  // namespace detail

}  // namespace kolsim

/// Always-on argument check at the public boundary: throws std::invalid_argument.
#define KOLSIM_REQUIRE(cond, ...)                                                    \
  do {                                                                               \
    if (!(cond)) throw std::invalid_argument(::kolsim::detail::concat(__VA_ARGS__)); \
  } while (0)

/// Always-on index check at the public boundary: throws std::out_of_range.
#define KOLSIM_REQUIRE_INDEX(cond, ...)                                            \
  do {                                                                             \
    if (!(cond)) throw std::out_of_range(::kolsim::detail::concat(__VA_ARGS__));   \
  } while (0)
