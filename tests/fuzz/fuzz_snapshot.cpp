// SPDX-License-Identifier: MIT
/// Fuzz target for load_snapshot followed by everything the CLI does with a loaded graph:
/// summary, checksum, convert (save + reload), every probability scheme, Monte Carlo spread
/// (IC and LT) and the selectors. Input: one control byte, then the file. Control bit 0 sets the
/// header's file-size field from its n and m, bit 1 recomputes the trailing checksum, so that
/// mutations get past both and reach the structure checks (the checksum is no security boundary).
#include "fuzz_common.hpp"

#include <array>
#include <bit>
#include <cstring>

extern const char* const kolsim_fuzz_temp_tags[] = {"graph.kgs", "convert.kgs", nullptr};

namespace {

using u64 = std::uint64_t;

// The snapshot checksums (src/io/snapshot.cpp; format versions 1 and 2), reimplemented for the fix-up.
// checksum_self_test() proves at start-up that it still matches save_snapshot.
constexpr u64 P1 = 0x9E3779B185EBCA87ull, P2 = 0xC2B2AE3D27D4EB4Full, P3 = 0x165667B19E3779F9ull,
              P4 = 0x85EBCA77C2B2AE63ull, P5 = 0x27D4EB2F165667C5ull;
u64 mix_round(u64 acc, u64 w) { return std::rotl(acc + w * P2, 31) * P1; }
u64 avalanche(u64 h) {
  h ^= h >> 33;
  h *= P2;
  h ^= h >> 29;
  h *= P3;
  return h ^ (h >> 32);
}
u64 load64(const unsigned char* p) {
  u64 w;
  std::memcpy(&w, p, 8);
  return w;
}
u64 block_hash(const unsigned char* p, std::size_t len, u64 seed) {
  u64 v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;
  const unsigned char* const end = p + len;
  while (end - p >= 32) {
    v1 = mix_round(v1, load64(p));
    v2 = mix_round(v2, load64(p + 8));
    v3 = mix_round(v3, load64(p + 16));
    v4 = mix_round(v4, load64(p + 24));
    p += 32;
  }
  u64 h = std::rotl(v1, 1) + std::rotl(v2, 7) + std::rotl(v3, 12) + std::rotl(v4, 18);
  while (end - p >= 8) {
    h ^= mix_round(0, load64(p));
    h = std::rotl(h, 27) * P1 + P4;
    p += 8;
  }
  if (p < end) {
    u64 w = 0;
    std::memcpy(&w, p, static_cast<std::size_t>(end - p));
    h ^= mix_round(0, w ^ (static_cast<u64>(end - p) << 59));
    h = std::rotl(h, 27) * P1 + P4;
  }
  return avalanche(h ^ len);
}
u64 section_hash(const unsigned char* p, std::size_t len) {
  constexpr std::size_t block = std::size_t{1} << 20;
  const std::size_t blocks = std::max<std::size_t>(1, (len + block - 1) / block);
  u64 h = P5 ^ len;
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t off = b * block;
    h = mix_round(h, block_hash(p + std::min(off, len), std::min(block, len - std::min(len, off)), b));
  }
  return avalanche(h);
}

constexpr std::size_t header_bytes = 64;

/// Format version 2 aligns every section and the checksum to 64 bytes; version 1 packs them.
u64 align_of(const std::vector<unsigned char>& f) { return f.size() >= 12 && f[8] >= 2 ? 64 : 1; }
u64 align_up(u64 x, u64 a) { return (x + a - 1) / a * a; }

/// Byte lengths of the sections after the header, or empty when the header's counts overflow.
std::vector<u64> sections(u64 n, u64 m, bool probs) {
  if (n > (u64{1} << 32) || m > (u64{1} << 48)) return {};
  std::vector<u64> s{8 * (n + 1), 4 * m, 8 * (n + 1), 4 * m, 8 * n};
  if (probs) s.insert(s.end(), {4 * m, 4 * m});
  return s;
}

/// Checksum of a snapshot image over its header and the sections its header announces, and
/// where it is stored (the announced sections must fit before the file's end; else no fix-up).
bool checksum_of(const std::vector<unsigned char>& f, u64& out, u64& at) {
  if (f.size() < header_bytes + 8) return false;
  const u64 n = load64(f.data() + 16), m = load64(f.data() + 24);
  const bool probs = (f[12] & 1) != 0;  // flags bit 0 (flags: bytes 12..15)
  const auto secs = sections(n, m, probs);
  if (secs.empty()) return false;
  const u64 align = align_of(f);
  if (align == 1) {  // version 1: per-section hashes combined
    u64 h = 1 * P3 + P4, count = 0;
    h = mix_round(h ^ ++count, section_hash(f.data(), header_bytes));
    u64 off = header_bytes;
    for (u64 len : secs) {
      if (len > f.size() - 8 - off) return false;
      h = mix_round(h ^ ++count, section_hash(f.data() + off, len));
      off += len;
    }
    out = avalanche(h ^ count);
    at = f.size() - 8;
    return true;
  }
  u64 end = header_bytes;  // version 2: one hash of every byte before the checksum
  for (u64 len : secs) {
    end = align_up(end, align);
    if (len > f.size() - end) return false;
    end += len;
  }
  at = align_up(end, align);
  if (at > f.size() - 8) return false;
  out = section_hash(f.data(), at);
  return true;
}

void fix_file_size(std::vector<unsigned char>& f) {
  if (f.size() < header_bytes) return;
  const u64 n = load64(f.data() + 16), m = load64(f.data() + 24);
  const auto secs = sections(n, m, (f[12] & 1) != 0);
  if (secs.empty()) return;
  const u64 align = align_of(f);
  u64 total = header_bytes;
  for (u64 s : secs) total = align_up(total, align) + s;
  total = align_up(total, align) + 8;
  std::memcpy(f.data() + 48, &total, 8);  // header: ..., u32 bom, u32 reserved, u64 file size
}

