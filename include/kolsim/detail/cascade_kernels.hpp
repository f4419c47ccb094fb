// SPDX-License-Identifier: MIT
/// The fused Independent Cascade and Linear Threshold kernels behind estimate_spread(): 64
/// live-edge worlds at once (the generic step-synchronous driver is diffusion/driver.hpp).
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#ifdef __linux__
#include <sys/mman.h>
#endif
// The fused kernels draw their coins with AVX-512, else AVX2, when the processor has it (checked
// at run time; the build stays baseline x86-64). -DKOLSIM_FUSED_IC_AVX512=0 leaves only the
// scalar code.
#if !defined(KOLSIM_FUSED_IC_AVX512) && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define KOLSIM_FUSED_IC_AVX512 1
#endif
#if KOLSIM_FUSED_IC_AVX512
#include <immintrin.h>
#endif

#include "kolsim/core/error.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/rng.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/diffusion/driver.hpp"
#include "kolsim/diffusion/model.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim::detail {


/// Per-world coins of the fused IC kernel. Edge e is live in world w of batch b iff
/// coin(b, e, w) < p(e) * 2^64, where coin is a counter-based hash of (seed, b, e, w): a
/// strong key per (seed, batch, domain), a key per edge, and a SplitMix64 stream over the 64
/// worlds (Steele, Lea, Flood, OOPSLA 2014; finaliser "mix13"). Each bit is therefore a fixed
/// function of (seed, batch, edge, world): an edge examined again, or for other worlds, draws
/// the same coins, every world is one fixed live-edge graph, and only the worlds still in
/// question are drawn (the kernel examines an edge for ~1.5 worlds on heavy-tailed graphs, where
/// cascades reach an account at very different steps in different worlds).
class WorldCoins {
 public:
  WorldCoins(std::uint64_t seed, std::uint64_t batch) noexcept
      : batch_key_(mix(mix(seed ^ 0x243F6A8885A308D3ull) ^ mix(batch * 0x9E3779B97F4A7C15ull + domain::trial))) {}

  static constexpr std::uint64_t mix_multiplier1 = 0xBF58476D1CE4E5B9ull, mix_multiplier2 = 0x94D049BB133111EBull;
  static constexpr std::uint64_t edge_multiplier = 0xD1B54A32D192ED03ull;
  /// SplitMix64's finaliser (the multipliers above are spelled out for the vectorised copy).
  static constexpr std::uint64_t mix(std::uint64_t z) noexcept {
    z = (z ^ (z >> 30)) * mix_multiplier1;
    z = (z ^ (z >> 27)) * mix_multiplier2;
    return z ^ (z >> 31);
  }
  /// Key of edge e (or of pseudo-edge m + i for seed i's posting coin) in this batch.
  std::uint64_t edge_key(std::uint64_t e) const noexcept { return mix(batch_key_ ^ (e * edge_multiplier)); }
  std::uint64_t batch_key() const noexcept { return batch_key_; }
  /// 64 uniform bits of world w for an edge key.
  static std::uint64_t coin(std::uint64_t edge_key, unsigned w) noexcept { return mix(edge_key + world_offset(w)); }
  /// What coin() adds to the edge key for world w (hoisted out of loops over edges).
  static constexpr std::uint64_t world_offset(unsigned w) noexcept {
    return (static_cast<std::uint64_t>(w) + 1) * 0x9E3779B97F4A7C15ull;
  }
  /// The coin threshold of probability p: floor(p * 2^64), so P(coin < threshold) = p exactly
  /// for p >= 2^-40 (a float's 24-bit mantissa then fits in 64 fractional bits); 0 for p <= 0,
  /// NaN and (callers handle it) p >= 1. Read off the bits without a branch: a normal float is
  /// M 2^(E-150) with M < 2^24, so p 2^64 = (M << 40) >> (126 - E), and E <= 0 gives 0 anyway.
  static std::uint64_t threshold(prob_t p) noexcept { return threshold_of_bits(std::bit_cast<std::uint32_t>(p)); }
  /// threshold() of the probability with these bits.
  static std::uint64_t threshold_of_bits(std::uint32_t bits) noexcept {
    const std::uint64_t scaled = ((bits & 0x7FFFFFull) | 0x800000ull) << 40;
    const std::uint32_t shift = 126u - (bits >> 23);  // wraps for p >= 1, NaN and negative p
    return (scaled >> (shift & 63)) & (std::uint64_t{0} - (shift < 64));
  }
  /// p >= 1 (including +infinity) from a probability's bits.
  static bool certain_of_bits(std::uint32_t bits) noexcept { return bits - 0x3F800000u <= 0x40000000u; }
  /// The subset of `worlds` in which an edge with probability p is live.
  std::uint64_t live(std::uint64_t e, prob_t p, std::uint64_t worlds) const noexcept {
    if (p >= 1.0f) return worlds;
    const std::uint64_t thr = threshold(p);
    if (thr == 0) return 0;
    const std::uint64_t key = edge_key(e);
    std::uint64_t out = 0;
    for (std::uint64_t b = worlds; b; b &= b - 1) {
      const auto w = static_cast<unsigned>(std::countr_zero(b));
      out |= static_cast<std::uint64_t>(coin(key, w) < thr) << w;
    }
    return out;
  }

 private:
  std::uint64_t batch_key_;
};

/// What one batch of trials (up to 64) produced, in a form reduced in batch order.
struct BatchTally {
  std::uint64_t trials = 0;
  double mean = 0;  ///< mean (weighted) reach over the batch's trials
  double m2 = 0;    ///< sum of squared deviations from `mean`
  std::vector<double> new_per_step;  ///< summed (weighted) newly reached per step
  std::uint64_t edges = 0;

  void reset() {
    trials = 0;
    mean = m2 = 0;
    new_per_step.clear();
    edges = 0;
  }
  void add_step(std::uint32_t step, double amount) {
    if (new_per_step.size() <= step) new_per_step.resize(static_cast<std::size_t>(step) + 1, 0.0);
    new_per_step[step] += amount;
  }
  /// Sets trials/mean/m2 from per-trial reach values (two passes, fixed order).
  void set_reach(const double* reach, std::uint64_t count) {
    trials = count;
    double s = 0;
    for (std::uint64_t i = 0; i < count; ++i) s += reach[i];
    mean = count ? s / static_cast<double>(count) : 0.0;
    double d2 = 0;
    for (std::uint64_t i = 0; i < count; ++i) d2 += (reach[i] - mean) * (reach[i] - mean);
    m2 = d2;
  }
};

/// Sorts vertex ids ascending: LSD radix sort (11-bit digits, only as many passes as the largest
/// id needs) for long lists, std::sort for short ones.
inline void sort_vertices(std::vector<vertex_t>& a, std::vector<vertex_t>& buffer) {
  if (a.size() < 2048) {
    std::sort(a.begin(), a.end());
    return;
  }
  vertex_t hi = 0;
  for (vertex_t v : a) hi |= v;
  buffer.resize(a.size());
  vertex_t* src = a.data();
  vertex_t* dst = buffer.data();
  for (unsigned shift = 0; shift < 32 && (hi >> shift) != 0; shift += 11) {
    std::uint32_t count[2049] = {};
    for (std::size_t i = 0; i < a.size(); ++i) ++count[((src[i] >> shift) & 2047u) + 1];
    for (unsigned d = 0; d < 2048; ++d) count[d + 1] += count[d];
    for (std::size_t i = 0; i < a.size(); ++i) dst[count[(src[i] >> shift) & 2047u]++] = src[i];
    std::swap(src, dst);
  }
  if (src != a.data()) std::copy(src, src + a.size(), a.data());
}

/// Buffers of the fused IC kernel (one per thread). Per vertex, in one 16-byte slot (one cache
/// line): the worlds where it is active and the worlds where it becomes active next step.
/// The frontier holds (vertex, worlds newly active this step), sorted by vertex so that CSR rows
/// are read in address order. The kernel touches slots at random, so large slot arrays are
/// 2 MB-aligned and, on Linux, asked for transparent huge pages (with 4 KB pages most of those
/// touches would also miss the TLB).
class FusedIcWorkspace {
 public:
  struct alignas(16) Slot {
    std::uint64_t visited = 0;
    std::uint64_t next = 0;
  };
  struct Entry {
    vertex_t v;
    std::uint64_t worlds;
  };

  explicit FusedIcWorkspace(vertex_t n) : slots_(allocate(n)) {}
  Slot* slots() noexcept { return slots_.get(); }

  std::vector<Entry> frontier;
  std::vector<vertex_t> next_frontier, touched, sort_buffer;

