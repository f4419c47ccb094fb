// SPDX-License-Identifier: MIT
/// Seeded random follower-graph generators (G(n, m), Price preferential attachment, directed
/// Chung-Lu, Watts-Strogatz, R-MAT, stochastic block model) that give identical graphs for any
/// thread count.
///
/// Every generator returns a FollowerGraph on vertices 0 .. n-1 with identity account ids and no
/// probabilities (assign a scheme from graph/probabilities.hpp). As everywhere in kolsim, an
/// edge u -> v means "v follows u": the follower count of u is its OUT-degree.
///
/// Reproducibility: the random work is cut into fixed chunks independent of the thread count;
/// chunk c draws only from Rng(seed, c, domain::generator), and results are assembled in chunk
/// order (or sorted), so one seed gives one graph on 1, 2 or 64 threads.
#pragma once

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <unordered_set>
#include <vector>

#ifdef _OPENMP
#include <parallel/algorithm>
#endif

#include "kolsim/core/error.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/rng.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/graph/builder.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

namespace detail {

__extension__ typedef unsigned __int128 uint128;

/// Builds below this many arcs run on one thread.
inline bool m_small(std::size_t m) noexcept { return m < (std::size_t{1} << 16); }

/// Random draws handled by one chunk (stream) of the parallel generators.
inline constexpr std::uint64_t generator_chunk = std::uint64_t{1} << 16;
/// Stream index reserved for the serial steps of a generator (permutations, trimming); far above
/// any chunk index a generator can reach.
inline constexpr std::uint64_t generator_serial_stream = std::uint64_t{1} << 62;

/// Sorts `codes` ascending and removes repeats (parallel sort with OpenMP; the result is unique
/// so it does not depend on the thread count).
inline void sort_unique_codes(std::vector<std::uint64_t>& codes, int threads) {
#ifdef _OPENMP
  if (threads > 1 && codes.size() > (std::size_t{1} << 16)) {
    __gnu_parallel::sort(codes.begin(), codes.end(), __gnu_parallel::default_parallel_tag(threads));
  } else {
    std::sort(codes.begin(), codes.end());
  }
#else
  (void)threads;
  std::sort(codes.begin(), codes.end());
#endif
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
}

/// Builds the graph from sorted, distinct codes where `decode(code)` gives the arc (u, v).
template <class Decode>
FollowerGraph graph_from_sorted_codes(vertex_t n, std::vector<std::uint64_t>&& codes, Decode&& decode, int threads) {
  const std::size_t m = codes.size();
  std::vector<vertex_t> src(m), dst(m);
  parallel_for(0, (m + 65535) / 65536, threads, [&](std::size_t c) {
    const std::size_t lo = c * 65536, hi = std::min(m, lo + 65536);
    for (std::size_t i = lo; i < hi; ++i) {
      const auto [u, v] = decode(codes[i]);
      src[i] = u;
      dst[i] = v;
    }
  }, 1, 4);
  std::vector<std::uint64_t>().swap(codes);
  BuildOptions opt;
  opt.threads = m_small(src.size()) ? 1 : threads;  // a team costs more than tiny builds
  opt.self_loops = SelfLoops::keep;  // callers never emit loops
  opt.duplicates = Duplicates::keep;  // nor duplicates
  return build_graph_dense(edges_are_sorted, n, src, dst, {}, opt);
}

/// Walker/Vose alias table over non-negative weights: O(n) build, O(1) draw from one 64-bit
/// random word (high half picks the column, low half decides column vs alias); one cache line
/// per draw since each column packs its 32-bit threshold with its alias.
class AliasTable {
 public:
  explicit AliasTable(const std::vector<double>& w) : cells_(w.size()) {
    const std::size_t n = w.size();
    const double total = std::accumulate(w.begin(), w.end(), 0.0);
    std::vector<double> scaled(n);
    std::vector<vertex_t> small, large;
    small.reserve(n);
    large.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      scaled[i] = w[i] * static_cast<double>(n) / total;
      (scaled[i] < 1.0 ? small : large).push_back(static_cast<vertex_t>(i));
    }
    auto threshold = [](double p) {
      return static_cast<std::uint32_t>(std::min(p * 4294967296.0, 4294967295.0));
    };
    while (!small.empty() && !large.empty()) {
      const vertex_t s = small.back(), l = large.back();
      small.pop_back();
      cells_[s] = {threshold(scaled[s]), l};
      scaled[l] -= 1.0 - scaled[s];
      if (scaled[l] < 1.0) {
        large.pop_back();
        small.push_back(l);
      }
    }
    for (vertex_t i : large) cells_[i] = {UINT32_MAX, i};
    for (vertex_t i : small) cells_[i] = {UINT32_MAX, i};  // rounding leftovers
  }
  vertex_t draw(Rng& rng) const noexcept {
    const std::uint64_t r = rng.next_u64();
    // Column = high 32 bits scaled to [0, n) (bias below n / 2^32, negligible).
    const auto i = static_cast<std::size_t>(((r >> 32) * cells_.size()) >> 32);
    const Cell& c = cells_[i];
    return static_cast<std::uint32_t>(r) < c.threshold ? static_cast<vertex_t>(i) : c.alias;
  }

