// SPDX-License-Identifier: MIT
/// Tests of the graph builder's parallel phases: every policy, self-loops and non-contiguous ids
/// give the graph of a plain reference build, identical on 1, 2, 3 and 7 threads.
#include <gtest/gtest.h>

#include <kolsim/graph/builder.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <tuple>
#include <utility>
#include <vector>

#include "same_graph.hpp"
#include "support.hpp"

using namespace kolsim;

namespace {

/// Input with self-loops and one to three copies of many edges (later copies far away in input
/// order), probabilities in [0, 0.15] so that Duplicates::sum stays below 1 (it would take 7 copies).
struct Input {
  std::vector<account_t> src, dst;
  std::vector<prob_t> p;
};

Input make_input(std::uint64_t seed, std::size_t edges, std::uint64_t n, std::uint64_t id_scale,
                 std::uint64_t id_offset) {
  std::mt19937_64 rng(seed);
  Input in;
  auto id = [&](std::uint64_t v) { return v * id_scale + id_offset; };
  auto prob = [&] { return static_cast<prob_t>(static_cast<double>(rng() >> 11) * 0x1.0p-53 * 0.15); };
  while (in.src.size() < edges) {
    const std::uint64_t kind = rng() % 16;
    std::uint64_t u = rng() % n, v = kind == 0 ? u : rng() % n;  // 1 in 16: a self-loop
    if (kind == 1) u = rng() % 8;                                  // hubs: long rows
    in.src.push_back(id(u));
    in.dst.push_back(id(v));
    in.p.push_back(prob());
  }
  // Copies of earlier edges: up to two more per edge, each placed at a random later position.
  const std::size_t originals = in.src.size();
  for (std::size_t i = 0; i < originals / 4; ++i) {
    const std::size_t j = rng() % originals;
    const int copies = 1 + static_cast<int>(rng() % 2);
    for (int c = 0; c < copies; ++c) {
      in.src.push_back(in.src[j]);
      in.dst.push_back(in.dst[j]);
      in.p.push_back(prob());
    }
  }
  // Shuffle the copies into the tail (they stay after their original: a later position).
  for (std::size_t i = in.src.size() - 1; i > originals; --i) {
    const std::size_t k = originals + rng() % (i - originals + 1);
    std::swap(in.src[i], in.src[k]);
    std::swap(in.dst[i], in.dst[k]);
    std::swap(in.p[i], in.p[k]);
  }
  return in;
}

/// The graph by the definition: accounts sorted, arcs after flip / undirected / self-loop
/// policy grouped by (source, target) in input order, duplicates merged in input order.
struct Reference {
  std::vector<account_t> accounts;
  std::vector<edge_t> out_offsets, in_offsets;
  std::vector<vertex_t> out_targets, in_sources;
  std::vector<prob_t> out_p, in_p;
  edge_t self_loops = 0, duplicates = 0;
};

Reference reference_build(const Input& in, const BuildOptions& opt) {
  Reference r;
  r.accounts = in.src;
  r.accounts.insert(r.accounts.end(), in.dst.begin(), in.dst.end());
  std::sort(r.accounts.begin(), r.accounts.end());
  r.accounts.erase(std::unique(r.accounts.begin(), r.accounts.end()), r.accounts.end());
  const auto n = static_cast<vertex_t>(r.accounts.size());
  auto idx = [&](account_t a) {
    return static_cast<vertex_t>(std::lower_bound(r.accounts.begin(), r.accounts.end(), a) - r.accounts.begin());
  };
  std::map<std::pair<vertex_t, vertex_t>, std::vector<prob_t>> arcs;  // copies in input order
  for (std::size_t i = 0; i < in.src.size(); ++i) {
    vertex_t a = idx(in.src[i]), b = idx(in.dst[i]);
    if (opt.flip) std::swap(a, b);
    if (a == b) {
      ++r.self_loops;
      if (opt.self_loops == SelfLoops::drop) continue;
      arcs[{a, b}].push_back(in.p[i]);
      continue;
    }
    arcs[{a, b}].push_back(in.p[i]);
    if (opt.undirected) arcs[{b, a}].push_back(in.p[i]);
  }
  std::vector<std::tuple<vertex_t, vertex_t, prob_t>> out;  // (u, v, p) sorted by (u, v)
  for (const auto& [uv, ps] : arcs) {
    r.duplicates += ps.size() - 1;
    if (opt.duplicates == Duplicates::keep) {
      for (prob_t x : ps) out.emplace_back(uv.first, uv.second, x);
      continue;
    }
    prob_t x = ps[0];
    for (std::size_t j = 1; j < ps.size(); ++j) {
      if (opt.duplicates == Duplicates::max) x = std::max(x, ps[j]);
      if (opt.duplicates == Duplicates::combine) x = 1.0f - (1.0f - x) * (1.0f - ps[j]);
      if (opt.duplicates == Duplicates::sum) x += ps[j];
    }
    out.emplace_back(uv.first, uv.second, std::min(x, 1.0f));
  }
  r.out_offsets.assign(n + 1, 0);
  r.in_offsets.assign(n + 1, 0);
  for (auto& [u, v, x] : out) {
    ++r.out_offsets[u + 1];
    ++r.in_offsets[v + 1];
    r.out_targets.push_back(v);
    r.out_p.push_back(x);
  }
  for (vertex_t u = 0; u < n; ++u) {
    r.out_offsets[u + 1] += r.out_offsets[u];
    r.in_offsets[u + 1] += r.in_offsets[u];
  }
  auto by_target = out;  // stable by target: sources ascending, parallel copies in out order
  std::stable_sort(by_target.begin(), by_target.end(),
                   [](const auto& x, const auto& y) { return std::get<1>(x) < std::get<1>(y); });
  for (auto& [u, v, x] : by_target) {
    r.in_sources.push_back(u);
    r.in_p.push_back(x);
  }
  return r;
}

using test_support::same;
using test_support::same_bits;

void expect_graph(const FollowerGraph& g, const Reference& r, const BuildReport& rep, const char* what) {
  SCOPED_TRACE(what);
  ASSERT_EQ(g.num_vertices(), r.accounts.size());
  ASSERT_EQ(g.num_edges(), r.out_targets.size());
  EXPECT_TRUE(same(g.accounts(), r.accounts));
  EXPECT_TRUE(same(g.out_offsets(), r.out_offsets));
  EXPECT_TRUE(same(g.out_targets(), r.out_targets));
  EXPECT_TRUE(same(g.in_offsets(), r.in_offsets));
  EXPECT_TRUE(same(g.in_sources(), r.in_sources));
  EXPECT_TRUE(same_bits(g.edge_probs(), r.out_p));
  EXPECT_TRUE(same_bits(g.in_edge_probs(), r.in_p));
  EXPECT_EQ(rep.self_loops, r.self_loops);
  EXPECT_EQ(rep.duplicates, r.duplicates);
  EXPECT_EQ(rep.edges, r.out_targets.size());
}

MallocIds malloc_copy(const std::vector<account_t>& v) {
  MallocIds a(static_cast<account_t*>(std::malloc(std::max<std::size_t>(v.size(), 1) * sizeof(account_t))), &std::free);
  std::memcpy(a.get(), v.data(), v.size() * sizeof(account_t));
  return a;
}

}  // namespace