 private:
  static constexpr std::size_t huge_page = std::size_t{1} << 21;
  struct Free {
    std::size_t align;
    void operator()(Slot* p) const noexcept { ::operator delete(p, std::align_val_t{align}); }
  };
  static std::unique_ptr<Slot[], Free> allocate(vertex_t n) {
    std::size_t bytes = std::max<std::size_t>(n, 1) * sizeof(Slot);
    const std::size_t align = bytes >= huge_page ? huge_page : alignof(Slot);
    if (align == huge_page) bytes = (bytes + huge_page - 1) / huge_page * huge_page;
    auto* p = static_cast<Slot*>(::operator new(bytes, std::align_val_t{align}));
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (align == huge_page) ::madvise(p, bytes, MADV_HUGEPAGE);  // a hint: failure only costs speed
#endif
    std::uninitialized_value_construct_n(p, n);  // first touch after the hint
    return std::unique_ptr<Slot[], Free>(p, Free{align});
  }

  std::unique_ptr<Slot[], Free> slots_;
};

/// popcount for masks that mostly hold one world (std::popcount is a library call on baseline
/// x86-64).
inline int count_worlds(std::uint64_t x) noexcept {
  return (x & (x - 1)) == 0 ? static_cast<int>(x != 0) : std::popcount(x);
}

/// Bit j: edge c + j (j < len <= 64), whose probability is row[j], is live in the one world whose
/// coin offset is `add`. No branches, so that the hashes of many edges are in flight at once.
inline std::uint64_t live_edges_one_world_row(const WorldCoins& coins, const prob_t* row, edge_t c, unsigned len,
                                              std::uint64_t add) noexcept {
  std::uint64_t live = 0;
  for (unsigned j = len; j-- > 0;) {
    const auto bits = std::bit_cast<std::uint32_t>(row[j]);
    const auto certain = static_cast<std::uint64_t>(WorldCoins::certain_of_bits(bits));
    const auto drawn =
        static_cast<std::uint64_t>(WorldCoins::mix(coins.edge_key(c + j) + add) < WorldCoins::threshold_of_bits(bits));
    live = live << 1 | certain | drawn;
  }
  return live;
}
/// live_edges_one_world_row() with the probabilities of all edges in out-edge order.
inline std::uint64_t live_edges_one_world(const WorldCoins& coins, const prob_t* prob, edge_t c, unsigned len,
                                          std::uint64_t add) noexcept {
  return live_edges_one_world_row(coins, prob + c, c, len, add);
}

/// out[j]: the worlds (among the k whose bits and coin offsets are given) in which edge c + j
/// (j < len <= 64), whose probability is row[j], is live; returns the set of j with out[j] != 0.
inline std::uint64_t live_edges_worlds_row(const WorldCoins& coins, const prob_t* row, edge_t c, unsigned len, int k,
                                           const std::uint64_t* bit_of, const std::uint64_t* offset_of,
                                           std::uint64_t all_k, std::uint64_t* out) noexcept {
  std::uint64_t any = 0;
  for (unsigned j = len; j-- > 0;) {
    const auto bits = std::bit_cast<std::uint32_t>(row[j]);
    const std::uint64_t thr = WorldCoins::threshold_of_bits(bits), key = coins.edge_key(c + j);
    std::uint64_t live = 0;
    for (int i = 0; i < k; ++i) live |= WorldCoins::mix(key + offset_of[i]) < thr ? bit_of[i] : 0;
    live = WorldCoins::certain_of_bits(bits) ? all_k : live;
    out[j] = live;
    any = any << 1 | static_cast<std::uint64_t>(live != 0);
  }
  return any;
}
/// live_edges_worlds_row() with the probabilities of all edges in out-edge order.
inline std::uint64_t live_edges_worlds(const WorldCoins& coins, const prob_t* prob, edge_t c, unsigned len, int k,
                                       const std::uint64_t* bit_of, const std::uint64_t* offset_of,
                                       std::uint64_t all_k, std::uint64_t* out) noexcept {
  return live_edges_worlds_row(coins, prob + c, c, len, k, bit_of, offset_of, all_k, out);
}

#if KOLSIM_FUSED_IC_AVX512
// AVX-512 versions of the two coin scans above (same bits, 8 edges per instruction), used when
// the processor has AVX-512 F/DQ/VL; the build itself stays baseline x86-64.
#define KOLSIM_AVX512_TARGET __attribute__((target("avx512f,avx512dq,avx512vl")))
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12's _mm512_undefined_epi32 (PR 105593)
#pragma GCC diagnostic ignored "-Wuninitialized"        // the same, as GCC 12 words it at -Og
#endif

KOLSIM_AVX512_TARGET inline __m512i broadcast_x8(std::uint64_t x) noexcept {
  return _mm512_set1_epi64(static_cast<long long>(x));
}
KOLSIM_AVX512_TARGET inline __m512i mix_x8(__m512i z) noexcept {
  z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)), broadcast_x8(WorldCoins::mix_multiplier1));
  z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)), broadcast_x8(WorldCoins::mix_multiplier2));
  return _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
}

/// Edge keys, thresholds and "certain" lanes of edges c + j .. c + j + 7 (only `lanes` are read),
/// edge c + i having probability row[i] (as in the *_row scans: every vector scan takes the row).
struct EdgesX8 {
  __m512i key, threshold;
  __mmask8 certain;
};
KOLSIM_AVX512_TARGET inline EdgesX8 edges_x8(const WorldCoins& coins, const prob_t* row, edge_t c, unsigned j,
                                            __mmask8 lanes) noexcept {
  const __m512i bits = _mm512_cvtepu32_epi64(_mm256_maskz_loadu_epi32(lanes, row + j));
  constexpr std::uint64_t em = WorldCoins::edge_multiplier;  // (c + j + lane) em without a vector multiply
  const __m512i lane_em = _mm512_set_epi64(static_cast<long long>(7 * em), static_cast<long long>(6 * em),
                                           static_cast<long long>(5 * em), static_cast<long long>(4 * em),
                                           static_cast<long long>(3 * em), static_cast<long long>(2 * em),
                                           static_cast<long long>(em), 0);
  const __m512i key = mix_x8(_mm512_xor_si512(broadcast_x8(coins.batch_key()),
                                              _mm512_add_epi64(broadcast_x8((c + j) * em), lane_em)));
  // threshold_of_bits: a variable right shift by 64 or more gives 0, as wanted.
  const __m512i scaled = _mm512_slli_epi64(
      _mm512_or_si512(_mm512_and_si512(bits, _mm512_set1_epi64(0x7FFFFF)), _mm512_set1_epi64(0x800000)), 40);
  const __m512i shift = _mm512_sub_epi64(_mm512_set1_epi64(126), _mm512_srli_epi64(bits, 23));
  const __mmask8 certain = _mm512_cmple_epu64_mask(_mm512_sub_epi64(bits, _mm512_set1_epi64(0x3F800000)),
                                                   _mm512_set1_epi64(0x40000000));
  return {key, _mm512_srlv_epi64(scaled, shift), certain};
}

KOLSIM_AVX512_TARGET inline std::uint64_t live_edges_one_world_avx512(const WorldCoins& coins, const prob_t* row,
                                                                      edge_t c, unsigned len,
                                                                      std::uint64_t add) noexcept {
  std::uint64_t live = 0;
  for (unsigned j = 0; j < len; j += 8) {
    const auto lanes = static_cast<__mmask8>(len - j >= 8 ? 0xFFu : (1u << (len - j)) - 1);
    const EdgesX8 x = edges_x8(coins, row, c, j, lanes);
    const __m512i coin = mix_x8(_mm512_add_epi64(x.key, broadcast_x8(add)));
    const __mmask8 hit = static_cast<__mmask8>((_mm512_cmplt_epu64_mask(coin, x.threshold) | x.certain) & lanes);
    live |= static_cast<std::uint64_t>(hit) << j;
  }
  return live;
}

KOLSIM_AVX512_TARGET inline std::uint64_t live_edges_worlds_avx512(const WorldCoins& coins, const prob_t* row,
                                                                   edge_t c, unsigned len, int k,
                                                                   const std::uint64_t* bit_of,
                                                                   const std::uint64_t* offset_of,
                                                                   std::uint64_t all_k, std::uint64_t* out) noexcept {
  std::uint64_t any = 0;
  for (unsigned j = 0; j < len; j += 8) {
    const auto lanes = static_cast<__mmask8>(len - j >= 8 ? 0xFFu : (1u << (len - j)) - 1);
    const EdgesX8 x = edges_x8(coins, row, c, j, lanes);
    __m512i live = _mm512_setzero_si512();
    for (int i = 0; i < k; ++i) {
      const __m512i coin = mix_x8(_mm512_add_epi64(x.key, broadcast_x8(offset_of[i])));
      live = _mm512_mask_or_epi64(live, _mm512_cmplt_epu64_mask(coin, x.threshold), live, broadcast_x8(bit_of[i]));
    }
    live = _mm512_mask_mov_epi64(live, x.certain, broadcast_x8(all_k));
    _mm512_mask_storeu_epi64(out + j, lanes, live);
    any |= static_cast<std::uint64_t>(_mm512_test_epi64_mask(live, live) & lanes) << j;
  }
  return any;
}