 private:
  struct Cell {
    std::uint32_t threshold = UINT32_MAX;
    vertex_t alias = 0;
  };
  std::vector<Cell> cells_;
};

/// Builds from unsorted arcs, dropping self-loops and keeping the first copy of repeats.
inline FollowerGraph graph_from_arcs(vertex_t n, std::vector<vertex_t>&& src, std::vector<vertex_t>&& dst,
                                     int threads) {
  BuildOptions opt;
  opt.threads = m_small(src.size()) ? 1 : threads;  // a team costs more than tiny builds
  opt.self_loops = SelfLoops::drop;
  opt.duplicates = Duplicates::first;
  auto g = build_graph_dense(n, src, dst, {}, opt);
  std::vector<vertex_t>().swap(src);
  std::vector<vertex_t>().swap(dst);
  return g;
}

}  // namespace detail

/// Directed Erdos-Renyi G(n, m): a uniformly random set of exactly m distinct arcs u -> v with
/// u != v. Arcs are drawn uniformly with replacement in chunks of 2^16 draws, repeats merged, and
/// a uniform surplus trimmed (by symmetry the kept set is a uniform m-subset); when m exceeds half
/// of the n(n-1) possible arcs the complement is drawn instead. Expected O(m log m) time.
/// Invalid: n = 0, m > n(n-1).
inline FollowerGraph erdos_renyi(vertex_t n, edge_t m, std::uint64_t seed, int threads = 0) {
  KOLSIM_REQUIRE(n > 0, "erdos_renyi: n must be > 0");
  KOLSIM_REQUIRE(n <= max_vertices, "erdos_renyi: too many vertices");
  const std::uint64_t slots = static_cast<std::uint64_t>(n) * (n - 1);
  KOLSIM_REQUIRE(m <= slots, "erdos_renyi: m = ", m, " exceeds the n(n-1) = ", slots, " possible arcs");
  const int nt = resolve_threads(threads);
  const bool complement = m > slots / 2;
  const std::uint64_t want = complement ? slots - m : m;
  auto decode = [n](std::uint64_t code) {
    const auto u = static_cast<vertex_t>(code / (n - 1));
    auto v = static_cast<vertex_t>(code % (n - 1));
    if (v >= u) ++v;
    return std::pair<vertex_t, vertex_t>(u, v);
  };
  // Draws per chunk: 2^16, less for small graphs (a function of m and n only, never of threads).
  std::uint64_t chunk = 64;
  while (chunk < detail::generator_chunk && chunk < want) chunk <<= 1;
  std::vector<std::uint64_t> codes;
  std::uint64_t next_chunk = 0;
  while (codes.size() < want) {
    // d uniform draws hit about free * (1 - exp(-d / slots)) new arcs: solve for `missing`, plus
    // slack so that one round usually suffices.
    const double missing = static_cast<double>(want - codes.size());
    const double free_slots = static_cast<double>(slots - codes.size());
    double draws = -static_cast<double>(slots) * std::log1p(-std::min(missing / free_slots, 1.0 - 1e-12));
    draws = draws * 1.001 + 4.0 * std::sqrt(missing) + 64.0;
    const auto total = static_cast<std::uint64_t>(draws);
    const std::uint64_t chunks = (total + chunk - 1) / chunk;
    const std::size_t base = codes.size();
    codes.resize(base + chunks * chunk);
    parallel_for(0, chunks, nt, [&](std::size_t c) {
      Rng rng(seed, next_chunk + c, domain::generator);
      std::uint64_t* out = codes.data() + base + c * chunk;
      for (std::uint64_t i = 0; i < chunk; ++i) {
        // Uniform in [0, slots) by 64-bit multiply-shift (bias < slots / 2^64, negligible).
        out[i] = static_cast<std::uint64_t>((static_cast<detail::uint128>(rng.next_u64()) * slots) >> 64);
      }
    }, 1, 4);
    next_chunk += chunks;
    detail::sort_unique_codes(codes, nt);
  }
  if (codes.size() > want) {
    // Remove a uniform random subset of the surplus (Floyd's sampling of positions).
    const std::uint64_t have = codes.size(), drop = have - want;
    Rng rng(seed, detail::generator_serial_stream, domain::generator);
    std::unordered_set<std::uint64_t> chosen;
    chosen.reserve(drop * 2);
    for (std::uint64_t j = have - drop; j < have; ++j) {
      const std::uint64_t t = static_cast<std::uint64_t>((static_cast<detail::uint128>(rng.next_u64()) * (j + 1)) >> 64);
      if (!chosen.insert(t).second) chosen.insert(j);
    }
    std::vector<std::uint64_t> gone(chosen.begin(), chosen.end());
    std::sort(gone.begin(), gone.end());
    std::size_t w = 0, g = 0;
    for (std::size_t i = 0; i < codes.size(); ++i) {
      if (g < gone.size() && gone[g] == i) {
        ++g;
        continue;
      }
      codes[w++] = codes[i];
    }
    codes.resize(w);
  }
  if (complement) {
    std::vector<std::uint64_t> keep;
    keep.reserve(m);
    std::size_t j = 0;
    for (std::uint64_t code = 0; code < slots; ++code) {
      if (j < codes.size() && codes[j] == code) {
        ++j;
        continue;
      }
      keep.push_back(code);
    }
    codes.swap(keep);
  }
  return detail::graph_from_sorted_codes(n, std::move(codes), decode, nt);
}

