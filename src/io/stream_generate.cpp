// SPDX-License-Identifier: MIT
/// stream_chung_lu: a Chung-Lu follower graph generated chunk by chunk into a snapshot file.
#include "kolsim/io/stream_generate.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numeric>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/rng.hpp"
#include "kolsim/graph/generators.hpp"
#include "kolsim/io/snapshot.hpp"

namespace kolsim {
namespace {

constexpr vertex_t chunk_accounts = vertex_t{1} << 16;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// Poisson(lambda): inversion (multiplying uniforms) below 12, else a rounded normal.
std::uint64_t poisson(Rng& rng, double lambda) {
  if (lambda <= 0) return 0;
  if (lambda < 12.0) {
    const double limit = std::exp(-lambda);
    std::uint64_t k = 0;
    double prod = rng.uniform();
    while (prod > limit) {
      ++k;
      prod *= rng.uniform();
    }
    return k;
  }
  const double u1 = 1.0 - rng.uniform(), u2 = rng.uniform();
  const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  return static_cast<std::uint64_t>(std::max(0.0, std::floor(lambda + std::sqrt(lambda) * z + 0.5)));
}

/// The model: weights, the in-weight alias table, and the rows of each chunk.
class RowSource {
 public:
  RowSource(vertex_t n, double average_degree, const StreamChungLuOptions& o) : n_(n), seed_(o.seed) {
    const double arcs = static_cast<double>(n) * average_degree;
    const double cutoff = std::min(std::sqrt(arcs), static_cast<double>(n - 1));
    auto offset = [&](double exponent) {
      if (cutoff <= average_degree * (1 + 1e-9)) return std::numeric_limits<double>::infinity();
      return detail::chung_lu_offset(n, arcs, 1.0 / (exponent - 1.0), cutoff);
    };
    i0_ = offset(o.out_exponent);
    const double j0 = offset(o.in_exponent);
    a_out_ = 1.0 / (o.out_exponent - 1.0);
    const double a_in = 1.0 / (o.in_exponent - 1.0);
    double total = 0;
    for (vertex_t i = 0; i < n; ++i) total += out_weight(i);
    scale_ = arcs / total;
    std::vector<vertex_t> rank(n);
    std::iota(rank.begin(), rank.end(), vertex_t{0});
    {
      Rng rng(o.seed, detail::generator_serial_stream, domain::generator);
      for (vertex_t i = n - 1; i > 0; --i) std::swap(rank[i], rank[rng.below(i + 1)]);
    }
    std::vector<double> w(n);
    for (vertex_t i = 0; i < n; ++i) w[i] = std::isinf(j0) ? 1.0 : std::pow(rank[i] + j0, -a_in);
    std::vector<vertex_t>().swap(rank);
    in_table_ = std::make_unique<detail::AliasTable>(w);
  }

  std::uint64_t chunks() const { return (n_ + chunk_accounts - 1) / chunk_accounts; }

  /// Calls row(u, targets) for each account of chunk c in order (targets sorted, distinct, no u).
  template <class Row>
  void rows(std::uint64_t c, std::vector<vertex_t>& scratch, Row&& row) const {
    Rng rng(seed_, c, domain::generator);
    const vertex_t lo = static_cast<vertex_t>(c * chunk_accounts);
    const vertex_t hi = static_cast<vertex_t>(std::min<std::uint64_t>(n_, lo + std::uint64_t{chunk_accounts}));
    for (vertex_t u = lo; u < hi; ++u) {
      const std::uint64_t d = poisson(rng, scale_ * out_weight(u));
      scratch.resize(d);
      for (auto& t : scratch) t = in_table_->draw(rng);
      std::sort(scratch.begin(), scratch.end());
      scratch.erase(std::unique(scratch.begin(), scratch.end()), scratch.end());
      const auto self = std::lower_bound(scratch.begin(), scratch.end(), u);
      if (self != scratch.end() && *self == u) scratch.erase(self);
      row(u, std::span<const vertex_t>(scratch));
    }
  }

 private:
  double out_weight(vertex_t i) const { return std::isinf(i0_) ? 1.0 : std::pow(i + i0_, -a_out_); }