void fix_checksum(std::vector<unsigned char>& f) {
  u64 c = 0, at = 0;
  if (checksum_of(f, c, at)) std::memcpy(f.data() + at, &c, 8);
}

/// The fix-up is only useful while it matches the real checksum: check on a saved graph.
void checksum_self_test() {
  using namespace kolsim;
  const std::vector<account_t> src{1, 1, 2, 7}, dst{2, 3, 3, 1};
  const std::string path = kolsim_fuzz::temp_path("graph.kgs");
  save_snapshot(constant_probability(build_graph(src, dst), 0.25f), path);
  std::FILE* fp = std::fopen(path.c_str(), "rb");
  std::vector<unsigned char> f(4096);
  f.resize(std::fread(f.data(), 1, f.size(), fp));
  std::fclose(fp);
  u64 c = 0, at = 0, stored = 0;
  if (f.size() >= 8) std::memcpy(&stored, f.data() + f.size() - 8, 8);
  if (!checksum_of(f, c, at) || c != stored)
    kolsim_fuzz::finding("harness", "the snapshot checksum fix-up no longer matches save_snapshot (format changed?)");
}

/// Everything `kolsim info / convert / spread / select` does after loading.
void exercise(const kolsim::FollowerGraph& g, std::uint8_t control) {
  using namespace kolsim;
  kolsim_fuzz::guarded("summarize", [&] { (void)to_string(summarize(g)); });
  const u64 sum = graph_checksum(g);

  // convert: save and reload must give the same graph.
  const std::string out = kolsim_fuzz::temp_path("convert.kgs");
  save_snapshot(g, out);
  FollowerGraph back;
  if (!kolsim_fuzz::guarded("reload", [&] { back = load_snapshot(out); }))
    kolsim_fuzz::finding("convert", "load_snapshot rejects what save_snapshot wrote from a loaded graph");
  if (graph_checksum(back) != sum) kolsim_fuzz::finding("convert", "save + load changed the graph");

  const u64 seed = control >> 2;
  std::vector<std::pair<const char*, FollowerGraph>> schemes;
  if (g.has_probabilities()) schemes.emplace_back("column", g);
  kolsim_fuzz::guarded("wc", [&] { schemes.emplace_back("wc", weighted_cascade(g)); });
  kolsim_fuzz::guarded("const", [&] { schemes.emplace_back("const", constant_probability(g, 0.3f)); });
  kolsim_fuzz::guarded("trivalency", [&] { schemes.emplace_back("trivalency", trivalency(g, seed, {0.1f, 0.01f, 0.001f}, 1)); });
  kolsim_fuzz::guarded("uniform", [&] { schemes.emplace_back("uniform", uniform_probability(g, 0.1f, 0.6f, seed, 1)); });
  kolsim_fuzz::guarded("lt-random", [&] { schemes.emplace_back("lt-random", random_lt_weights(g, seed, 1)); });

  const std::size_t k = std::min<std::size_t>(2, g.num_vertices());
  SelectOptions so;
  so.threads = 1;
  SelectResult by_degree;
  kolsim_fuzz::guarded("top_degree", [&] { by_degree = top_degree(g, k, so); });
  kolsim_fuzz::guarded("top_pagerank", [&] { (void)top_pagerank(g, k, so); });
  for (std::size_t v = 0; v < g.num_vertices() && v < 4; ++v)
    if (g.index_of(g.account(static_cast<vertex_t>(v))) != v) kolsim_fuzz::finding("accounts", "index_of(account(v)) != v");

  MonteCarloOptions mc;
  mc.trials = 64;
  mc.threads = 1;
  mc.seed = seed;
  if (control & 0x80) mc.max_steps = 2;
  for (const auto& scheme : schemes) {
    const FollowerGraph& sg = scheme.second;
    kolsim_fuzz::guarded(scheme.first, [&] { (void)estimate_spread(sg, IndependentCascade{}, by_degree.seeds, mc); });
    kolsim_fuzz::guarded(scheme.first, [&] { (void)estimate_spread(sg, LinearThreshold{}, by_degree.seeds, mc); });
  }
  // A tiny selection of each kind on the first scheme (the stored probabilities when present).
  if (schemes.empty() || g.num_vertices() > 256) return;
  const FollowerGraph& pg = schemes.front().second;
  ImmOptions io;
  io.threads = 1;
  io.epsilon = 0.5;
  kolsim_fuzz::guarded("imm", [&] { (void)imm(pg, IndependentCascade{}, k, io); });
  OpimOptions oo;
  oo.threads = 1;
  oo.epsilon = 0.5;
  kolsim_fuzz::guarded("opim-c", [&] { (void)opim_c(pg, LinearThreshold{}, k, oo); });
  GreedyOptions go;
  go.threads = 1;
  go.trials = 16;
  kolsim_fuzz::guarded("celf++", [&] { (void)celf_plus_plus(pg, IndependentCascade{}, k, go); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool self_tested = (checksum_self_test(), true);
  (void)self_tested;
  if (size < 1) return 0;
  const std::uint8_t control = data[0];
  std::vector<unsigned char> file(data + 1, data + size);
  if (control & 1) fix_file_size(file);
  if (control & 2) fix_checksum(file);
  const std::string path = kolsim_fuzz::temp_path("graph.kgs");
  kolsim_fuzz::write_file(path, file.data(), file.size());
  kolsim::FollowerGraph g;
  if (!kolsim_fuzz::guarded("load_snapshot", [&] { g = kolsim::load_snapshot(path); })) return 0;
  exercise(g, control);
  return 0;
}