/// Directed Price-style preferential attachment (Price 1976; Barabasi & Albert, Science 1999):
/// accounts arrive in index order and account t follows min(t, follows_per_account) distinct
/// earlier accounts, each chosen with probability proportional to (follower count +
/// attractiveness), so follower counts (out-degrees) follow a power law with exponent
/// 2 + attractiveness / follows_per_account. Serial, O(n f) expected time, one stream
/// Rng(seed, 0, domain::generator). Invalid: n = 0, attractiveness <= 0 (or not finite).
inline FollowerGraph preferential_attachment(vertex_t n, std::uint32_t follows_per_account, std::uint64_t seed,
                                             double attractiveness = 1.0) {
  KOLSIM_REQUIRE(n > 0, "preferential_attachment: n must be > 0");
  KOLSIM_REQUIRE(n <= max_vertices, "preferential_attachment: too many vertices");
  KOLSIM_REQUIRE(attractiveness > 0.0 && std::isfinite(attractiveness),
                 "preferential_attachment: attractiveness must be > 0, got ", attractiveness);
  const std::uint32_t f = follows_per_account;
  Rng rng(seed, 0, domain::generator);
  // `followed` lists the source of every arc so far: u appears (follower count of u) times.
  std::vector<vertex_t> followed;
  followed.reserve(static_cast<std::size_t>(n) * f);
  std::vector<vertex_t> src, dst;
  src.reserve(static_cast<std::size_t>(n) * f);
  dst.reserve(static_cast<std::size_t>(n) * f);
  std::vector<vertex_t> pick;
  for (vertex_t t = 1; t < n; ++t) {
    pick.clear();
    if (t <= f) {
      for (vertex_t u = 0; u < t; ++u) pick.push_back(u);
    } else {
      const std::size_t arcs = followed.size();  // weights as of t's arrival
      const double total = static_cast<double>(arcs) + attractiveness * t;
      while (pick.size() < f) {
        vertex_t u;
        if (rng.uniform() * total < static_cast<double>(arcs))
          u = followed[static_cast<std::size_t>(rng.uniform() * static_cast<double>(arcs))];
        else
          u = rng.below(t);
        if (std::find(pick.begin(), pick.end(), u) == pick.end()) pick.push_back(u);
      }
    }
    for (vertex_t u : pick) {
      src.push_back(u);
      dst.push_back(t);
      followed.push_back(u);
    }
  }
  std::vector<vertex_t>().swap(followed);
  BuildOptions opt;
  opt.threads = detail::m_small(src.size()) ? 1 : 0;
  return build_graph_dense(n, src, dst, {}, opt);
}

