// SPDX-License-Identifier: MIT
/// A wall-clock stopwatch for the phase timings every result reports.
#pragma once

#include <chrono>

namespace kolsim {

/// Wall-clock stopwatch for phase timings.
class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  /// Seconds since construction or the previous lap.
  double lap() {
    auto now = std::chrono::steady_clock::now();
    double s = std::chrono::duration<double>(now - start_).count();
    start_ = now;
    return s;
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace kolsim
