// SPDX-License-Identifier: MIT
/// What the distributed shares of Monte Carlo work (the batches of distributed/monte_carlo.hpp,
/// the prefix-reach trial blocks of distributed/plan.hpp) have in common: one contiguous block of
/// the items per rank, and doubles sent as their bit patterns, so every rank reads back exactly
/// the tallies of one process.
#pragma once

#include <cstdint>
#include <cstring>

#include "kolsim/distributed/comm.hpp"

namespace kolsim::distributed::detail {

/// [lo, hi) of `count` items (batches, trial blocks) that this rank of `comm` works on.
inline void rank_block(const Communicator& comm, std::uint64_t count, std::uint64_t& lo, std::uint64_t& hi) noexcept {
  lo = comm.block_begin(count, comm.rank());
  hi = comm.block_begin(count, comm.rank() + 1);
}

/// The bits of a double as one u64 of a message, and back.
inline std::uint64_t double_bits(double x) noexcept {
  std::uint64_t b;
  std::memcpy(&b, &x, 8);
  return b;
}
inline double bits_double(std::uint64_t b) noexcept {
  double x;
  std::memcpy(&x, &b, 8);
  return x;
}

}  // namespace kolsim::distributed::detail
