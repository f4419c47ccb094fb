// SPDX-License-Identifier: MIT
/// Generators that stream a graph straight into a snapshot file, for graphs larger than the
/// memory a FollowerGraph under construction would need (a billion follower edges).
#pragma once

#include <cstdint>
#include <string>

#include "kolsim/core/types.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

/// Options of stream_chung_lu.
struct StreamChungLuOptions {
  std::uint64_t seed = 1;
  int threads = 0;                 ///< 0 = all; the file does not depend on it
  double out_exponent = 2.5;       ///< follower counts (out-degrees); PL1M's exponents by default
  double in_exponent = 2.1;        ///< followee counts (in-degrees)
  bool probabilities = true;       ///< store an implicit probability kind in the snapshot
  ProbabilityKind kind = ProbabilityKind::weighted_cascade;  ///< weighted_cascade or constant
  prob_t constant = 0.1f;          ///< kind constant: every edge's probability
  std::uint64_t memory_budget = 0; ///< bytes for the transpose buffer (0 = 2 GiB, at most m x 4)
};

/// What stream_chung_lu wrote.
struct StreamGenerateReport {
  std::uint64_t n = 0, m = 0;
  std::uint64_t chunks = 0;            ///< source ranges (each draws from Rng(seed, chunk))
  std::uint64_t transpose_passes = 0;  ///< passes of the bucketed transpose (target ranges)
  std::uint64_t file_bytes = 0;
  double count_seconds = 0, out_seconds = 0, in_seconds = 0, seconds = 0;
};

/// Directed Chung-Lu graph (as chung_lu in graph/generators.hpp: out-weight (i + i0)^-1/(out-1),
/// in-weight (pi(i) + j0)^-1/(in-1) with a seeded permutation pi, offsets from the structural
/// cutoff sqrt(n d)) generated row by row and written to a snapshot at `path` (atomically) with
/// identity account ids 0..n-1 and, by default, implicit weighted-cascade probabilities. Rows
/// instead of arcs: account u gets Poisson(n d w_u / W) follower draws (inversion below mean 12,
/// else a rounded normal), each target drawn from the in-weights; a row drops its self-loop and
/// repeated targets, so m is a little below n d. Sources are cut into chunks of 2^16 accounts;
/// chunk c draws only from Rng(seed, c, domain::generator), so the file is the same for any
/// thread count. Passes: count degrees; write out-rows in chunk order; then the in-rows by a
/// bucketed transpose (targets cut into ranges whose in-edges fit the memory budget; each range
/// regenerates the rows and keeps its own edges, rows sorted). Memory: about 8n bytes of
/// degree counts, the in-weight alias table (8n, 32n while it is built), the transpose buffer;
/// never the graph. Invalid: as chung_lu, n < 2.
StreamGenerateReport stream_chung_lu(const std::string& path, vertex_t n, double average_degree,
                                     const StreamChungLuOptions& options = {});

}  // namespace kolsim
