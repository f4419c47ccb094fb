// SPDX-License-Identifier: MIT
/// Counter-based random streams: stream (seed, index) is a pure function of its key, so trial i
/// or RR set i draws the same numbers on any thread, thread count or MPI rank.
#pragma once

#include <Random123/philox.h>

#include <cmath>
#include <cstdint>

#include "kolsim/core/types.hpp"

namespace kolsim {

/// One independent random stream keyed by (seed, stream, domain), backed by Philox4x32-10
/// (Salmon et al., SC 2011). `domain` separates uses of the same index (e.g. trial i of a spread
/// estimate vs RR set i). Cheap to construct: make one per trial, never share one across threads.
class Rng {
 public:
  Rng(std::uint64_t seed, std::uint64_t stream, std::uint32_t domain = 0) noexcept {
    key_ = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
    ctr_ = {{static_cast<std::uint32_t>(stream), static_cast<std::uint32_t>(stream >> 32), domain, 0u}};
  }

  /// 32 uniform random bits.
  std::uint32_t next_u32() noexcept {
    if (pos_ == 4) refill();
    return buf_.v[pos_++];
  }
  /// 64 uniform random bits.
  std::uint64_t next_u64() noexcept {
    std::uint64_t hi = next_u32();
    return (hi << 32) | next_u32();
  }
  /// Uniform float in [0, 1) with 24 random bits.
  float uniform_float() noexcept { return static_cast<float>(next_u32() >> 8) * 0x1.0p-24f; }
  /// Uniform double in [0, 1) with 53 random bits.
  double uniform() noexcept { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  /// True with probability p (p is used with 32-bit resolution; p >= 1 is always true).
  bool bernoulli(prob_t p) noexcept { return static_cast<double>(next_u32()) < static_cast<double>(p) * 4294967296.0; }
  /// Uniform integer in [0, n), n > 0 (Lemire's multiply-shift, with rejection for exactness).
  std::uint32_t below(std::uint32_t n) noexcept {
    std::uint64_t m = static_cast<std::uint64_t>(next_u32()) * n;
    auto low = static_cast<std::uint32_t>(m);
    if (low < n) {
      const std::uint32_t threshold = static_cast<std::uint32_t>(-n) % n;
      while (low < threshold) {
        m = static_cast<std::uint64_t>(next_u32()) * n;
        low = static_cast<std::uint32_t>(m);
      }
    }
    return static_cast<std::uint32_t>(m >> 32);
  }
  /// Number of failures before the first success of Bernoulli(p) trials, for 0 < p < 1
  /// (used to skip over runs of edges that share one probability). `log1mp` = log(1 - p).
  std::uint64_t geometric(double log1mp) noexcept {
    const double u = 1.0 - uniform();  // (0, 1]
    const double g = std::floor(std::log(u) / log1mp);
    return g >= 1.8e19 ? UINT64_MAX : static_cast<std::uint64_t>(g);
  }

 private:
  void refill() noexcept {
    buf_ = r123::Philox4x32()(ctr_, key_);
    ++ctr_.v[3];
    pos_ = 0;
  }
  r123::Philox4x32::key_type key_;
  r123::Philox4x32::ctr_type ctr_;
  r123::Philox4x32::ctr_type buf_{};
  unsigned pos_ = 4;
};

/// Stream domains, so that different algorithms drawing "stream i" with one seed never overlap.
namespace domain {
inline constexpr std::uint32_t trial = 1;          ///< Monte Carlo trial i
inline constexpr std::uint32_t rr_set = 2;         ///< RR set i
inline constexpr std::uint32_t generator = 3;      ///< graph generators
inline constexpr std::uint32_t probability = 4;    ///< random probability schemes
inline constexpr std::uint32_t selection = 5;      ///< tie-breaking inside selectors
inline constexpr std::uint32_t rr_final = 6;       ///< IMM/OPIM final RR sets (drawn fresh)
inline constexpr std::uint32_t rr_validate = 7;    ///< OPIM-C validation RR sets
inline constexpr std::uint32_t competitive = 8;    ///< competitive diffusion trials
}  // namespace domain

namespace detail {

/// Output number `counter` of the SplitMix64 sequence started at `key` (Steele, Lea, Flood,
/// OOPSLA 2014): a counter-based draw, so coin (world, item) is a pure function of its key.
inline std::uint64_t splitmix64_at(std::uint64_t key, std::uint64_t counter) noexcept {
  std::uint64_t z = key + (counter + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace detail

}  // namespace kolsim
