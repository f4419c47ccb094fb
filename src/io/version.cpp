// SPDX-License-Identifier: MIT
/// Compiled-in library version.
#include "kolsim/core/version.hpp"

namespace kolsim {
const char* version() noexcept { return KOLSIM_VERSION; }
}  // namespace kolsim