namespace detail {

/// The offset i0 for which weights (i + i0)^-a, i < n, give vertex 0 the expected degree
/// `top` when `total` arcs are drawn: total * i0^-a / sum_i (i + i0)^-a = top. The sum is exact
/// over its first 64 terms and Euler-Maclaurin beyond; bisection on log i0 (the top degree
/// falls from ~total to total / n as i0 grows). Needs total / n < top.
inline double chung_lu_offset(vertex_t n, double total, double a, double top) {
  auto weight_sum = [&](double i0) {
    const double head = std::min<double>(n, 64);
    double sum = 0;
    for (double i = 0; i < head; ++i) sum += std::pow(i + i0, -a);
    if (head < n) {
      const double lo = head + i0, hi = static_cast<double>(n) - 1 + i0;
      sum += (std::pow(hi, 1 - a) - std::pow(lo, 1 - a)) / (1 - a) + 0.5 * (std::pow(lo, -a) + std::pow(hi, -a)) +
             a / 12.0 * (std::pow(lo, -a - 1) - std::pow(hi, -a - 1));
    }
    return sum;
  };
  double lo = -12.0, hi = std::log(static_cast<double>(n)) + 12.0;  // log i0
  for (int it = 0; it < 200; ++it) {
    const double mid = 0.5 * (lo + hi), i0 = std::exp(mid);
    if (total * std::pow(i0, -a) / weight_sum(i0) > top)
      lo = mid;
    else
      hi = mid;
  }
  return std::exp(0.5 * (lo + hi));
}

}  // namespace detail

