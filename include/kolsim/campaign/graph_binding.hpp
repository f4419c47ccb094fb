// SPDX-License-Identifier: MIT
/// The identity of the graph a roster or audience was joined to, so that neither is used with
/// another graph of the same size (its dense indices would name other accounts).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "kolsim/core/error.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

/// 64-bit fingerprint of a graph's account table (n and the account ids in dense order). Two
/// graphs with equal fingerprints map dense indices to the same accounts (up to a 2^-64 chance),
/// whatever their edges. O(n).
inline std::uint64_t account_table_fingerprint(std::span<const account_t> accounts) noexcept {
  auto mix = [](std::uint64_t x) {  // splitmix64 finaliser
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    return x ^ (x >> 31);
  };
  std::uint64_t h = mix(accounts.size() ^ 0x4B4F4C53494D4154ull);  // "KOLSIMAT"
  for (account_t a : accounts) h = mix(h ^ mix(a + 0x9E3779B97F4A7C15ull));
  return h;
}

/// The account table a roster or audience was joined to: its size, its fingerprint and (to skip
/// the O(n) fingerprint for the very graph it was built on) a weak reference to its topology.
/// A default-constructed binding is unbound (accepted by any graph of the right size).
class GraphBinding {
 public:
  GraphBinding() = default;
  explicit GraphBinding(const FollowerGraph& g)
      : bound_(true), n_(g.num_vertices()), fingerprint_(account_table_fingerprint(g.accounts())),
        topology_(g.topology()) {}

  bool bound() const noexcept { return bound_; }
  vertex_t num_vertices() const noexcept { return n_; }
  std::uint64_t fingerprint() const noexcept { return fingerprint_; }

  /// True when unbound or g has the account table this was bound to (the same topology, or the
  /// same accounts: the same graph read again from the same file is accepted).
  bool matches(const FollowerGraph& g) const noexcept {
    if (!bound_) return true;
    if (g.num_vertices() != n_) return false;
    if (const auto t = topology_.lock(); t && t == g.topology()) return true;
    return account_table_fingerprint(g.accounts()) == fingerprint_;
  }

  /// Throws std::invalid_argument "<who>: the <what> was joined to another graph (...)" naming
  /// both graphs' sizes and fingerprints when g does not match.
  void require(const FollowerGraph& g, const char* who, const char* what) const {
    if (matches(g)) return;
    throw std::invalid_argument(detail::concat(
        who, ": the ", what, " was joined to another graph (", n_, " accounts, account-table fingerprint ",
        hex(fingerprint_), ") than this one (", g.num_vertices(), " accounts, fingerprint ",
        hex(account_table_fingerprint(g.accounts())), "); build or read it again with this graph"));
  }

 private:
  static std::string hex(std::uint64_t x) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s(16, '0');
    for (int i = 15; i >= 0; --i, x >>= 4) s[static_cast<std::size_t>(i)] = digits[x & 15];
    return "0x" + s;
  }

  bool bound_ = false;
  vertex_t n_ = 0;
  std::uint64_t fingerprint_ = 0;
  std::weak_ptr<const GraphTopology> topology_;
};

}  // namespace kolsim