  vertex_t n_;
  std::uint64_t seed_;
  double i0_ = 0, a_out_ = 0, scale_ = 0;
  std::unique_ptr<detail::AliasTable> in_table_;
};

/// Writes prefix sums of `deg` (n + 1 offsets) in pieces.
void write_offsets(SnapshotWriter& w, const std::vector<std::uint32_t>& deg) {
  std::vector<edge_t> buf;
  buf.reserve(1 << 16);
  edge_t at = 0;
  buf.push_back(0);
  for (std::uint32_t d : deg) {
    at += d;
    buf.push_back(at);
    if (buf.size() == buf.capacity()) {
      w.write(std::span<const edge_t>(buf));
      buf.clear();
    }
  }
  w.write(std::span<const edge_t>(buf));
}

}  // namespace

StreamGenerateReport stream_chung_lu(const std::string& path, vertex_t n, double average_degree,
                                     const StreamChungLuOptions& o) {
  KOLSIM_REQUIRE(n >= 2 && n <= max_vertices, "stream_chung_lu: n must be in [2, ", max_vertices, "], got ", n);
  KOLSIM_REQUIRE(average_degree > 0.0 && average_degree <= static_cast<double>(n - 1),
                 "stream_chung_lu: average_degree must be in (0, n - 1], got ", average_degree);
  KOLSIM_REQUIRE(o.out_exponent > 2.0 && std::isfinite(o.out_exponent) && o.in_exponent > 2.0 &&
                     std::isfinite(o.in_exponent),
                 "stream_chung_lu: exponents must be finite and > 2");
  KOLSIM_REQUIRE(!o.probabilities || o.kind != ProbabilityKind::per_edge,
                 "stream_chung_lu: probabilities must be an implicit kind (weighted_cascade or constant)");
  const int threads = resolve_threads(o.threads);
  const auto t_start = std::chrono::steady_clock::now();
  StreamGenerateReport rep;
  rep.n = n;
  const RowSource src(n, average_degree, o);
  const std::uint64_t chunks = src.chunks();
  rep.chunks = chunks;

  // Pass 1: degrees.
  std::vector<std::uint32_t> out_deg(n, 0), in_deg(n, 0);
  parallel_for(0, chunks, threads, [&](std::size_t c) {
    std::vector<vertex_t> scratch;
    src.rows(c, scratch, [&](vertex_t u, std::span<const vertex_t> ts) {
      out_deg[u] = static_cast<std::uint32_t>(ts.size());
      for (vertex_t t : ts) std::atomic_ref<std::uint32_t>(in_deg[t]).fetch_add(1, std::memory_order_relaxed);
    });
  }, 1, 1);
  const edge_t m = std::accumulate(out_deg.begin(), out_deg.end(), edge_t{0});
  rep.m = m;
  rep.count_seconds = seconds_since(t_start);

  SnapshotWriter w(path, n, m, o.probabilities, o.probabilities ? o.kind : ProbabilityKind::per_edge, o.constant);
  write_offsets(w, out_deg);
  std::vector<std::uint32_t>().swap(out_deg);

  // Pass 2: out-rows, a window of chunks generated in parallel and written in chunk order.
  auto t0 = std::chrono::steady_clock::now();
  {
    const std::uint64_t window = static_cast<std::uint64_t>(threads) * 4;
    std::vector<std::vector<vertex_t>> bufs(window);
    for (std::uint64_t c0 = 0; c0 < chunks; c0 += window) {
      const std::uint64_t nc = std::min(window, chunks - c0);
      parallel_for(0, nc, threads, [&](std::size_t i) {
        std::vector<vertex_t> scratch;
        bufs[i].clear();
        src.rows(c0 + i, scratch, [&](vertex_t, std::span<const vertex_t> ts) {
          bufs[i].insert(bufs[i].end(), ts.begin(), ts.end());
        });
      }, 1, 1);
      for (std::uint64_t i = 0; i < nc; ++i) w.write(std::span<const vertex_t>(bufs[i]));
    }
  }
  rep.out_seconds = seconds_since(t0);

  // Pass 3: in-rows by target ranges whose edges fit the buffer.
  t0 = std::chrono::steady_clock::now();
  write_offsets(w, in_deg);
  const std::uint64_t budget = o.memory_budget ? o.memory_budget : std::uint64_t{2} << 30;
  const edge_t cap = std::clamp<edge_t>(budget / sizeof(vertex_t), edge_t{1} << 20, UINT32_MAX);
  std::vector<vertex_t> buf;
  std::vector<std::uint32_t> cursor;
  for (vertex_t lo = 0; lo < n;) {
    vertex_t hi = lo;
    edge_t edges = 0;
    while (hi < n && (hi == lo || edges + in_deg[hi] <= cap)) edges += in_deg[hi++];
    ++rep.transpose_passes;
    buf.assign(edges, 0);
    cursor.assign(static_cast<std::size_t>(hi - lo) + 1, 0);
    for (vertex_t v = lo; v < hi; ++v) cursor[v - lo + 1] = cursor[v - lo] + in_deg[v];
    const std::vector<std::uint32_t> row_start(cursor.begin(), cursor.end());
    parallel_for(0, chunks, threads, [&](std::size_t c) {
      std::vector<vertex_t> scratch;
      src.rows(c, scratch, [&](vertex_t u, std::span<const vertex_t> ts) {
        auto it = std::lower_bound(ts.begin(), ts.end(), lo);
        for (; it != ts.end() && *it < hi; ++it) {
          const std::uint32_t at =
              std::atomic_ref<std::uint32_t>(cursor[*it - lo]).fetch_add(1, std::memory_order_relaxed);
          buf[at] = u;
        }
      });
    }, 1, 1);
    parallel_for(0, hi - lo, threads, [&](std::size_t i) {
      std::sort(buf.begin() + row_start[i], buf.begin() + row_start[i + 1]);
    }, 4096);
    w.write(std::span<const vertex_t>(buf));
    lo = hi;
  }
  std::vector<vertex_t>().swap(buf);
  rep.in_seconds = seconds_since(t0);

  // Identity account ids.
  {
    std::vector<account_t> ids;
    ids.reserve(1 << 16);
    for (vertex_t v = 0; v < n; ++v) {
      ids.push_back(v);
      if (ids.size() == ids.capacity()) {
        w.write(std::span<const account_t>(ids));
        ids.clear();
      }
    }
    w.write(std::span<const account_t>(ids));
  }
  w.finish();
  rep.file_bytes = std::filesystem::file_size(path);
  rep.seconds = seconds_since(t_start);
  return rep;
}

}  // namespace kolsim