/// Directed Chung-Lu power-law graph (Chung & Lu, PNAS 2002), with separate out- and in-weights.
/// Vertex i gets out-weight (i + i0)^(-1/(out_exponent-1)) and in-weight
/// (pi(i) + j0)^(-1/(in_exponent-1)), where pi is a seeded random permutation (so out- and
/// in-degrees are not correlated). As in Chung & Lu, the offsets i0, j0 set the largest expected
/// degrees: they are solved so that vertex 0's expected out-degree is `max_out_degree` and the
/// largest expected in-degree is `max_in_degree`. Both default (0) to the structural cutoff
/// sqrt(n * average_degree), where the largest weight product reaches the arc count: every pair's
/// expected arc count stays <= 1 and repeats are rare. round(n * average_degree) arcs are drawn
/// with sources ~ out-weights and targets ~ in-weights (alias tables); self-loops and repeats
/// are removed, so the result has slightly fewer arcs. The expected out-degree (follower count)
/// then has a power-law tail P(deg >= d) ~ d^-(out_exponent-1) up to the cutoff, and likewise the
/// in-degree with in_exponent. Orientation: out_exponent shapes follower counts (out-degrees) and
/// in_exponent how many accounts each account follows (in-degrees); PERFORMANCE.md's PL1M (whose
/// in-degree exponent 2.1 it calls the "follower" exponent in the peers' orientation; the arcs
/// are the same) is benchmarks/pl1m.hpp. O(n + m) time plus sorting each row. Invalid: n = 0,
/// average_degree <= 0 or above n - 1, exponents <= 2 (infinite mean) or not finite, a maximum
/// degree not above average_degree or above n - 1.
inline FollowerGraph chung_lu(vertex_t n, double average_degree, double out_exponent, double in_exponent,
                              std::uint64_t seed, int threads = 0, double max_out_degree = 0,
                              double max_in_degree = 0) {
  KOLSIM_REQUIRE(n > 0, "chung_lu: n must be > 0");
  KOLSIM_REQUIRE(n <= max_vertices, "chung_lu: too many vertices");
  KOLSIM_REQUIRE(average_degree > 0.0 && average_degree <= static_cast<double>(n - 1),
                 "chung_lu: average_degree must be in (0, n - 1], got ", average_degree);
  KOLSIM_REQUIRE(out_exponent > 2.0 && std::isfinite(out_exponent), "chung_lu: out_exponent must be > 2, got ",
                 out_exponent);
  KOLSIM_REQUIRE(in_exponent > 2.0 && std::isfinite(in_exponent), "chung_lu: in_exponent must be > 2, got ",
                 in_exponent);
  // Offsets from the maximum degrees; a default cutoff that leaves no room above the average
  // degree (dense graphs) gives uniform weights (offset -> infinity).
  const double cutoff = std::min(std::sqrt(static_cast<double>(n) * average_degree), static_cast<double>(n - 1));
  const double arcs = static_cast<double>(n) * average_degree;
  auto offset = [&](double requested, double exponent) {
    const double a = 1.0 / (exponent - 1.0);
    if (requested == 0 && cutoff <= average_degree * (1 + 1e-9)) return std::numeric_limits<double>::infinity();
    const double d = requested == 0 ? cutoff : requested;
    KOLSIM_REQUIRE(d > average_degree && d <= static_cast<double>(n - 1),
                   "chung_lu: max_out_degree and max_in_degree must be in (average_degree, n - 1] = (",
                   average_degree, ", ", n - 1, "], got ", d);
    return detail::chung_lu_offset(n, arcs, a, d);
  };
  const double i0 = offset(max_out_degree, out_exponent), j0 = offset(max_in_degree, in_exponent);
  const double a_out = 1.0 / (out_exponent - 1.0), a_in = 1.0 / (in_exponent - 1.0);
  auto weight = [](double rank, double off, double a) { return std::isinf(off) ? 1.0 : std::pow(rank + off, -a); };
  const int nt = resolve_threads(threads);
  std::vector<vertex_t> rank(n);
  std::iota(rank.begin(), rank.end(), vertex_t{0});
  {
    Rng rng(seed, detail::generator_serial_stream, domain::generator);
    for (vertex_t i = n - 1; i > 0; --i) std::swap(rank[i], rank[rng.below(i + 1)]);
  }
  std::vector<double> w(n);
  for (vertex_t i = 0; i < n; ++i) w[i] = weight(i, i0, a_out);
  const detail::AliasTable out_table(w);
  for (vertex_t i = 0; i < n; ++i) w[i] = weight(rank[i], j0, a_in);
  const detail::AliasTable in_table(w);
  std::vector<double>().swap(w);
  std::vector<vertex_t>().swap(rank);

  const auto total = static_cast<std::uint64_t>(std::llround(static_cast<double>(n) * average_degree));
  const std::uint64_t chunks = (total + detail::generator_chunk - 1) / detail::generator_chunk;
  std::vector<vertex_t> src(total), dst(total);
  parallel_for(0, chunks, nt, [&](std::size_t c) {
    Rng rng(seed, c, domain::generator);
    const std::uint64_t lo = c * detail::generator_chunk, hi = std::min(total, lo + detail::generator_chunk);
    for (std::uint64_t i = lo; i < hi; ++i) {
      src[i] = out_table.draw(rng);
      dst[i] = in_table.draw(rng);
    }
  }, 1, 4);
  return detail::graph_from_arcs(n, std::move(src), std::move(dst), nt);
}

