// SPDX-License-Identifier: MIT
/// The library version, as compiled into kolsim::io (recorded in run records and snapshots).
#pragma once

namespace kolsim {
/// Version string "major.minor.patch" of the compiled library.
const char* version() noexcept;
}  // namespace kolsim