/// Linear Threshold (see LtIntervals / FusedLtScan): the account keys, interval starts and
/// lengths of edges c + j .. c + j + 7 (only `lanes` are read), whose weights are row[j ..].
/// `key_base` is the batch key xor FusedLtScan::account_tag. S is std::uint64_t for the starts
/// form of LtIntervals and std::uint32_t for the rank form (start = rank x length, past_end:
/// length 0), the same starts.
struct LtEdgesX8 {
  __m512i key, start, length;
};
template <class S>
KOLSIM_AVX512_TARGET inline LtEdgesX8 lt_edges_x8(std::uint64_t key_base, const prob_t* row, const vertex_t* tgt,
                                                 const S* start, edge_t c, unsigned j, __mmask8 lanes) noexcept {
  constexpr std::uint64_t whole = std::uint64_t{1} << 63;
  const __m512i bits = _mm512_cvtepu32_epi64(_mm256_maskz_loadu_epi32(lanes, row + j));
  const __m512i v = _mm512_cvtepu32_epi64(_mm256_maskz_loadu_epi32(lanes, tgt + c + j));
  const __m512i key = mix_x8(
      _mm512_xor_si512(broadcast_x8(key_base), _mm512_mullo_epi64(v, broadcast_x8(WorldCoins::edge_multiplier))));
  const __m512i scaled = _mm512_slli_epi64(
      _mm512_or_si512(_mm512_and_si512(bits, _mm512_set1_epi64(0x7FFFFF)), _mm512_set1_epi64(0x800000)), 40);
  const __m512i shift = _mm512_sub_epi64(_mm512_set1_epi64(126), _mm512_srli_epi64(bits, 23));
  const __mmask8 certain = _mm512_cmple_epu64_mask(_mm512_sub_epi64(bits, _mm512_set1_epi64(0x3F800000)),
                                                   _mm512_set1_epi64(0x40000000));
  __m512i len = _mm512_srli_epi64(_mm512_srlv_epi64(scaled, shift), 1);
  len = _mm512_mask_mov_epi64(len, certain, broadcast_x8(whole));
  __m512i s;
  if constexpr (sizeof(S) == 8) {
    s = _mm512_maskz_loadu_epi64(lanes, start + c + j);
  } else {
    const __m512i rank = _mm512_cvtepu32_epi64(_mm256_maskz_loadu_epi32(lanes, start + c + j));
    s = _mm512_mullo_epi64(rank, len);  // < 2^63 unless past_end
    len = _mm512_maskz_mov_epi64(_mm512_cmpneq_epu64_mask(rank, _mm512_set1_epi64(0xFFFFFFFFll)), len);
  }
  len = _mm512_min_epu64(len, _mm512_sub_epi64(broadcast_x8(whole), s));
  return {key, s, len};
}

template <class S>
KOLSIM_AVX512_TARGET inline std::uint64_t lt_live_edges_one_world_avx512(std::uint64_t key_base, const prob_t* row,
                                                                         const vertex_t* tgt, const S* start, edge_t c,
                                                                         unsigned len, std::uint64_t add) noexcept {
  std::uint64_t live = 0;
  for (unsigned j = 0; j < len; j += 8) {
    const auto lanes = static_cast<__mmask8>(len - j >= 8 ? 0xFFu : (1u << (len - j)) - 1);
    const LtEdgesX8 x = lt_edges_x8(key_base, row, tgt, start, c, j, lanes);
    const __m512i coin = _mm512_srli_epi64(mix_x8(_mm512_add_epi64(x.key, broadcast_x8(add))), 1);
    const __mmask8 hit =
        static_cast<__mmask8>(_mm512_cmplt_epu64_mask(_mm512_sub_epi64(coin, x.start), x.length) & lanes);
    live |= static_cast<std::uint64_t>(hit) << j;
  }
  return live;
}

template <class S>
KOLSIM_AVX512_TARGET inline std::uint64_t lt_live_edges_worlds_avx512(std::uint64_t key_base, const prob_t* row,
                                                                      const vertex_t* tgt, const S* start, edge_t c,
                                                                      unsigned len, int k,
                                                                      const std::uint64_t* bit_of,
                                                                      const std::uint64_t* offset_of,
                                                                      std::uint64_t* out) noexcept {
  std::uint64_t any = 0;
  for (unsigned j = 0; j < len; j += 8) {
    const auto lanes = static_cast<__mmask8>(len - j >= 8 ? 0xFFu : (1u << (len - j)) - 1);
    const LtEdgesX8 x = lt_edges_x8(key_base, row, tgt, start, c, j, lanes);
    __m512i live = _mm512_setzero_si512();
    for (int i = 0; i < k; ++i) {
      const __m512i coin = _mm512_srli_epi64(mix_x8(_mm512_add_epi64(x.key, broadcast_x8(offset_of[i]))), 1);
      live = _mm512_mask_or_epi64(live, _mm512_cmplt_epu64_mask(_mm512_sub_epi64(coin, x.start), x.length), live,
                                  broadcast_x8(bit_of[i]));
    }
    _mm512_mask_storeu_epi64(out + j, lanes, live);
    any |= static_cast<std::uint64_t>(_mm512_test_epi64_mask(live, live) & lanes) << j;
  }
  return any;
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#undef KOLSIM_AVX512_TARGET

// AVX2 versions of the same scans (4 edges per instruction) for processors without AVX-512:
// AVX2 has no 64-bit multiply, unsigned 64-bit compare, 64-bit min or mask registers, so those
// are built from 32 x 32 -> 64 multiplies, sign-flipped signed compares and movemask. Same bits.
#define KOLSIM_AVX2_TARGET __attribute__((target("avx2")))

KOLSIM_AVX2_TARGET inline __m256i broadcast_x4(std::uint64_t x) noexcept {
  return _mm256_set1_epi64x(static_cast<long long>(x));
}
/// The low 64 bits of a * m per lane (m a constant; 3 32-bit multiplies).
KOLSIM_AVX2_TARGET inline __m256i mullo_x4(__m256i a, std::uint64_t m) noexcept {
  const __m256i lo = broadcast_x4(m & 0xFFFFFFFFull), hi = broadcast_x4(m >> 32);
  const __m256i cross = _mm256_add_epi64(_mm256_mul_epu32(_mm256_srli_epi64(a, 32), lo), _mm256_mul_epu32(a, hi));
  return _mm256_add_epi64(_mm256_mul_epu32(a, lo), _mm256_slli_epi64(cross, 32));
}
/// mullo_x4 for a < 2^32 per lane (2 multiplies).
KOLSIM_AVX2_TARGET inline __m256i mullo_u32_x4(__m256i a, std::uint64_t m) noexcept {
  const __m256i lo = broadcast_x4(m & 0xFFFFFFFFull), hi = broadcast_x4(m >> 32);
  return _mm256_add_epi64(_mm256_mul_epu32(a, lo), _mm256_slli_epi64(_mm256_mul_epu32(a, hi), 32));
}
KOLSIM_AVX2_TARGET inline __m256i mix_x4(__m256i z) noexcept {
  z = mullo_x4(_mm256_xor_si256(z, _mm256_srli_epi64(z, 30)), WorldCoins::mix_multiplier1);
  z = mullo_x4(_mm256_xor_si256(z, _mm256_srli_epi64(z, 27)), WorldCoins::mix_multiplier2);
  return _mm256_xor_si256(z, _mm256_srli_epi64(z, 31));
}
/// All ones in the lanes where a < b (unsigned).
KOLSIM_AVX2_TARGET inline __m256i cmplt_epu64_x4(__m256i a, __m256i b) noexcept {
  const __m256i sign = broadcast_x4(std::uint64_t{1} << 63);
  return _mm256_cmpgt_epi64(_mm256_xor_si256(b, sign), _mm256_xor_si256(a, sign));
}
/// Bit i: lane i is all ones.
KOLSIM_AVX2_TARGET inline unsigned lanes_of_x4(__m256i m) noexcept {
  return static_cast<unsigned>(_mm256_movemask_pd(_mm256_castsi256_pd(m)));
}
/// 32-bit and 64-bit lane masks for the first n < 4 lanes (the tail of a row piece).
KOLSIM_AVX2_TARGET inline __m128i tail_mask32_x4(unsigned n) noexcept {
  return _mm_cmpgt_epi32(_mm_set1_epi32(static_cast<int>(n)), _mm_setr_epi32(0, 1, 2, 3));
}
KOLSIM_AVX2_TARGET inline __m256i tail_mask64_x4(unsigned n) noexcept {
  return _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3));
}
/// Lanes 0 .. n-1 (n <= 4) of 32-bit values at p, zero-extended; the others are not read.
KOLSIM_AVX2_TARGET inline __m256i load_u32_x4(const void* p, unsigned n) noexcept {
  const __m128i v = n >= 4 ? _mm_loadu_si128(static_cast<const __m128i*>(p))
                           : _mm_maskload_epi32(static_cast<const int*>(p), tail_mask32_x4(n));
  return _mm256_cvtepu32_epi64(v);
}
/// threshold_of_bits (a variable right shift by 64 or more gives 0, as wanted) and
/// certain_of_bits (all ones) of 4 zero-extended probability bit patterns.
KOLSIM_AVX2_TARGET inline __m256i threshold_x4(__m256i bits) noexcept {
  const __m256i scaled = _mm256_slli_epi64(
      _mm256_or_si256(_mm256_and_si256(bits, broadcast_x4(0x7FFFFF)), broadcast_x4(0x800000)), 40);
  return _mm256_srlv_epi64(scaled, _mm256_sub_epi64(broadcast_x4(126), _mm256_srli_epi64(bits, 23)));
}
KOLSIM_AVX2_TARGET inline __m256i certain_x4(__m256i bits) noexcept {
  // not (bits - 0x3F800000 > 0x40000000) unsigned
  return _mm256_xor_si256(cmplt_epu64_x4(broadcast_x4(0x40000000), _mm256_sub_epi64(bits, broadcast_x4(0x3F800000))),
                          _mm256_set1_epi64x(-1));
}

