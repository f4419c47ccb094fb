// SPDX-License-Identifier: MIT
/// Progress reports of long calls: a callback (phase, done, total) called from the caller's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "kolsim/core/parallel.hpp"

namespace kolsim {

/// Called with the name of the running phase, the units of it done so far and its total
/// (0 = unknown). Within one phase `done` never decreases. Reports come only from the caller's
/// thread (thread_index() == 0), at the places the StopToken is polled, so a callback that
/// needs the caller's thread (Python) is safe; it does not change any result. An empty
/// function reports nothing.
using ProgressFn = std::function<void(std::string_view phase, std::uint64_t done, std::uint64_t total)>;

/// Reports (phase, done, total) when `progress` is set and this is the caller's thread.
inline void report_progress(const ProgressFn& progress, std::string_view phase, std::uint64_t done,
                            std::uint64_t total) {
  if (progress && thread_index() == 0) progress(phase, done, total);
}

}  // namespace kolsim