// Every duplicate policy (with probabilities), self-loops kept and dropped, flip and undirected,
// ids compact (rank table) and sparse (sorted ids): the parallel build equals the reference on
// 1, 2, 3 and 7 threads (and through the consuming build_graph overload on 3).
TEST(Builder, EveryPolicyMatchesTheReferenceOnAnyThreadCount) {
  const std::uint64_t seed = test_support::test_seed("test_builder", 15);
  struct Ids {
    std::uint64_t scale, offset;
    const char* name;
  };
  for (const Ids ids : {Ids{3, 5, "compact ids"}, Ids{0x9E3779B97F4A7ull, 11, "sparse ids"}}) {
    const Input in = make_input(seed, 70'000, 20'000, ids.scale, ids.offset);
    for (auto dup : {Duplicates::first, Duplicates::keep, Duplicates::max, Duplicates::combine, Duplicates::sum}) {
      for (int shape = 0; shape < 3; ++shape) {
        BuildOptions opt;
        opt.duplicates = dup;
        opt.self_loops = shape == 1 ? SelfLoops::keep : SelfLoops::drop;
        opt.flip = shape == 1;
        opt.undirected = shape == 2;
        const Reference ref = reference_build(in, opt);
        for (int threads : {1, 2, 3, 7}) {
          opt.threads = threads;
          const std::string what = std::string(ids.name) + ", duplicates " + std::to_string(static_cast<int>(dup)) +
                                   ", shape " + std::to_string(shape) + ", threads " + std::to_string(threads);
          BuildReport rep;
          const auto g = build_graph(in.src, in.dst, in.p, opt, &rep);
          expect_graph(g, ref, rep, what.c_str());
          if (threads != 3) continue;  // the consuming overload shares every phase after the ids
          BuildReport rep2;
          const auto h = build_graph(malloc_copy(in.src), malloc_copy(in.dst), in.src.size(), in.p, opt, &rep2);
          expect_graph(h, ref, rep2, (what + ", consuming").c_str());
        }
      }
    }
  }
}