struct EdgesX4 {
  __m256i key, threshold, certain;
};
KOLSIM_AVX2_TARGET inline EdgesX4 edges_x4(const WorldCoins& coins, const prob_t* row, edge_t c, unsigned j,
                                          unsigned n) noexcept {
  const __m256i bits = load_u32_x4(row + j, n);
  constexpr std::uint64_t em = WorldCoins::edge_multiplier;
  const __m256i lane_em = _mm256_set_epi64x(static_cast<long long>(3 * em), static_cast<long long>(2 * em),
                                            static_cast<long long>(em), 0);
  const __m256i key = mix_x4(_mm256_xor_si256(broadcast_x4(coins.batch_key()),
                                              _mm256_add_epi64(broadcast_x4((c + j) * em), lane_em)));
  return {key, threshold_x4(bits), certain_x4(bits)};
}

KOLSIM_AVX2_TARGET inline std::uint64_t live_edges_one_world_avx2(const WorldCoins& coins, const prob_t* row,
                                                                  edge_t c, unsigned len, std::uint64_t add) noexcept {
  std::uint64_t live = 0;
  unsigned j = 0;
  for (; j + 8 <= len; j += 8) {  // two independent halves per iteration
    const EdgesX4 x = edges_x4(coins, row, c, j, 4), y = edges_x4(coins, row, c, j + 4, 4);
    const __m256i cx = mix_x4(_mm256_add_epi64(x.key, broadcast_x4(add)));
    const __m256i cy = mix_x4(_mm256_add_epi64(y.key, broadcast_x4(add)));
    const unsigned hx = lanes_of_x4(_mm256_or_si256(cmplt_epu64_x4(cx, x.threshold), x.certain));
    const unsigned hy = lanes_of_x4(_mm256_or_si256(cmplt_epu64_x4(cy, y.threshold), y.certain));
    live |= static_cast<std::uint64_t>(hx | hy << 4) << j;
  }
  for (; j < len; j += 4) {
    const unsigned n = std::min(4u, len - j);
    const EdgesX4 x = edges_x4(coins, row, c, j, n);
    const __m256i coin = mix_x4(_mm256_add_epi64(x.key, broadcast_x4(add)));
    const unsigned hit = lanes_of_x4(_mm256_or_si256(cmplt_epu64_x4(coin, x.threshold), x.certain)) & ((1u << n) - 1);
    live |= static_cast<std::uint64_t>(hit) << j;
  }
  return live;
}

/// Stores lanes 0 .. n-1 of `live` at out and returns the lanes (among them) that are non-zero.
KOLSIM_AVX2_TARGET inline std::uint64_t store_worlds_x4(std::uint64_t* out, __m256i live, unsigned n) noexcept {
  if (n >= 4)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), live);
  else
    _mm256_maskstore_epi64(reinterpret_cast<long long*>(out), tail_mask64_x4(n), live);
  const unsigned zero = lanes_of_x4(_mm256_cmpeq_epi64(live, _mm256_setzero_si256()));
  return ~zero & ((1u << n) - 1);
}

KOLSIM_AVX2_TARGET inline std::uint64_t live_edges_worlds_avx2(const WorldCoins& coins, const prob_t* row, edge_t c,
                                                               unsigned len, int k, const std::uint64_t* bit_of,
                                                               const std::uint64_t* offset_of, std::uint64_t all_k,
                                                               std::uint64_t* out) noexcept {
  std::uint64_t any = 0;
  for (unsigned j = 0; j < len; j += 4) {
    const unsigned n = std::min(4u, len - j);
    const EdgesX4 x = edges_x4(coins, row, c, j, n);
    __m256i live = _mm256_setzero_si256();
    for (int i = 0; i < k; ++i) {
      const __m256i coin = mix_x4(_mm256_add_epi64(x.key, broadcast_x4(offset_of[i])));
      live = _mm256_or_si256(live, _mm256_and_si256(cmplt_epu64_x4(coin, x.threshold), broadcast_x4(bit_of[i])));
    }
    live = _mm256_blendv_epi8(live, broadcast_x4(all_k), x.certain);
    any |= store_worlds_x4(out + j, live, n) << j;
  }
  return any;
}

struct LtEdgesX4 {
  __m256i key, start, length;
};
template <class S>
KOLSIM_AVX2_TARGET inline LtEdgesX4 lt_edges_x4(std::uint64_t key_base, const prob_t* row, const vertex_t* tgt,
                                               const S* start, edge_t c, unsigned j, unsigned n) noexcept {
  const __m256i whole = broadcast_x4(std::uint64_t{1} << 63);
  const __m256i bits = load_u32_x4(row + j, n);
  const __m256i v = load_u32_x4(tgt + c + j, n);
  const __m256i key = mix_x4(_mm256_xor_si256(broadcast_x4(key_base), mullo_u32_x4(v, WorldCoins::edge_multiplier)));
  __m256i len = _mm256_blendv_epi8(_mm256_srli_epi64(threshold_x4(bits), 1), whole, certain_x4(bits));
  __m256i s;
  if constexpr (sizeof(S) == 8) {
    const auto* sp = reinterpret_cast<const long long*>(start + c + j);
    s = n >= 4 ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(sp)) : _mm256_maskload_epi64(sp, tail_mask64_x4(n));
  } else {  // rank x length (< 2^63 unless past_end, so the low 64 bits are exact)
    const __m256i rank = load_u32_x4(start + c + j, n);
    s = _mm256_add_epi64(_mm256_mul_epu32(rank, len),
                         _mm256_slli_epi64(_mm256_mul_epu32(rank, _mm256_srli_epi64(len, 32)), 32));
    len = _mm256_andnot_si256(_mm256_cmpeq_epi64(rank, broadcast_x4(0xFFFFFFFFull)), len);
  }
  const __m256i room = _mm256_sub_epi64(whole, s);
  len = _mm256_blendv_epi8(room, len, cmplt_epu64_x4(len, room));  // min(len, 2^63 - start)
  return {key, s, len};
}

template <class S>
KOLSIM_AVX2_TARGET inline std::uint64_t lt_live_edges_one_world_avx2(std::uint64_t key_base, const prob_t* row,
                                                                     const vertex_t* tgt, const S* start,
                                                                     edge_t c, unsigned len,
                                                                     std::uint64_t add) noexcept {
  std::uint64_t live = 0;
  unsigned j = 0;
  for (; j + 8 <= len; j += 8) {  // two independent halves per iteration
    const LtEdgesX4 x = lt_edges_x4(key_base, row, tgt, start, c, j, 4);
    const LtEdgesX4 y = lt_edges_x4(key_base, row, tgt, start, c, j + 4, 4);
    const __m256i cx = _mm256_srli_epi64(mix_x4(_mm256_add_epi64(x.key, broadcast_x4(add))), 1);
    const __m256i cy = _mm256_srli_epi64(mix_x4(_mm256_add_epi64(y.key, broadcast_x4(add))), 1);
    const unsigned hx = lanes_of_x4(cmplt_epu64_x4(_mm256_sub_epi64(cx, x.start), x.length));
    const unsigned hy = lanes_of_x4(cmplt_epu64_x4(_mm256_sub_epi64(cy, y.start), y.length));
    live |= static_cast<std::uint64_t>(hx | hy << 4) << j;
  }
  for (; j < len; j += 4) {
    const unsigned n = std::min(4u, len - j);
    const LtEdgesX4 x = lt_edges_x4(key_base, row, tgt, start, c, j, n);
    const __m256i coin = _mm256_srli_epi64(mix_x4(_mm256_add_epi64(x.key, broadcast_x4(add))), 1);
    const unsigned hit = lanes_of_x4(cmplt_epu64_x4(_mm256_sub_epi64(coin, x.start), x.length)) & ((1u << n) - 1);
    live |= static_cast<std::uint64_t>(hit) << j;
  }
  return live;
}

