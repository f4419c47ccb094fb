// SPDX-License-Identifier: MIT
/// Vocabulary types shared by every layer: vertex, edge, probability and account ids.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <utility>
#include <vector>

namespace kolsim {

/// Dense internal vertex index, 0 .. n-1.
using vertex_t = std::uint32_t;
/// Edge index and edge offsets (graphs may exceed 2^32 edges).
using edge_t = std::uint64_t;
/// Per-edge probability (IC) or weight (LT).
using prob_t = float;
/// Original account id as it appears in the input (kept at the API).
using account_t = std::uint64_t;

/// A list of original account ids, as the CLI and Python take seeds. Public functions that take
/// seeds accept either dense indices (std::span<const vertex_t>, e.g. SelectResult::seeds) or
/// Accounts, which they map through FollowerGraph::index_of (std::out_of_range naming an unknown
/// account). Both constructors are explicit and the index overloads have no initializer_list
/// form, so a bare braced list such as `{2}` compiles against neither: write
/// `Accounts{10, 30}` for account ids or `std::vector<vertex_t>{2}` for dense indices.
struct Accounts {
  std::vector<account_t> ids;

  Accounts() = default;
  explicit Accounts(std::initializer_list<account_t> list) : ids(list) {}
  explicit Accounts(std::vector<account_t> list) : ids(std::move(list)) {}
};

/// Sentinel for "no vertex" (e.g. the parent of a seed in a cascade trace).
inline constexpr vertex_t no_vertex = std::numeric_limits<vertex_t>::max();
/// Largest number of vertices a FollowerGraph can hold.
inline constexpr std::uint64_t max_vertices = std::numeric_limits<vertex_t>::max() - 1;

}  // namespace kolsim