// Without probabilities, a graph of half a million input edges on many accounts (level-1 buckets of
// 2^11 accounts and more) still equals the reference for any thread count; the phase timers add
// up to no more than the whole build.
TEST(Builder, LargeTopologyMatchesTheReferenceOnAnyThreadCount) {
  const std::uint64_t seed = test_support::test_seed("test_builder", 15);
  Input in = make_input(seed + 1, 400'000, 600'000, 1, 0);
  in.p.clear();
  BuildOptions opt;
  Input with_p = in;
  with_p.p.assign(in.src.size(), 0.0f);
  const Reference ref = reference_build(with_p, opt);
  for (int threads : {1, 2, 3, 7}) {
    opt.threads = threads;
    BuildReport rep;
    const auto g = build_graph(in.src, in.dst, {}, opt, &rep);
    SCOPED_TRACE(threads);
    EXPECT_FALSE(g.has_probabilities());
    EXPECT_TRUE(same(g.accounts(), ref.accounts));
    EXPECT_TRUE(same(g.out_offsets(), ref.out_offsets));
    EXPECT_TRUE(same(g.out_targets(), ref.out_targets));
    EXPECT_TRUE(same(g.in_offsets(), ref.in_offsets));
    EXPECT_TRUE(same(g.in_sources(), ref.in_sources));
    EXPECT_EQ(rep.duplicates, ref.duplicates);
    // The consuming overload maps the ids in place in doubling rounds (64Ki, 128Ki, ... ids).
    const auto h = build_graph(malloc_copy(in.src), malloc_copy(in.dst), in.src.size(), {}, opt);
    EXPECT_TRUE(same(h.accounts(), ref.accounts));
    EXPECT_TRUE(same(h.out_targets(), ref.out_targets));
    EXPECT_TRUE(same(h.in_sources(), ref.in_sources));
    const auto& s = rep.seconds;
    for (double x : {s.index, s.map, s.validate, s.count, s.scatter, s.sort, s.merge, s.transpose, s.finish})
      EXPECT_GE(x, 0.0);
  }
}

// Policy errors name the same input edge for any thread count.
TEST(Builder, PolicyErrorsNameTheSameInputEdgeOnAnyThreadCount) {
  const std::uint64_t seed = test_support::test_seed("test_builder", 15);
  Input in = make_input(seed + 2, 100'000, 30'000, 2, 1);
  for (auto [dup, loops] : {std::pair{Duplicates::error, SelfLoops::drop}, std::pair{Duplicates::first, SelfLoops::error}}) {
    edge_t first_index = 0;
    for (int threads : {1, 2, 3, 7}) {
      BuildOptions opt;
      opt.duplicates = dup;
      opt.self_loops = loops;
      opt.threads = threads;
      try {
        (void)build_graph(in.src, in.dst, in.p, opt);
        ADD_FAILURE() << "no error";
      } catch (const InputEdgeError& e) {
        if (threads == 1) first_index = e.index();
        EXPECT_EQ(e.index(), first_index) << threads;
      }
    }
  }
  // Duplicates::sum over 1: the copy that pushes the sum over 1.
  std::vector<account_t> src{7, 9, 7, 9, 7}, dst{8, 8, 8, 8, 8};
  std::vector<prob_t> p{0.5f, 0.1f, 0.4f, 0.2f, 0.3f};
  for (int threads : {1, 2, 3, 7}) {
    BuildOptions opt;
    opt.duplicates = Duplicates::sum;
    opt.threads = threads;
    try {
      (void)build_graph(src, dst, p, opt);
      ADD_FAILURE() << "no error";
    } catch (const InputEdgeError& e) {
      EXPECT_EQ(e.index(), 4u) << threads;
    }
  }
}