template <class S>
KOLSIM_AVX2_TARGET inline std::uint64_t lt_live_edges_worlds_avx2(std::uint64_t key_base, const prob_t* row,
                                                                  const vertex_t* tgt, const S* start,
                                                                  edge_t c, unsigned len, int k,
                                                                  const std::uint64_t* bit_of,
                                                                  const std::uint64_t* offset_of,
                                                                  std::uint64_t* out) noexcept {
  std::uint64_t any = 0;
  for (unsigned j = 0; j < len; j += 4) {
    const unsigned n = std::min(4u, len - j);
    const LtEdgesX4 x = lt_edges_x4(key_base, row, tgt, start, c, j, n);
    __m256i live = _mm256_setzero_si256();
    for (int i = 0; i < k; ++i) {
      const __m256i coin = _mm256_srli_epi64(mix_x4(_mm256_add_epi64(x.key, broadcast_x4(offset_of[i]))), 1);
      live = _mm256_or_si256(
          live, _mm256_and_si256(cmplt_epu64_x4(_mm256_sub_epi64(coin, x.start), x.length), broadcast_x4(bit_of[i])));
    }
    any |= store_worlds_x4(out + j, live, n) << j;
  }
  return any;
}
#undef KOLSIM_AVX2_TARGET
#endif  // KOLSIM_FUSED_IC_AVX512

/// The instruction sets of the fused kernels' coin scans (IC and LT). Every one gives the same
/// bits; the fastest one the build and the processor (and OS) support is used, unless a test or
/// benchmark forces one with force_kernel_isa().
enum class KernelIsa : int { scalar = 0, avx2 = 1, avx512 = 2 };

inline const char* kernel_isa_name(KernelIsa isa) noexcept {
  return isa == KernelIsa::avx512 ? "avx512" : isa == KernelIsa::avx2 ? "avx2" : "scalar";
}

/// Whether this build and this processor (and OS) run the coin scans with `isa`.
inline bool kernel_isa_supported(KernelIsa isa) noexcept {
#if KOLSIM_FUSED_IC_AVX512
  static const bool avx2 = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  static const bool avx512 = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl");
  }();
  return isa == KernelIsa::scalar || (isa == KernelIsa::avx2 && avx2) || (isa == KernelIsa::avx512 && avx512);
#else
  return isa == KernelIsa::scalar;
#endif
}

/// Whether this processor (and OS) runs the AVX-512 coin scans.
inline bool fused_ic_has_avx512() noexcept { return kernel_isa_supported(KernelIsa::avx512); }

/// -1, or the KernelIsa that force_kernel_isa() asked for.
inline std::atomic<int>& forced_kernel_isa() noexcept {
  static std::atomic<int> forced{-1};
  return forced;
}

/// Internal (tests and benchmarks): the coin scans built from now on use `isa` (which must be
/// supported), or again the fastest supported one for std::nullopt. Results do not change.
inline void force_kernel_isa(std::optional<KernelIsa> isa) {
  KOLSIM_REQUIRE(!isa || kernel_isa_supported(*isa), "force_kernel_isa: ", kernel_isa_name(*isa),
                 " is not supported by this build or processor");
  forced_kernel_isa().store(isa ? static_cast<int>(*isa) : -1, std::memory_order_relaxed);
}

/// The instruction set the coin scans use now.
inline KernelIsa kernel_isa() noexcept {
  const int forced = forced_kernel_isa().load(std::memory_order_relaxed);
  if (forced >= 0) return static_cast<KernelIsa>(forced);
  static const KernelIsa best = kernel_isa_supported(KernelIsa::avx512) ? KernelIsa::avx512
                                : kernel_isa_supported(KernelIsa::avx2) ? KernelIsa::avx2
                                                                        : KernelIsa::scalar;
  return best;
}