/// Watts-Strogatz small world (Watts & Strogatz, Nature 1998): a ring where each account is
/// linked to its k nearest neighbours (k/2 on each side), then each lattice link (u, u+j) is
/// rewired with probability beta to (u, w) for a uniform w that is neither u nor already linked
/// to u. Every link is emitted in both directions, so the graph has exactly n*k arcs, no loops
/// and no duplicates. Serial, O(n k^2) time. Invalid: k odd, k >= n, beta outside [0, 1].
inline FollowerGraph watts_strogatz(vertex_t n, std::uint32_t k, double beta, std::uint64_t seed) {
  KOLSIM_REQUIRE(n > 0, "watts_strogatz: n must be > 0");
  KOLSIM_REQUIRE(n <= max_vertices, "watts_strogatz: too many vertices");
  KOLSIM_REQUIRE(k % 2 == 0, "watts_strogatz: k must be even, got ", k);
  KOLSIM_REQUIRE(k < n, "watts_strogatz: k must be < n, got k = ", k, ", n = ", n);
  KOLSIM_REQUIRE(beta >= 0.0 && beta <= 1.0, "watts_strogatz: beta must be in [0, 1], got ", beta);
  std::vector<std::vector<vertex_t>> adj(n);
  for (vertex_t u = 0; u < n; ++u) {
    adj[u].reserve(k + 2);
    for (std::uint32_t j = 1; j <= k / 2; ++j) {
      adj[u].push_back(static_cast<vertex_t>((u + j) % n));
      adj[u].push_back(static_cast<vertex_t>((u + n - j) % n));
    }
  }
  auto erase_one = [](std::vector<vertex_t>& list, vertex_t x) {
    auto it = std::find(list.begin(), list.end(), x);
    assert(it != list.end());
    *it = list.back();
    list.pop_back();
  };
  Rng rng(seed, 0, domain::generator);
  for (std::uint32_t j = 1; j <= k / 2; ++j) {
    for (vertex_t u = 0; u < n; ++u) {
      if (!(rng.uniform() < beta)) continue;
      const auto v = static_cast<vertex_t>((u + j) % n);
      if (std::find(adj[u].begin(), adj[u].end(), v) == adj[u].end()) continue;  // already rewired away
      if (adj[u].size() >= static_cast<std::size_t>(n) - 1) continue;            // no free target
      vertex_t w;
      do w = rng.below(n);
      while (w == u || std::find(adj[u].begin(), adj[u].end(), w) != adj[u].end());
      erase_one(adj[u], v);
      erase_one(adj[v], u);
      adj[u].push_back(w);
      adj[w].push_back(u);
    }
  }
  std::vector<vertex_t> src, dst;
  src.reserve(static_cast<std::size_t>(n) * k);
  dst.reserve(static_cast<std::size_t>(n) * k);
  for (vertex_t u = 0; u < n; ++u) {
    std::sort(adj[u].begin(), adj[u].end());
    for (vertex_t v : adj[u]) {
      src.push_back(u);
      dst.push_back(v);
    }
    std::vector<vertex_t>().swap(adj[u]);
  }
  BuildOptions opt;
  opt.threads = detail::m_small(src.size()) ? 1 : 0;
  return build_graph_dense(edges_are_sorted, n, src, dst, {}, opt);
}

