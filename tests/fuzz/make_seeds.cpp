// SPDX-License-Identifier: MIT
/// Writes the snapshot seeds of tests/fuzz/corpus/snapshot: valid snapshots of small graphs made
/// with save_snapshot, and slightly broken copies, each behind the harness's control byte.
/// Usage: fuzz_make_seeds OUT_DIR
#include <kolsim/kolsim.hpp>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

using namespace kolsim;
using Bytes = std::vector<unsigned char>;

Bytes snapshot_bytes(const FollowerGraph& g, const std::string& tmp) {
  save_snapshot(g, tmp);
  std::ifstream in(tmp, std::ios::binary);
  Bytes b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::remove(tmp.c_str());
  return b;
}

void put(const std::string& dir, const std::string& name, unsigned char control, const Bytes& b) {
  std::ofstream out(dir + "/" + name, std::ios::binary);
  out.put(static_cast<char>(control));
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1], tmp = dir + "/.seed.kgs";
  const std::vector<account_t> s1{1, 1, 2, 3, 3}, d1{2, 3, 3, 1, 4};
  const FollowerGraph plain = build_graph(s1, d1);
  BuildOptions keep;
  keep.duplicates = Duplicates::keep;
  keep.self_loops = SelfLoops::keep;
  const std::vector<account_t> s2{5, 5, 5, 7, 1ull << 40, ~account_t{0}}, d2{7, 7, 5, 5, 7, 5};
  const FollowerGraph parallel = build_graph(s2, d2, {}, keep);
  const std::vector<account_t> s3{10, 20, 30}, d3{20, 30, 10};
  const std::vector<account_t> lonely{99, 100};
  const FollowerGraph with_isolated = build_graph(s3, d3, {}, {}, nullptr, lonely);

  put(dir, "plain.kgs", 0, snapshot_bytes(plain, tmp));
  put(dir, "wc.kgs", 0, snapshot_bytes(weighted_cascade(plain), tmp));
  put(dir, "const.kgs", 0x84, snapshot_bytes(constant_probability(parallel, 0.5f), tmp));
  put(dir, "parallel_loops.kgs", 0, snapshot_bytes(parallel, tmp));
  put(dir, "isolated_lt.kgs", 0x10, snapshot_bytes(random_lt_weights(with_isolated, 3), tmp));
  put(dir, "plain_fixup.kgs", 3, snapshot_bytes(plain, tmp));

  Bytes b = snapshot_bytes(constant_probability(plain, 0.25f), tmp);
  // The last byte of the last stored probability (0.25f = 00 00 80 3e), before the checksum and
  // the padding of format 2.
  std::size_t last_prob = b.size() - 9;
  while (last_prob > 64 && b[last_prob] != 0x3e) --last_prob;
  Bytes bad = b;
  bad[last_prob] ^= 0x40;  // a probability changed: checksum mismatch
  put(dir, "bad_checksum.kgs", 0, bad);
  bad = b;
  bad[last_prob] = 0x7f;  // ... and a probability above 1 behind a fixed checksum
  put(dir, "bad_probability_fixed.kgs", 2, bad);
  bad = b;
  bad[8] = 99;  // version 99
  put(dir, "bad_version.kgs", 0, bad);
  bad = b;
  bad.resize(b.size() / 2);  // truncated
  put(dir, "truncated.kgs", 0, bad);
  bad = b;
  bad[16] = 200;  // n = 200 with the size field and checksum fixed up: file too short
  put(dir, "bad_n_fixed.kgs", 3, bad);
  put(dir, "header_only.kgs", 0, Bytes(b.begin(), b.begin() + 64));
  return 0;
}