/// Runs worlds 0 .. worlds-1 (worlds <= 64) of batch `batch` of the Independent Cascade
/// step-synchronously: edge e is live in world w iff WorldCoins(seed, batch).live(e, p, {w}), so
/// every world is one fixed live-edge graph. Seed i posts in the worlds where pseudo-edge m + i
/// with probability seed_probs[i] is live. Newly active (v, mask) at step t add weight(v) to each
/// world's reach and to step t; per_account[v] (if non-null) gains popcount(mask). Edges examined
/// count (world, out-edge) pairs of expanded accounts.
///
/// Since coins do not depend on the cascade, live(e, p, fm & ~visited) = live(e, p, fm) & ~visited:
/// the coins of a row are drawn first, 64 edges at a time, from the probabilities alone (read in
/// address order; with AVX-512 when the processor has it), and only the edges live in some of
/// the frontier worlds fm (~10% under weighted cascade) touch their target: (v, live) enters a
/// short queue that prefetches v's slot and is resolved in order `lag` pairs later. Activations,
/// and so every sum, happen in the order of a plain edge-by-edge scan, and the results are the
/// same bits as one (tests/cpp/test_monte_carlo.cpp keeps such a scan to compare against).
/// `scan` is the model's coin scan (FusedIcScan or FusedLtScan): scan.one(c, len, add) and
/// scan.worlds(c, len, k, bit_of, offset_of, all_k, out) return the live edges of a row piece
/// as the IC scans live_edges_one_world / live_edges_worlds do.
///
/// One function of ~150 lines on purpose (STYLE: a tight kernel loop): it is the innermost loop
/// of every Monte Carlo estimate, and its phases (activation, coin scan, prefetch queue,
/// workspace reset) share the frontier, queue and mask state in registers; the phases are
/// marked by comments inside rather than split into calls in the hottest loop.
template <class Scan>
void run_fused_batch(const FollowerGraph& g, std::span<const vertex_t> seeds, std::span<const prob_t> seed_probs,
                     const WorldCoins& coins, const Scan& scan, unsigned worlds, std::uint32_t max_steps,
                     std::span<const double> weights, FusedIcWorkspace& ws, BatchTally& tally,
                     std::uint64_t* per_account) {
  assert(worlds >= 1 && worlds <= 64);
  const std::uint64_t all = worlds == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << worlds) - 1;
  const edge_t m = g.num_edges();
  const edge_t* off = g.out_offsets().data();
  const vertex_t* tgt = g.out_targets().data();
  const prob_t* prob = scan.prob;  // for prefetching only: null when the scan computes its rows
  const bool weighted = !weights.empty();
  const double* weight = weights.data();
  FusedIcWorkspace::Slot* slot = ws.slots();
  double reach[64] = {};
  std::uint64_t counts[64] = {};
  std::vector<double>& steps = tally.new_per_step;
  steps.clear();

  // Adds newly active (v, nw) to the per-world reach, the step total `amount` and per_account.
  auto activate = [&](vertex_t v, std::uint64_t nw, double& amount) {
    const int c = count_worlds(nw);
    if (per_account) per_account[v] += static_cast<std::uint64_t>(c);
    if (weighted) {
      const double w = weight[v];
      amount += w * c;
      for (std::uint64_t b = nw; b; b &= b - 1) reach[std::countr_zero(b)] += w;
    } else {
      amount += c;
      for (std::uint64_t b = nw; b; b &= b - 1) ++counts[std::countr_zero(b)];
    }
  };

  auto& frontier = ws.frontier;
  auto& next = ws.next_frontier;
  frontier.clear();
  ws.touched.clear();
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    const vertex_t s = seeds[i];
    const std::uint64_t posts = seed_probs.empty() ? all : coins.live(m + i, seed_probs[i], all);
    if (!posts) continue;
    slot[s].visited = posts;
    frontier.push_back({s, posts});
    ws.touched.push_back(s);
    if (steps.empty()) steps.push_back(0.0);
    activate(s, posts, steps[0]);
  }
  std::sort(frontier.begin(), frontier.end(), [](const auto& a, const auto& b) { return a.v < b.v; });

  // Queue of (target, live worlds) pairs whose slots are being prefetched.
  constexpr std::size_t queue_size = 64, lag = 32;
  constexpr edge_t row_prefetch = 64;
  static_assert(lag < queue_size && (queue_size & (queue_size - 1)) == 0);
  FusedIcWorkspace::Entry queue[queue_size];
  std::size_t head = 0, tail = 0;
  std::uint64_t bit_of[64], offset_of[64], masks[64];

  std::uint64_t edges = 0;
  for (std::uint32_t step = 0; !frontier.empty() && step < max_steps; ++step) {
    next.clear();
    double amount = 0;  // (weighted) newly active at step + 1, summed in activation order
    auto resolve = [&](const FusedIcWorkspace::Entry& x) {
      auto& sv = slot[x.v];
      const std::uint64_t nw = x.worlds & ~sv.visited;
      if (!nw) return;
      if (!sv.next) next.push_back(x.v);
      sv.next |= nw;
      sv.visited |= nw;
      activate(x.v, nw, amount);
    };
    auto push = [&](vertex_t v, std::uint64_t live) {
      __builtin_prefetch(slot + v);
      if (per_account) __builtin_prefetch(per_account + v);
      if (weighted) __builtin_prefetch(weight + v);
      queue[tail++ % queue_size] = {v, live};
      if (tail - head > lag) resolve(queue[head++ % queue_size]);
    };
    auto prefetch_edges = [&](edge_t from, edge_t to) {
      for (edge_t e = from; e < to; e += 16) {
        __builtin_prefetch(tgt + e);
        if (prob) __builtin_prefetch(prob + e);
      }
      if constexpr (requires { scan.prefetch_edges(from, to); }) scan.prefetch_edges(from, to);
    };
    const std::size_t fn = frontier.size();
    for (std::size_t fi = 0; fi < fn; ++fi) {
      // Rows ahead: offsets 48 entries ahead; targets and probabilities 16 entries ahead (up
      // to 64 edges; longer rows prefetch their rest while they are scanned).
      if (fi + 48 < fn) __builtin_prefetch(off + frontier[fi + 48].v);
      if (fi + 16 < fn) {
        const vertex_t a = frontier[fi + 16].v;
        const edge_t r = off[a], r_end = std::min(off[a + 1], r + row_prefetch);
        if (r < r_end) {
          prefetch_edges(r, r_end);
          __builtin_prefetch(tgt + r_end - 1);
          if (prob) __builtin_prefetch(prob + r_end - 1);
        }
      }
      // Scans that compute their rows from per-target data prefetch it 8 rows ahead.
      if constexpr (requires { scan.prefetch_row(edge_t{}, edge_t{}); })
        if (fi + 8 < fn) {
          const vertex_t a = frontier[fi + 8].v;
          scan.prefetch_row(off[a], std::min(off[a + 1], off[a] + row_prefetch));
        }
      const vertex_t u = frontier[fi].v;
      const std::uint64_t fm = frontier[fi].worlds;
      const edge_t lo = off[u], hi = off[u + 1];
      const int k = count_worlds(fm);
      edges += static_cast<std::uint64_t>(k) * (hi - lo);
      if (hi - lo > row_prefetch) prefetch_edges(lo + row_prefetch, hi);
      // Coins first, for up to 64 edges at a time; then the live edges, in order.
      if (k == 1) {
        const std::uint64_t add = WorldCoins::world_offset(static_cast<unsigned>(std::countr_zero(fm)));
        for (edge_t c = lo; c < hi; c += 64) {
          const auto len = static_cast<unsigned>(std::min<edge_t>(64, hi - c));
          for (std::uint64_t live = scan.one(c, len, add); live; live &= live - 1)
            push(tgt[c + static_cast<unsigned>(std::countr_zero(live))], fm);
        }
      } else {
        int j = 0;
        for (std::uint64_t b = fm; b; b &= b - 1, ++j) {
          bit_of[j] = b & (~b + 1);
          offset_of[j] = WorldCoins::world_offset(static_cast<unsigned>(std::countr_zero(b)));
        }
        for (edge_t c = lo; c < hi; c += 64) {
          const auto len = static_cast<unsigned>(std::min<edge_t>(64, hi - c));
          for (std::uint64_t any = scan.worlds(c, len, k, bit_of, offset_of, fm, masks); any;
               any &= any - 1) {
            const auto j = static_cast<unsigned>(std::countr_zero(any));
            push(tgt[c + j], masks[j]);
          }
        }
      }
    }
    while (head != tail) resolve(queue[head++ % queue_size]);
    if (!next.empty()) steps.push_back(amount);

    sort_vertices(next, ws.sort_buffer);
    const std::size_t nn = next.size();
    frontier.resize(nn);
    for (std::size_t i = 0; i < nn; ++i) {
      if (i + 16 < nn) __builtin_prefetch(slot + next[i + 16]);
      const vertex_t v = next[i];
      frontier[i] = {v, slot[v].next};
      slot[v].next = 0;
    }
    ws.touched.insert(ws.touched.end(), next.begin(), next.end());
  }
  // Leave the workspace clean: slot by slot, or in one sweep when many were touched.
  const vertex_t* touched = ws.touched.data();
  const std::size_t tn = ws.touched.size();
  if (tn >= g.num_vertices() / 8) {
    std::fill_n(slot, g.num_vertices(), FusedIcWorkspace::Slot{});
  } else {
    for (std::size_t i = 0; i < tn; ++i) {
      if (i + 16 < tn) __builtin_prefetch(slot + touched[i + 16], 1);
      slot[touched[i]].visited = 0;
    }
  }

  if (!weighted)
    for (unsigned w = 0; w < worlds; ++w) reach[w] = static_cast<double>(counts[w]);
  tally.set_reach(reach, worlds);
  tally.edges = edges;
}


/// The out-order probabilities of a fused scan, piece by piece (<= 64 edges of one row): `prob`
/// when the graph's array is streamed (streamed_out_probabilities), else each piece is written
/// to `buf` from the graph (1 / indeg(target) for weighted cascade; the constant, once, for a
/// constant graph), so the same floats meet the same coins without a 4-bytes-per-edge array.
struct OutProbPieces {
  const prob_t* prob = nullptr;
  const vertex_t* tgt = nullptr;    ///< implicit weighted cascade: out-targets
  const edge_t* in_off = nullptr;   ///< implicit weighted cascade: in-offsets (null for a constant)
  edge_t m = 0;                     ///< implicit weighted cascade: number of edges
  mutable prob_t buf[64] = {};      ///< implicit rows: the probabilities of the current piece

  /// The pieces of g's probabilities, whatever their storage (an implicit graph is materialised
  /// only when streamed_out_probabilities says so).
  static OutProbPieces of(const FollowerGraph& g) {
    OutProbPieces s;
    if ((s.prob = streamed_out_probabilities(g))) return s;
    if (g.probability_kind() == ProbabilityKind::weighted_cascade) {
      s.tgt = g.out_targets().data();
      s.in_off = g.in_offsets().data();
      s.m = g.num_edges();
    } else {
      std::fill_n(s.buf, 64, g.constant_probability_value());
    }
    return s;
  }
  /// Prefetches what row() reads for edges lo .. hi - 1 (weighted cascade: the targets' in-offsets).
  void prefetch_row(edge_t lo, edge_t hi) const noexcept {
    if (in_off)
      for (edge_t e = lo; e < hi; ++e) __builtin_prefetch(in_off + tgt[e]);
  }
  /// The probabilities of edges c .. c + len - 1 (len <= 64).
  const prob_t* row(edge_t c, unsigned len) const noexcept {
    if (prob) return prob + c;
    if (in_off) {
      if (len == 64) prefetch_row(c + 64, std::min<edge_t>(c + 128, m));  // a long row's next piece
      for (unsigned j = 0; j < len; ++j) {
        const vertex_t v = tgt[c + j];
        buf[j] = weighted_cascade_probability(in_off[v + 1] - in_off[v]);
      }
    }
    return buf;
  }
};

/// The Independent Cascade's coin scan: edge e is live in world w iff coin(b, e, w) < p(e) 2^64
/// (AVX-512, else AVX2, when the processor has it, else scalar; the same bits). `prob` holds the
/// probabilities in out-edge order; for an implicit graph (FollowerGraph::implicit_probabilities)
/// it is null and `pieces` computes them (see OutProbPieces). Make one with of().
struct FusedIcScan {
  const WorldCoins& coins;
  const prob_t* prob;
  KernelIsa isa = kernel_isa();
  OutProbPieces pieces{};  ///< pieces.prob == prob