/// R-MAT (Chakrabarti, Zhan, Faloutsos, SDM 2004) on n = 2^scale vertices: each of m draws
/// descends `scale` levels choosing quadrant a (top-left), b, c or d = 1 - a - b - c; self-loops
/// and repeated arcs are removed, so the graph has at most m arcs. O(m scale + n) time plus
/// sorting each row.
/// Invalid: scale = 0 or > 31, a, b, c negative or a + b + c > 1.
inline FollowerGraph rmat(std::uint32_t scale, edge_t m, std::uint64_t seed, double a = 0.57, double b = 0.19,
                          double c = 0.19, int threads = 0) {
  KOLSIM_REQUIRE(scale >= 1 && scale <= 31, "rmat: scale must be in [1, 31], got ", scale);
  KOLSIM_REQUIRE(a >= 0.0 && b >= 0.0 && c >= 0.0 && a + b + c <= 1.0 + 1e-12,
                 "rmat: need a, b, c >= 0 and a + b + c <= 1, got ", a, ", ", b, ", ", c);
  const int nt = resolve_threads(threads);
  const auto n = static_cast<vertex_t>(std::uint64_t{1} << scale);
  // Quadrant thresholds on 32-bit draws.
  const auto t1 = static_cast<std::uint64_t>(a * 4294967296.0);
  const auto t2 = static_cast<std::uint64_t>((a + b) * 4294967296.0);
  const auto t3 = static_cast<std::uint64_t>((a + b + c) * 4294967296.0);
  const std::uint64_t chunks = (m + detail::generator_chunk - 1) / detail::generator_chunk;
  std::vector<vertex_t> src(m), dst(m);
  parallel_for(0, chunks, nt, [&](std::size_t ch) {
    Rng rng(seed, ch, domain::generator);
    const std::uint64_t lo = ch * detail::generator_chunk, hi = std::min<std::uint64_t>(m, lo + detail::generator_chunk);
    for (std::uint64_t i = lo; i < hi; ++i) {
      std::uint32_t u = 0, v = 0;
      for (std::uint32_t level = 0; level < scale; ++level) {
        const std::uint64_t r = rng.next_u32();
        const std::uint32_t bu = r >= t2 ? 1 : 0;                 // c or d: lower half
        const std::uint32_t bv = (r >= t1 && r < t2) || r >= t3;  // b or d: right half
        u = (u << 1) | bu;
        v = (v << 1) | bv;
      }
      src[i] = u;
      dst[i] = v;
    }
  }, 1, 4);
  return detail::graph_from_arcs(n, std::move(src), std::move(dst), nt);
}

/// A generated graph with the community (block) of each vertex.
struct CommunityGraph {
  FollowerGraph graph;
  std::vector<std::uint32_t> community;  ///< block index of each vertex
};

