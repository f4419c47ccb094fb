// SPDX-License-Identifier: MIT
/// Vocabulary types shared by every layer: vertex, edge, probability and account ids.
#pragma once

#include <cstdint>
#include <limits>

namespace kolsim {

/// Dense internal vertex index, 0 .. n-1.
using vertex_t = std::uint32_t;
/// Edge index and edge offsets (graphs may exceed 2^32 edges).
using edge_t = std::uint64_t;
/// Per-edge probability (IC) or weight (LT).
using prob_t = float;
/// Original account id as it appears in the input (kept at the API).
using account_t = std::uint64_t;

/// Sentinel for "no vertex" (e.g. the parent of a seed in a cascade trace).
inline constexpr vertex_t no_vertex = std::numeric_limits<vertex_t>::max();
/// Largest number of vertices a FollowerGraph can hold.
inline constexpr std::uint64_t max_vertices = std::numeric_limits<vertex_t>::max() - 1;

}  // namespace kolsim