  /// The scan of g's probabilities, whatever their storage (see OutProbPieces::of).
  static FusedIcScan of(const WorldCoins& coins, const FollowerGraph& g) {
    FusedIcScan s{coins, nullptr};
    s.pieces = OutProbPieces::of(g);
    s.prob = s.pieces.prob;
    return s;
  }
  void prefetch_row(edge_t lo, edge_t hi) const noexcept { pieces.prefetch_row(lo, hi); }
  const prob_t* row(edge_t c, unsigned len) const noexcept { return prob ? prob + c : pieces.row(c, len); }
  std::uint64_t one(edge_t c, unsigned len, std::uint64_t add) const noexcept {
    const prob_t* r = row(c, len);
#if KOLSIM_FUSED_IC_AVX512
    if (isa == KernelIsa::avx512) return live_edges_one_world_avx512(coins, r, c, len, add);
    if (isa == KernelIsa::avx2) return live_edges_one_world_avx2(coins, r, c, len, add);
#endif
    return live_edges_one_world_row(coins, r, c, len, add);
  }
  std::uint64_t worlds(edge_t c, unsigned len, int k, const std::uint64_t* bit_of, const std::uint64_t* offset_of,
                       std::uint64_t all_k, std::uint64_t* out) const noexcept {
    const prob_t* r = row(c, len);
#if KOLSIM_FUSED_IC_AVX512
    if (isa == KernelIsa::avx512) return live_edges_worlds_avx512(coins, r, c, len, k, bit_of, offset_of, all_k, out);
    if (isa == KernelIsa::avx2) return live_edges_worlds_avx2(coins, r, c, len, k, bit_of, offset_of, all_k, out);
#endif
    return live_edges_worlds_row(coins, r, c, len, k, bit_of, offset_of, all_k, out);
  }
};

inline void run_fused_ic_batch(const FollowerGraph& g, std::span<const vertex_t> seeds,
                               std::span<const prob_t> seed_probs, std::uint64_t seed, std::uint64_t batch,
                               unsigned worlds, std::uint32_t max_steps, std::span<const double> weights,
                               FusedIcWorkspace& ws, BatchTally& tally, std::uint64_t* per_account) {
  const WorldCoins coins(seed, batch);
  const FusedIcScan scan = FusedIcScan::of(coins, g);
  run_fused_batch(g, seeds, seed_probs, coins, scan, worlds, max_steps, weights, ws, tally, per_account);
}

/// Linear Threshold as live edges (Kempe, Kleinberg, Tardos, KDD 2003, Claim 2.6: the same
/// distribution of active sets at every step): in each world every account keeps at most one
/// in-edge, in-edge (u, v) with probability w(u, v). Account v draws one 63-bit uniform per
/// world, coin(b, v, w) >> 1, and keeps the in-edge whose interval holds it; the intervals tile
/// [0, 2^63) in in-row order, edge e covering [start(e), start(e) + len(e)) with len(e) =
/// floor(w(e) 2^63) (2^63 for w >= 1), cut at 2^63 when the weights sum to more than 1 (the
/// tolerance of LinearThreshold::validate). The starts are kept per out-edge, so the kernel scans
/// out-rows exactly as for IC: edge e = (u, v) is live in world w iff coin - start(e) < len(e).
///
/// Two forms of the same starts. When every in-row's weights have one length (weighted cascade,
/// a constant, or any graph whose in-rows are uniform), the j-th in-edge of v starts at
/// min(j len, 2^63), so 4 bytes per edge keep j (rank(), past_end once j len >= 2^63) and the
/// scans multiply it out; otherwise 8 bytes per edge keep the prefix sums (start()). Both give
/// the same start(e) bit for bit (tests/cpp/test_monte_carlo.cpp builds both and compares).
class LtIntervals {
 public:
  static constexpr std::uint64_t whole = std::uint64_t{1} << 63;
  /// rank() of an in-edge whose interval is cut away (j len >= 2^63: start 2^63, length 0).
  static constexpr std::uint32_t past_end = 0xFFFFFFFFu;
  enum class Form { automatic, ranks, starts };

  /// O(m) time. Form::automatic picks ranks when in_rows_uniform(g); Form::ranks requires it
  /// (tests). The prefix sums are parallel over fixed blocks of accounts; any thread count gives
  /// the same values.
  LtIntervals(const FollowerGraph& g, int threads, Form form = Form::automatic) {
    if (form == Form::automatic)
      form = in_rows_uniform(g, threads) ? Form::ranks : Form::starts;
    else if (form == Form::ranks)
      KOLSIM_REQUIRE(in_rows_uniform(g, threads), "LtIntervals: the rank form needs every in-row's weights to have one length");
    if (form == Form::ranks)
      build_ranks(g, threads);
    else
      build_starts(g, threads);
  }
  /// Whether every in-row's weights have the same length() and every in-degree fits the rank
  /// form (always for implicit weighted-cascade and constant graphs up to 2^32 - 2 in-edges).
  static bool in_rows_uniform(const FollowerGraph& g, int threads) {
    const auto in_off = g.in_offsets();
    const vertex_t n = g.num_vertices();
    if (g.num_edges() >= past_end)
      for (vertex_t v = 0; v < n; ++v)
        if (in_off[v + 1] - in_off[v] >= past_end) return false;
    if (g.implicit_probabilities() || !g.has_probabilities()) return true;
    const prob_t* p = g.in_edge_probs().data();
    std::atomic<bool> uniform{true};
    constexpr std::size_t block = 1 << 14;
    parallel_for(0, (static_cast<std::size_t>(n) + block - 1) / block, threads, [&](std::size_t b) {
      const std::size_t hi = std::min<std::size_t>(n, (b + 1) * block);
      for (std::size_t v = b * block; v < hi && uniform.load(std::memory_order_relaxed); ++v) {
        const edge_t lo = in_off[v], end = in_off[v + 1];
        if (lo == end) continue;
        const std::uint64_t len = length(p[lo]);
        for (edge_t i = lo + 1; i < end; ++i)
          if (length(p[i]) != len) {
            uniform.store(false, std::memory_order_relaxed);
            break;
          }
      }
    }, 1);
    return uniform.load();
  }
  /// The bytes per edge each form keeps (and, for the starts, as much again while building).
  static double bytes_to_build(const FollowerGraph& g, bool uniform) noexcept {
    return uniform ? static_cast<double>(g.num_edges()) * 4.0 + static_cast<double>(g.num_vertices()) * 4.0
                   : static_cast<double>(g.num_edges()) * 16.0 + static_cast<double>(g.num_vertices()) * 8.0;
  }
  /// floor(w 2^63), 2^63 for w >= 1, 0 for w <= 0.
  static std::uint64_t length(prob_t w) noexcept {
    const auto bits = std::bit_cast<std::uint32_t>(w);
    return WorldCoins::certain_of_bits(bits) ? whole : WorldCoins::threshold_of_bits(bits) >> 1;
  }
  /// Prefix sums per out-edge, or null in the rank form.
  const std::uint64_t* start() const noexcept { return ranked_ ? nullptr : start_.data(); }
  /// Ranks per out-edge, or null in the starts form.
  const std::uint32_t* rank() const noexcept { return ranked_ ? rank_.data() : nullptr; }
  bool ranked() const noexcept { return ranked_; }
  /// start(e) of out-edge e whose weight has length `len`, in either form.
  std::uint64_t start_of(edge_t e, std::uint64_t len) const noexcept { return start_at(start(), rank(), e, len); }
  static std::uint64_t start_at(const std::uint64_t* start, const std::uint32_t* rank, edge_t e,
                                std::uint64_t len) noexcept {
    if (start) return start[e];
    const std::uint32_t j = rank[e];
    return j == past_end ? whole : j * len;
  }

 private:
  /// Out-row u meets its targets in ascending order and in-row v lists its sources in ascending
  /// order (parallel edges adjacent), so counting the edges met so far into v gives each edge's
  /// place in v's in-row: one pass over the out-rows, with per account the count and the first
  /// rank whose interval is cut (found first, in parallel, from v's in-row weight).
  void build_ranks(const FollowerGraph& g, int threads) {
    ranked_ = true;
    const vertex_t n = g.num_vertices();
    const auto out_off = g.out_offsets();
    const auto out_tgt = g.out_targets();
    const auto in_off = g.in_offsets();
    const edge_t m = g.num_edges();
    struct Account {
      std::uint32_t met, cut;
    };
    std::vector<Account> acc(n);
    constexpr std::size_t block = 1 << 14;
    parallel_for(0, (static_cast<std::size_t>(n) + block - 1) / block, threads, [&](std::size_t b) {
      const std::size_t hi = std::min<std::size_t>(n, (b + 1) * block);
      for (std::size_t v = b * block; v < hi; ++v) {
        const edge_t d = in_off[v + 1] - in_off[v];
        const std::uint64_t len = d ? length(g.in_probs(static_cast<vertex_t>(v))[0]) : 0;
        // The least j with j len >= 2^63 (past_end: none below it).
        const std::uint64_t cut = len == 0 ? past_end : (whole + len - 1) / len;
        acc[v] = {0, static_cast<std::uint32_t>(std::min<std::uint64_t>(cut, past_end))};
      }
    }, 1);
    rank_.resize(m);
    constexpr edge_t ahead = 16;  // the target accounts met 16 edges on
    for (vertex_t u = 0; u < n; ++u)
      for (edge_t e = out_off[u]; e < out_off[u + 1]; ++e) {
        if (e + ahead < m) __builtin_prefetch(acc.data() + out_tgt[e + ahead], 1);
        Account& a = acc[out_tgt[e]];
        const std::uint32_t j = a.met++;
        rank_[e] = j >= a.cut ? past_end : j;
      }
  }
  void build_starts(const FollowerGraph& g, int threads) {
    const vertex_t n = g.num_vertices();
    const auto in_off = g.in_offsets();
    const auto in_src = g.in_sources();
    const auto out_off = g.out_offsets();
    const auto out_tgt = g.out_targets();
    start_.resize(g.num_edges());
    std::vector<std::uint64_t> in_start(g.num_edges());
    constexpr std::size_t block = 1 << 14;
    parallel_for(0, (static_cast<std::size_t>(n) + block - 1) / block, threads, [&](std::size_t b) {
      const std::size_t hi = std::min<std::size_t>(n, (b + 1) * block);
      for (std::size_t v = b * block; v < hi; ++v) {
        // The row's weights, read from the graph whatever their storage (an implicit graph's
        // in-row is one value: nothing is materialised).
        const ProbRow w = g.in_probs(static_cast<vertex_t>(v));
        std::uint64_t at = 0;
        edge_t i = in_off[v];
        if (const prob_t* p = w.data()) {
          for (std::size_t j = 0; j < w.size(); ++j, ++i) {
            in_start[i] = at;
            at += std::min(length(p[j]), whole - at);  // saturates at 2^63 (no wrap after it)
          }
        } else {
          for (std::size_t j = 0; j < w.size(); ++j, ++i) {
            in_start[i] = at;
            at += std::min(length(w[j]), whole - at);
          }
        }
      }
    }, 1);
    // A cursor per in-row pairs the two orders (see build_ranks).
    std::vector<edge_t> cursor(in_off.begin(), in_off.end() - 1);
    for (vertex_t u = 0; u < n; ++u)
      for (edge_t e = out_off[u]; e < out_off[u + 1]; ++e) {
        const vertex_t v = out_tgt[e];
        const edge_t i = cursor[v]++;
        assert(in_src[i] == u);
        (void)in_src;
        start_[e] = in_start[i];
      }
  }