/// Directed stochastic block model (Holland, Laskey, Leinhardt 1983): blocks of consecutive
/// vertices with the given sizes; each arc u -> v (u != v) with u in block r and v in block s is
/// present independently with probability probabilities[r][s]. Geometric skipping over the cells
/// of each block pair (Batagelj & Brandes, Phys. Rev. E 2005) costs O(1) per arc, so time is
/// O(n + blocks^2 + m). Invalid: no blocks, total size 0, a non-square matrix or one not matching
/// the blocks, probabilities outside [0, 1].
inline CommunityGraph stochastic_block_model(std::span<const vertex_t> block_sizes,
                                             const std::vector<std::vector<double>>& probabilities,
                                             std::uint64_t seed, int threads = 0) {
  const std::size_t blocks = block_sizes.size();
  KOLSIM_REQUIRE(blocks > 0, "stochastic_block_model: need at least one block");
  KOLSIM_REQUIRE(probabilities.size() == blocks, "stochastic_block_model: ", blocks, " blocks but ",
                 probabilities.size(), " rows of probabilities");
  std::vector<std::uint64_t> start(blocks + 1, 0);
  for (std::size_t r = 0; r < blocks; ++r) {
    KOLSIM_REQUIRE(probabilities[r].size() == blocks, "stochastic_block_model: row ", r, " has ",
                   probabilities[r].size(), " entries, expected ", blocks);
    for (double p : probabilities[r])
      KOLSIM_REQUIRE(p >= 0.0 && p <= 1.0, "stochastic_block_model: probabilities must be in [0, 1], got ", p);
    start[r + 1] = start[r] + block_sizes[r];
  }
  KOLSIM_REQUIRE(start[blocks] > 0 && start[blocks] <= max_vertices,
                 "stochastic_block_model: total size must be in [1, max_vertices], got ", start[blocks]);
  const auto n = static_cast<vertex_t>(start[blocks]);
  const int nt = resolve_threads(threads);
  // Work unit = (block r, row range of rows_per_unit rows, block s), in that fixed order.
  constexpr std::uint64_t rows_per_unit = 1024;
  struct Unit {
    std::uint32_t r, s;
    std::uint64_t row_lo, row_hi;  // global vertex range inside block r
  };
  std::vector<Unit> units;
  for (std::uint32_t r = 0; r < blocks; ++r)
    for (std::uint64_t lo = start[r]; lo < start[r + 1]; lo += rows_per_unit)
      for (std::uint32_t s = 0; s < blocks; ++s)
        if (probabilities[r][s] > 0.0 && block_sizes[s] > 0)
          units.push_back({r, s, lo, std::min(start[r + 1], lo + rows_per_unit)});
  std::vector<std::vector<std::uint64_t>> found(units.size());
  parallel_for(0, units.size(), nt, [&](std::size_t i) {
    const Unit& un = units[i];
    const double p = probabilities[un.r][un.s];
    const std::uint64_t width = block_sizes[un.s], cells = (un.row_hi - un.row_lo) * width;
    auto& out = found[i];
    auto emit = [&](std::uint64_t cell) {
      const std::uint64_t u = un.row_lo + cell / width, v = start[un.s] + cell % width;
      if (u != v) out.push_back((u << 32) | v);
    };
    if (p >= 1.0) {
      for (std::uint64_t cell = 0; cell < cells; ++cell) emit(cell);
      return;
    }
    Rng rng(seed, i, domain::generator);
    const double log1mp = std::log1p(-p);
    std::uint64_t cell = 0;
    while (true) {
      const std::uint64_t skip = rng.geometric(log1mp);
      if (skip >= cells - cell) break;
      cell += skip;
      emit(cell);
      ++cell;
    }
  }, 1, 8);
  std::size_t total = 0;
  for (auto& f : found) total += f.size();
  std::vector<std::uint64_t> codes;
  codes.reserve(total);
  for (auto& f : found) {
    codes.insert(codes.end(), f.begin(), f.end());
    std::vector<std::uint64_t>().swap(f);
  }
  detail::sort_unique_codes(codes, nt);  // distinct already; sorting orders rows by (u, v)
  CommunityGraph cg;
  cg.graph = detail::graph_from_sorted_codes(
      n, std::move(codes),
      [](std::uint64_t code) {
        return std::pair<vertex_t, vertex_t>(static_cast<vertex_t>(code >> 32), static_cast<vertex_t>(code));
      },
      nt);
  cg.community.resize(n);
  for (std::uint32_t r = 0; r < blocks; ++r)
    std::fill(cg.community.begin() + static_cast<std::ptrdiff_t>(start[r]),
              cg.community.begin() + static_cast<std::ptrdiff_t>(start[r + 1]), r);
  return cg;
}

}  // namespace kolsim
