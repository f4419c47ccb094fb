// SPDX-License-Identifier: MIT
/// Equality for the C++ test programs: ranges equal element by element, probabilities equal bit
/// for bit, and two graphs equal in every array and probability they hold.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <iterator>

#include "kolsim/graph/follower_graph.hpp"

namespace kolsim::test_support {

/// Whether two ranges hold equal elements in the same order.
template <class A, class B>
bool same(const A& a, const B& b) {
  return std::equal(std::begin(a), std::end(a), std::begin(b), std::end(b));
}

/// Bitwise equality of probabilities (the same float operations in the same order; a NaN or
/// -0 is not equal to anything else).
template <class A, class B>
bool same_bits(const A& a, const B& b) {
  return std::equal(std::begin(a), std::end(a), std::begin(b), std::end(b),
                    [](prob_t x, prob_t y) { return std::memcmp(&x, &y, sizeof x) == 0; });
}

/// Expects a and b to be the same graph: both rows, the accounts, the probability kind and the
/// probabilities, bit for bit (stored arrays in both orders, or the constant of an implicit
/// kind, whose arrays are not built).
inline void expect_identical_graphs(const FollowerGraph& a, const FollowerGraph& b) {
  EXPECT_TRUE(same(a.out_offsets(), b.out_offsets()));
  EXPECT_TRUE(same(a.out_targets(), b.out_targets()));
  EXPECT_TRUE(same(a.in_offsets(), b.in_offsets()));
  EXPECT_TRUE(same(a.in_sources(), b.in_sources()));
  EXPECT_TRUE(same(a.accounts(), b.accounts()));
  EXPECT_EQ(a.has_probabilities(), b.has_probabilities());
  EXPECT_EQ(a.probability_kind(), b.probability_kind());
  if (!a.has_probabilities() || a.probability_kind() != b.probability_kind()) return;
  if (a.implicit_probabilities()) {
    const prob_t x = a.constant_probability_value(), y = b.constant_probability_value();
    EXPECT_EQ(std::memcmp(&x, &y, sizeof x), 0);
  } else {
    EXPECT_TRUE(same_bits(a.edge_probs(), b.edge_probs()));
    EXPECT_TRUE(same_bits(a.in_edge_probs(), b.in_edge_probs()));
  }
}

}  // namespace kolsim::test_support