  bool ranked_ = false;
  std::vector<std::uint64_t> start_;
  std::vector<std::uint32_t> rank_;
};

/// The Linear Threshold's coin scan over LtIntervals (AVX-512, else AVX2, when the processor has
/// it, else scalar; the same bits): the coin of edge (u, v) in world
/// w depends on (batch, v, w) only, so in each world v's in-edges share one draw.
struct FusedLtScan {
  static constexpr std::uint64_t account_tag = 0x5851F42D4C957F2Dull;
  const WorldCoins& coins;
  const prob_t* prob;  ///< out-order weights, or null for an implicit graph (then `pieces` computes them)
  const vertex_t* tgt;
  const std::uint64_t* start;   ///< LtIntervals::start(), or null in the rank form
  const std::uint32_t* rank;    ///< LtIntervals::rank(), or null in the starts form
  KernelIsa isa = kernel_isa();  ///< every choice gives the same bits
  OutProbPieces pieces{};        ///< pieces.prob == prob

  /// The scan of g's weights over `intervals` (LtIntervals of g), whatever their storage: the
  /// same rule as the IC scan (streamed_out_probabilities), so an implicit graph is not
  /// materialised unless it is a weighted-cascade graph small enough to stream its built array.
  static FusedLtScan of(const WorldCoins& coins, const FollowerGraph& g, const LtIntervals& intervals) {
    FusedLtScan s{coins, nullptr, g.out_targets().data(), intervals.start(), intervals.rank()};
    s.pieces = OutProbPieces::of(g);
    s.prob = s.pieces.prob;
    return s;
  }
  std::uint64_t account_key(vertex_t v) const noexcept {
    return WorldCoins::mix(coins.batch_key() ^ account_tag ^ (static_cast<std::uint64_t>(v) * WorldCoins::edge_multiplier));
  }
  void prefetch_row(edge_t lo, edge_t hi) const noexcept { pieces.prefetch_row(lo, hi); }
  /// Prefetches the interval data of edges lo .. hi - 1 (with the targets, rows ahead).
  void prefetch_edges(edge_t lo, edge_t hi) const noexcept {
    if (lo >= hi) return;
    if (rank) {
      for (edge_t e = lo; e < hi; e += 16) __builtin_prefetch(rank + e);
      __builtin_prefetch(rank + hi - 1);
    } else {
      for (edge_t e = lo; e < hi; e += 8) __builtin_prefetch(start + e);
      __builtin_prefetch(start + hi - 1);
    }
  }
  /// The weights of edges c .. c + len - 1 (len <= 64).
  const prob_t* row(edge_t c, unsigned len) const noexcept { return prob ? prob + c : pieces.row(c, len); }
  /// Whether the 63-bit draw `coin63` falls in the interval of edge e, whose weight is w.
  bool hit(edge_t e, prob_t w, std::uint64_t coin63) const noexcept {
    const std::uint64_t len = LtIntervals::length(w);
    const std::uint64_t s = LtIntervals::start_at(start, rank, e, len);
    return coin63 - s < std::min(len, LtIntervals::whole - s);
  }
  /// hit() reading edge e's weight from `prob` (not for implicit graphs).
  bool hit(edge_t e, std::uint64_t coin63) const noexcept { return hit(e, prob[e], coin63); }
  std::uint64_t one(edge_t c, unsigned len, std::uint64_t add) const noexcept {
    const prob_t* r = row(c, len);
    const std::uint64_t key_base = coins.batch_key() ^ account_tag;
#if KOLSIM_FUSED_IC_AVX512
    if (isa == KernelIsa::avx512)
      return rank ? lt_live_edges_one_world_avx512(key_base, r, tgt, rank, c, len, add)
                  : lt_live_edges_one_world_avx512(key_base, r, tgt, start, c, len, add);
    if (isa == KernelIsa::avx2)
      return rank ? lt_live_edges_one_world_avx2(key_base, r, tgt, rank, c, len, add)
                  : lt_live_edges_one_world_avx2(key_base, r, tgt, start, c, len, add);
#endif
    std::uint64_t live = 0;
    for (unsigned j = len; j-- > 0;) {
      const std::uint64_t coin63 = WorldCoins::mix(account_key(tgt[c + j]) + add) >> 1;
      live = live << 1 | static_cast<std::uint64_t>(hit(c + j, r[j], coin63));
    }
    return live;
  }
  std::uint64_t worlds(edge_t c, unsigned len, int k, const std::uint64_t* bit_of, const std::uint64_t* offset_of,
                       std::uint64_t, std::uint64_t* out) const noexcept {
    const prob_t* r = row(c, len);
    const std::uint64_t key_base = coins.batch_key() ^ account_tag;
#if KOLSIM_FUSED_IC_AVX512
    if (isa == KernelIsa::avx512)
      return rank ? lt_live_edges_worlds_avx512(key_base, r, tgt, rank, c, len, k, bit_of, offset_of, out)
                  : lt_live_edges_worlds_avx512(key_base, r, tgt, start, c, len, k, bit_of, offset_of, out);
    if (isa == KernelIsa::avx2)
      return rank ? lt_live_edges_worlds_avx2(key_base, r, tgt, rank, c, len, k, bit_of, offset_of, out)
                  : lt_live_edges_worlds_avx2(key_base, r, tgt, start, c, len, k, bit_of, offset_of, out);
#endif
    std::uint64_t any = 0;
    for (unsigned j = len; j-- > 0;) {
      const std::uint64_t key = account_key(tgt[c + j]);
      const std::uint64_t l0 = LtIntervals::length(r[j]);
      const std::uint64_t s = LtIntervals::start_at(start, rank, c + j, l0);
      const std::uint64_t l = std::min(l0, LtIntervals::whole - s);
      std::uint64_t live = 0;
      for (int i = 0; i < k; ++i) live |= (WorldCoins::mix(key + offset_of[i]) >> 1) - s < l ? bit_of[i] : 0;
      out[j] = live;
      any = any << 1 | static_cast<std::uint64_t>(live != 0);
    }
    return any;
  }
};

/// run_fused_ic_batch() for Linear Threshold: world w of batch b is the live-edge graph of
/// LtIntervals drawn from WorldCoins(seed, b) with FusedLtScan; seeds post as for IC.
inline void run_fused_lt_batch(const FollowerGraph& g, const LtIntervals& intervals, std::span<const vertex_t> seeds,
                               std::span<const prob_t> seed_probs, std::uint64_t seed, std::uint64_t batch,
                               unsigned worlds, std::uint32_t max_steps, std::span<const double> weights,
                               FusedIcWorkspace& ws, BatchTally& tally, std::uint64_t* per_account) {
  const WorldCoins coins(seed, batch);
  const FusedLtScan scan = FusedLtScan::of(coins, g, intervals);
  run_fused_batch(g, seeds, seed_probs, coins, scan, worlds, max_steps, weights, ws, tally, per_account);
}

}  // namespace kolsim::detail
