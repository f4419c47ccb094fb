// SPDX-License-Identifier: MIT
/// Snapshot writer/loader and the block-parallel 64-bit content hash behind both checksums.
#include "kolsim/io/snapshot.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <bit>
#include <cstring>
#include <span>
#include <chrono>
#include <memory>
#include <mutex>
#include <random>
#include <system_error>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/memory.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/io/atomic_file.hpp"
#include "read_input.hpp"

namespace kolsim {
namespace {

static_assert(std::endian::native == std::endian::little, "snapshots assume a little-endian machine");

constexpr std::array<unsigned char, 8> magic = {0x89, 'K', 'G', 'S', '\r', '\n', 0x1a, '\n'};
constexpr std::size_t header_size = 64;
constexpr std::uint32_t byte_order_mark = 0x01020304u;
constexpr std::uint32_t flag_probs = 1u;
constexpr std::uint32_t flag_weighted_cascade = 2u;  // version 3: implicit weighted cascade
constexpr std::uint32_t flag_constant = 4u;          // version 3: implicit constant (reserved0 = its bits)
/// The version save_snapshot writes for graphs without implicit probabilities (byte for byte
/// the files of earlier builds, which they can still read).
constexpr std::uint32_t explicit_format_version = 2;

// Multiply-rotate mixing in the style of xxHash64 (constants are its primes).
constexpr std::uint64_t P1 = 0x9E3779B185EBCA87ull, P2 = 0xC2B2AE3D27D4EB4Full, P3 = 0x165667B19E3779F9ull,
                        P4 = 0x85EBCA77C2B2AE63ull, P5 = 0x27D4EB2F165667C5ull;

inline std::uint64_t mix_round(std::uint64_t acc, std::uint64_t w) {
  acc += w * P2;
  acc = std::rotl(acc, 31);
  return acc * P1;
}
inline std::uint64_t avalanche(std::uint64_t h) {
  h ^= h >> 33;
  h *= P2;
  h ^= h >> 29;
  h *= P3;
  h ^= h >> 32;
  return h;
}
inline std::uint64_t load64(const unsigned char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

std::uint64_t block_hash(const unsigned char* p, std::size_t len, std::uint64_t seed) {
  std::uint64_t v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;
  const unsigned char* const end = p + len;
  while (end - p >= 32) {
    v1 = mix_round(v1, load64(p));
    v2 = mix_round(v2, load64(p + 8));
    v3 = mix_round(v3, load64(p + 16));
    v4 = mix_round(v4, load64(p + 24));
    p += 32;
  }
  std::uint64_t h = std::rotl(v1, 1) + std::rotl(v2, 7) + std::rotl(v3, 12) + std::rotl(v4, 18);
  while (end - p >= 8) {
    h ^= mix_round(0, load64(p));
    h = std::rotl(h, 27) * P1 + P4;
    p += 8;
  }
  if (p < end) {
    std::uint64_t w = 0;
    std::memcpy(&w, p, static_cast<std::size_t>(end - p));
    h ^= mix_round(0, w ^ (static_cast<std::uint64_t>(end - p) << 59));
    h = std::rotl(h, 27) * P1 + P4;
  }
  h ^= len;
  return avalanche(h);
}

constexpr std::size_t block_bytes = std::size_t{1} << 20;

/// Combines the hashes of a byte range's fixed 1 MiB blocks in block order.
std::uint64_t combine_blocks(std::size_t len, const std::vector<std::uint64_t>& hs) {
  std::uint64_t h = P5 ^ len;
  for (auto x : hs) h = mix_round(h, x);
  return avalanche(h);
}

/// Hash of one byte range: fixed 1 MiB blocks hashed in parallel, combined in block order, so
/// the value never depends on the thread count.
std::uint64_t section_hash(const void* data, std::size_t len, int threads) {
  const auto* p = static_cast<const unsigned char*>(data);
  const std::size_t blocks = std::max<std::size_t>(1, (len + block_bytes - 1) / block_bytes);
  std::vector<std::uint64_t> hs(blocks);
  parallel_for(0, blocks, threads, [&](std::size_t b) {
    const std::size_t off = b * block_bytes;
    hs[b] = block_hash(p + std::min(off, len), std::min(block_bytes, len - std::min(len, off)), b);
  }, 1, 4);
  return combine_blocks(len, hs);
}

/// Combines section hashes in order (`threads` already resolved; the value does not depend on it).
class Checksum {
 public:
  Checksum(std::uint64_t domain, int threads) : h_(domain * P3 + P4), threads_(threads) {}
  template <class T>
  void add(std::span<const T> s) {
    h_ = mix_round(h_ ^ ++count_, section_hash(s.data(), s.size_bytes(), threads_));
  }
  void add_bytes(const void* p, std::size_t n) { add_hash(section_hash(p, n, threads_)); }
  /// Adds a section whose section_hash() is already known.
  void add_hash(std::uint64_t section) { h_ = mix_round(h_ ^ ++count_, section); }
  std::uint64_t value() const { return avalanche(h_ ^ count_); }

 private:
  std::uint64_t h_;
  int threads_;
  std::uint64_t count_ = 0;
};

struct Header {
  std::array<unsigned char, 8> magic;
  std::uint32_t version;
  std::uint32_t flags;
  std::uint64_t n;
  std::uint64_t m;
  std::uint64_t header_bytes;
  std::uint32_t bom;
  std::uint32_t reserved0;
  std::uint64_t file_bytes;
  std::uint64_t reserved1;
};
static_assert(sizeof(Header) == header_size);

/// Sections of a snapshot, in file order.
enum Section : int { out_offsets_s, out_targets_s, in_offsets_s, in_sources_s, accounts_s, out_probs_s, in_probs_s };
constexpr std::uint64_t section_alignment = 64;  // version 2: every section starts at a multiple of it

/// Where each section of a snapshot starts and where its checksum sits (version 1: packed;
/// version 2: each section and the checksum at the next multiple of 64, zero bytes between).
struct Layout {
  std::array<std::uint64_t, 7> at{};
  std::array<std::uint64_t, 7> bytes{};
  int sections = 0;
  std::uint64_t checksum_at = 0;
  std::uint64_t file_bytes = 0;  ///< 0 when the counts overflow
};

Layout layout_of(std::uint32_t version, std::uint64_t n, std::uint64_t m, bool probs) {
  Layout l;
  if (n > max_vertices || m > (std::uint64_t{1} << 48)) return l;
  const std::uint64_t sizes[7] = {(n + 1) * sizeof(edge_t), m * sizeof(vertex_t), (n + 1) * sizeof(edge_t),
                                  m * sizeof(vertex_t),     n * sizeof(account_t), m * sizeof(prob_t),
                                  m * sizeof(prob_t)};
  const std::uint64_t align = version >= 2 ? section_alignment : 1;
  auto up = [align](std::uint64_t x) { return (x + align - 1) / align * align; };
  l.sections = probs ? 7 : 5;
  std::uint64_t at = header_size;
  for (int i = 0; i < l.sections; ++i) {
    at = up(at);
    l.at[static_cast<std::size_t>(i)] = at;
    l.bytes[static_cast<std::size_t>(i)] = sizes[i];
    at += sizes[i];
  }
  l.checksum_at = up(at);
  l.file_bytes = l.checksum_at + sizeof(std::uint64_t);
  return l;
}

[[noreturn]] void io_fail(const std::string& what, const std::string& path, int err) {
  throw IoError(detail::concat(what, " '", path, "': ", std::system_category().message(err)));
}

/// Copies `len` bytes to `dst` and returns their section_hash(): the same fixed 1 MiB blocks,
/// each copied and then hashed while it is still in cache, in parallel (version 1 loads).
std::uint64_t copy_and_hash(void* dst, const unsigned char* src, std::size_t len, int threads) {
  auto* out = static_cast<unsigned char*>(dst);
  const std::size_t blocks = std::max<std::size_t>(1, (len + block_bytes - 1) / block_bytes);
  std::vector<std::uint64_t> hs(blocks);
  parallel_for(0, blocks, threads, [&](std::size_t b) {
    const std::size_t off = b * block_bytes, size = std::min(block_bytes, len - std::min(len, off));
    if (size) std::memcpy(out + off, src + off, size);
    hs[b] = block_hash(src + off, size, b);
  }, 1, 4);
  return combine_blocks(len, hs);
}

/// A copy of `count` elements at `src` (a buffer that does not outlive the load), in parallel.
template <class T>
ConstArray<T> copy_array(const unsigned char* src, std::size_t count, int threads) {
  std::vector<T> v(count);
  const std::size_t len = count * sizeof(T);
  const std::size_t blocks = (len + block_bytes - 1) / block_bytes;
  parallel_for(0, blocks, threads, [&](std::size_t b) {
    const std::size_t off = b * block_bytes;
    std::memcpy(reinterpret_cast<unsigned char*>(v.data()) + off, src + off, std::min(block_bytes, len - off));
  }, 1, 4);
  return ConstArray<T>(std::move(v));
}

/// A read-only private map of a whole regular file, unmapped on destruction (when the last
/// graph array viewing it goes away). `populate` reads the whole file in at once (MAP_POPULATE:
/// fastest for small files); otherwise pages come in as they are read, and the load's passes
/// release what they have verified (release_inside), so the load never holds the whole file.
/// Releasing a page of this map never changes what is read there: the map is private and never
/// written, so a dropped page is read back from the file (the page cache) on the next access.
class FileMap final : public ReleasableMemory {
 public:
  FileMap(int fd, std::size_t size, const std::string& path, bool populate)
      : size_(size), streamed_(!populate) {
    if (size_ == 0) return;
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | (populate ? MAP_POPULATE : 0), fd, 0);
    if (p == MAP_FAILED) io_fail("cannot map", path, errno);
    data_ = static_cast<const unsigned char*>(p);
  }
  FileMap(const FileMap&) = delete;
  FileMap& operator=(const FileMap&) = delete;
  ~FileMap() override {
    if (data_) ::munmap(const_cast<unsigned char*>(data_), size_);
  }
  const unsigned char* data() const noexcept { return data_; }
  /// True when the map was not populated: the load streams through it and releases pages.
  bool streamed() const noexcept { return streamed_; }

  /// Drops every page touching [p, p + bytes), clamped to the map.
  void release(const void* p, std::size_t bytes) const noexcept override { drop(p, bytes, false); }
  /// Drops the pages lying wholly inside [p, p + bytes), clamped to the map: a page shared with a
  /// range that another thread may still be reading stays. A page dropped while another thread
  /// reads it is read back (a minor fault): only time is lost.
  void release_inside(const void* p, std::size_t bytes) const noexcept { drop(p, bytes, true); }

 private:
  static std::uintptr_t page_size() noexcept {
    static const std::uintptr_t page = [] {
      const long s = ::sysconf(_SC_PAGESIZE);
      return s > 0 ? static_cast<std::uintptr_t>(s) : std::uintptr_t{4096};
    }();
    return page;
  }
  void drop(const void* p, std::size_t bytes, bool inside) const noexcept {
    if (data_ == nullptr || bytes == 0) return;
    const std::uintptr_t page = page_size(), base = reinterpret_cast<std::uintptr_t>(data_);
    const std::uintptr_t map_end = base + (size_ + page - 1) / page * page;  // the map is whole pages
    std::uintptr_t lo = reinterpret_cast<std::uintptr_t>(p), hi = lo + bytes;
    lo = inside ? (lo + page - 1) / page * page : lo / page * page;
    hi = inside ? hi / page * page : (hi + page - 1) / page * page;
    lo = std::max(lo, base);
    hi = std::min(hi, map_end);
    if (lo < hi) ::madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_DONTNEED);  // cannot fail here
  }

  const unsigned char* data_ = nullptr;
  std::size_t size_;
  bool streamed_;
};

/// section_hash() of `len` bytes of a streamed map (from its start): each 1 MiB block's pages
/// are released once the block is hashed, so the pass holds about one block per thread.
std::uint64_t streamed_hash(const FileMap& map, std::size_t len, int threads) {
  const unsigned char* p = map.data();
  const std::size_t blocks = std::max<std::size_t>(1, (len + block_bytes - 1) / block_bytes);
  std::vector<std::uint64_t> hs(blocks);
  parallel_for(0, blocks, threads, [&](std::size_t b) {
    const std::size_t off = std::min(b * block_bytes, len), size = std::min(block_bytes, len - off);
    hs[b] = block_hash(p + off, size, b);
    map.release_inside(p + off, size);
  }, 1, 4);
  return combine_blocks(len, hs);
}

[[noreturn]] void bad_structure(const std::string& path, const std::string& what) {
  throw ParseError(path, 0, "invalid snapshot structure: " + what);
}

/// Checks that the in-rows are exactly the transpose of the out-rows and the in-order
/// probabilities equal the out-order ones (rows already known to be sorted and within [0, n)).
/// Walking the out-rows in source order fills each in-row in ascending source order, the order a
/// sorted in-row must have (parallel edges included), so a cursor per in-row checks every edge.
/// The targets are cut into `threads` ranges holding about m / threads in-edges each; every range
/// walks all out-rows but follows only the edges into it, so each cursor sees the same edges in
/// the same order as in one serial walk. The error names the first failing edge in out-order,
/// which is the serial walk's first failure for any thread count. Runs only after the edge
/// fingerprints of check_structure differ, to name that edge (8n bytes for the cursors).
void check_transpose(const std::string& path, const GraphTopology& t, std::uint64_t n, const ConstArray<prob_t>& out_p,
                     const ConstArray<prob_t>& in_p, int threads) {
  const bool probs = !out_p.empty();
  const auto m = static_cast<edge_t>(t.out_targets.size());
  const int ranges = m >= (edge_t{1} << 16) ? std::max(threads, 1) : 1;
  std::vector<vertex_t> first(static_cast<std::size_t>(ranges) + 1, static_cast<vertex_t>(n));
  for (int r = 0; r < ranges; ++r)  // the first target whose in-edges start at or after r m / ranges
    first[static_cast<std::size_t>(r)] = static_cast<vertex_t>(
        std::lower_bound(t.in_offsets.begin(), t.in_offsets.end() - 1, m / static_cast<edge_t>(ranges) * r) -
        t.in_offsets.begin());
  first[0] = 0;
  std::vector<edge_t> cursor(t.in_offsets.begin(), t.in_offsets.end() - 1);
  enum : int { fine = 0, not_transpose = 1, other_prob = 2 };
  std::vector<std::pair<edge_t, int>> failure(static_cast<std::size_t>(ranges), {m, fine});
  const edge_t* out_off = t.out_offsets.data();
  const vertex_t* tgt = t.out_targets.data();
  const edge_t* in_off = t.in_offsets.data();
  const vertex_t* src = t.in_sources.data();
  parallel_for(0, static_cast<std::size_t>(ranges), threads, [&](std::size_t r) {
    const vertex_t lo = first[r], hi = first[r + 1];
    for (vertex_t u = 0; u < n; ++u) {
      for (edge_t e = out_off[u]; e < out_off[u + 1]; ++e) {
        const vertex_t v = tgt[e];
        if (v < lo || v >= hi) continue;
        const edge_t pos = cursor[v]++;
        if (pos >= in_off[v + 1] || src[pos] != u) {
          failure[r] = {e, not_transpose};
          return;
        }
        if (probs && std::memcmp(&out_p[e], &in_p[pos], sizeof(prob_t)) != 0) {
          failure[r] = {e, other_prob};
          return;
        }
      }
    }
  }, 1);
  const auto [e, kind] = *std::min_element(failure.begin(), failure.end());
  if (kind == fine) return;
  const auto u = static_cast<vertex_t>(std::upper_bound(t.out_offsets.begin(), t.out_offsets.end(), e) - t.out_offsets.begin() - 1);
  const vertex_t v = tgt[e];
  if (kind == not_transpose)
    bad_structure(path, detail::concat("the in-rows are not the transpose of the out-rows (edge ", u, " -> ", v,
                                       " by vertex index)"));
  bad_structure(path, detail::concat("the in-order probability of edge ", u, " -> ", v,
                                     " (by vertex index) differs from its out-order probability"));
}

// Edge fingerprints: arithmetic modulo the Mersenne prime 2^61 - 1.
constexpr std::uint64_t field_p = (std::uint64_t{1} << 61) - 1;
__extension__ typedef unsigned __int128 uint128;

/// x mod p up to a small multiple: congruent to x and below 2^61 + 8, for any x.
inline std::uint64_t fold(std::uint64_t x) { return (x & field_p) + (x >> 61); }
/// (hi 2^64 + lo) mod p up to a small multiple, for hi < 6 * 2^58: (lo mod 2^61) + (lo / 2^61)
/// + 8 hi < 2^64, three adds (no double-width shift, slow on some CPUs).
inline std::uint64_t split_fold(std::uint64_t lo, std::uint64_t hi) { return (lo & field_p) + (lo >> 61) + (hi << 3); }
/// a * b mod p, congruent and below 2^61 + 8 (not fully reduced), when a b < 6 * 2^122: for
/// a, b < 2^62, or a < 2^61 + 8 (an accumulator) and b < 5p (an unfolded edge factor).
inline std::uint64_t mul_mod(std::uint64_t a, std::uint64_t b) {
  const uint128 z = static_cast<uint128>(a) * b;
  return fold(split_fold(static_cast<std::uint64_t>(z), static_cast<std::uint64_t>(z >> 64)));
}
/// x mod p in [0, p), for any x.
inline std::uint64_t reduce(std::uint64_t x) {
  x = fold(x);
  return x >= field_p ? x - field_p : x;
}

/// The random point of one load's fingerprint test (drawn from std::random_device per load, so a
/// crafted file cannot be made to pass it).
///
/// An edge u -> v with probability bits b and rank k among the parallel copies of u -> v has the
/// encoding x = c0 + a1 v + a2 c2, c0 = u + 2^32 (b mod 2^29), c2 = b / 2^29 + 8 k: distinct
/// edges (u, v, k, b) have distinct (c0, v, c2), each below p, so the encodings are distinct
/// linear forms in (a1, a2). Its factor is r4 - x' for x' = c0 + (a1 v mod p) + (a2 c2 mod p),
/// each term a small multiple of p at most (x' < 3 * 2^61 + 2^34 < 4p), so the factor lies in
/// (0, 5p) and needs no folding before mul_mod (see there).
struct EdgeKeys {
  std::uint64_t r4 = 0, a1 = 0, a2 = 0;     ///< r4 = r + 4p, so r4 - x' > 0 for any encoding
  std::array<std::uint64_t, 8> a2_small{};  ///< a2 * c for c < 8
  EdgeKeys() {
    std::random_device rd;
    auto draw = [&] { return reduce((std::uint64_t{rd()} << 32) ^ rd()); };
    r4 = draw() + 4 * field_p;
    a1 = draw();
    a2 = draw();
    for (std::uint64_t c = 0; c < 8; ++c) a2_small[c] = mul_mod(a2, c);
  }
};

/// a * x mod p for a < 2^61 + 8 and a 32-bit x: congruent and below 2^61 + 2^33 (one fold).
inline std::uint64_t mul_small(std::uint64_t a, std::uint32_t x) {
  const uint128 z = static_cast<uint128>(a) * x;
  return split_fold(static_cast<std::uint64_t>(z), static_cast<std::uint64_t>(z >> 64));
}

/// Number of independent product accumulators (multiplication chains) per row side: the edges of
/// a block take them in turn, so the mul_mod latency of one chain hides behind the others.
constexpr std::size_t fingerprint_lanes = 8;
/// Edges per chunk of the flat fingerprint walk.
constexpr edge_t fingerprint_chunk = 2048;
/// A streamed load releases the rows it has walked every this many edges (1 MiB of indices), so a
/// vertex block holding hubs' rows does not hold them all at once.
constexpr edge_t release_edges = edge_t{1} << 18;

/// A product modulo p kept in fingerprint_lanes rotating accumulators.
struct Product {
  std::array<std::uint64_t, fingerprint_lanes> lane;
  Product() { lane.fill(1); }
  std::uint64_t value() const {
    std::uint64_t x = 1;
    for (const std::uint64_t l : lane) x = mul_mod(x, l);
    return x;
  }
};

inline std::uint32_t prob_bits(prob_t p) { return std::bit_cast<std::uint32_t>(p); }
/// True for the bits of a float outside [0, 1] (or NaN); -0 is inside, as -0.0f >= 0.0f.
inline bool prob_bits_bad(std::uint32_t b) { return b > 0x3F800000u && b != 0x80000000u; }

enum : int { bad_out = 1, bad_in = 2, bad_accounts = 4, bad_prob = 8 };

/// One side of the CSR (out-rows: row u, entries v; in-rows: row v, entries u) of a checked graph.
struct RowSide {
  const edge_t* off;
  const vertex_t* idx;
  const prob_t* pr;  ///< null without probabilities
  std::uint64_t n, m;
};

/// Offsets of rows [lo, hi) monotone and within m: then every entry index below is safe to read.
inline bool offsets_fine(const edge_t* off, vertex_t lo, vertex_t hi, std::uint64_t m) {
  bool bad = off[hi] > m;
  for (vertex_t v = lo; v < hi; ++v) bad |= off[v + 1] < off[v];
  return !bad;
}

/// Per-thread buffers of the fingerprint walk: row-start marks of one chunk of edges (kept all
/// zero between chunks) and a1 v for the rows of one block.
struct FingerprintScratch {
  std::vector<std::uint32_t> starts;
  std::vector<std::uint64_t> a1_row;
  explicit FingerprintScratch(std::size_t block) : starts(fingerprint_chunk, 0), a1_row(block) {}
};

/// The fingerprint factors of rows [lo, hi) of one side multiplied into `prod`, and the checks of
/// those rows; returns `side_bad` when an offset, an index or the order of a row is wrong (the
/// product is then meaningless), bad_prob for a probability outside [0, 1], else 0. The factor
/// of edge u -> v with probability bits b and rank k among the parallel copies of u -> v is
/// r - (u + 2^32 (b mod 2^29) + a1 v + a2 (b / 2^29 + 8 k)) modulo p, the same on both sides.
/// The edges are walked flat in chunks: each chunk's row starts are marked first, then the
/// checks run as branch-free (vectorisable) loops over the chunk, then the factors are computed
/// while the chunk is in cache, eight consecutive edges feeding the eight lanes of `prod` (the
/// rank k is tracked only in chunks that hold parallel copies). With `pager` (a streamed map),
/// the walked edges are released every release_edges edges.
template <bool Out, bool Probs>
int fingerprint_rows(const RowSide& s, vertex_t lo, vertex_t hi, const EdgeKeys& keys, Product& prod, int side_bad,
                     FingerprintScratch& scratch, const FileMap* pager) {
  if (!offsets_fine(s.off, lo, hi, s.m)) return side_bad;
  const std::uint64_t r4 = keys.r4, a1 = keys.a1, a2 = keys.a2;
  const std::array<std::uint64_t, 8> a2_small = keys.a2_small;
  const auto n = static_cast<vertex_t>(s.n);  // n <= max_vertices < 2^32
  const edge_t* off = s.off;
  const vertex_t* idx = s.idx;
  const auto* bits = reinterpret_cast<const std::uint32_t*>(s.pr);
  std::uint32_t* starts = scratch.starts.data();  // all zero between chunks
  const std::uint64_t* a1_row = scratch.a1_row.data();
  if (!Out)
    for (vertex_t v = lo; v < hi; ++v) scratch.a1_row[v - lo] = mul_small(a1, v);
  // The factor of an edge: `row` is u (out-rows) or v (in-rows), x the other end.
  auto factor = [&](std::uint64_t row, vertex_t x, std::uint32_t b, std::uint64_t a2_c2) {
    const std::uint64_t sub = (Out ? row + mul_small(a1, x) : x + a1_row[row - lo]) +
                              (std::uint64_t{b & 0x1FFFFFFFu} << 32) + a2_c2;
    return r4 - sub;
  };
  const edge_t first = off[lo], end = off[hi];
  std::uint64_t row = std::uint64_t{lo} - 1, k = 0;
  unsigned bad = 0, prob_bad = 0;
  std::array<std::uint64_t, fingerprint_lanes> lane = prod.lane;
  vertex_t next_row = lo;
  edge_t passed = first;  // a streamed map: edges [first, passed) released
  for (edge_t c0 = first; c0 < end; c0 += fingerprint_chunk) {
    const edge_t c1 = std::min<edge_t>(end, c0 + fingerprint_chunk);
    if (pager != nullptr && c0 - passed >= release_edges) {  // rows of hubs: release as they go
      pager->release_inside(idx + passed, (c0 - passed) * sizeof(vertex_t));
      if (Probs) pager->release_inside(s.pr + passed, (c0 - passed) * sizeof(prob_t));
      passed = c0;
    }
    for (; next_row < hi && off[next_row] < c1; ++next_row) ++starts[off[next_row] - c0];
    const auto len = static_cast<std::size_t>(c1 - c0);
    const vertex_t* x = idx + c0;
    const std::uint32_t* pb = Probs ? bits + c0 : nullptr;
    // Checks: indices below n; inside a row, no descent (sorted); parallel copies seen.
    unsigned dup = 0;
    if (c0 > first && starts[0] == 0) {
      bad |= x[0] < x[-1] ? 1u : 0u;
      dup |= x[0] == x[-1] ? 1u : 0u;
    }
    unsigned big = x[0] >= n ? 1u : 0u, descent = 0, same = 0;
    for (std::size_t i = 1; i < len; ++i) {
      const unsigned in_row = starts[i] == 0 ? 1u : 0u;
      big |= x[i] >= n ? 1u : 0u;
      descent |= in_row & (x[i] < x[i - 1] ? 1u : 0u);
      same |= in_row & (x[i] == x[i - 1] ? 1u : 0u);
    }
    bad |= big | descent;
    dup |= same;
    if (Probs)
      for (std::size_t i = 0; i < len; ++i) prob_bad |= prob_bits_bad(pb[i]) ? 1u : 0u;
    std::size_t i = 0;
    if (dup == 0) [[likely]] {
      for (; i + fingerprint_lanes <= len; i += fingerprint_lanes)
#pragma GCC unroll 8
        for (std::size_t l = 0; l < fingerprint_lanes; ++l) {
          row += starts[i + l];
          starts[i + l] = 0;
          const std::uint32_t b = Probs ? pb[i + l] : 0u;
          lane[l] = mul_mod(lane[l], factor(row, x[i + l], b, a2_small[b >> 29]));
        }
      for (std::size_t l = 0; i < len; ++i, ++l) {
        row += starts[i];
        starts[i] = 0;
        const std::uint32_t b = Probs ? pb[i] : 0u;
        lane[l] = mul_mod(lane[l], factor(row, x[i], b, a2_small[b >> 29]));
      }
      k = 0;  // no copies in this chunk: the last edge has rank 0
    } else {
      // Parallel copies: the rank k among the copies of one edge enters the factor (k carries
      // over from the previous chunk when this one starts inside a row).
      for (std::size_t l = 0; i < len; ++i, l = (l + 1) % fingerprint_lanes) {
        const bool copy = starts[i] == 0 && (i > 0 ? x[i] == x[i - 1] : c0 > first && x[0] == x[-1]);
        k = copy ? k + 1 : 0;
        row += starts[i];
        starts[i] = 0;
        const std::uint32_t b = Probs ? pb[i] : 0u;
        const std::uint64_t c2 = (b >> 29) | (k << 3);
        lane[l] = mul_mod(lane[l], factor(row, x[i], b, c2 < 8 ? a2_small[c2] : mul_mod(a2, c2)));
      }
    }
  }
  prod.lane = lane;
  if (bad) return side_bad;
  return prob_bad ? bad_prob : 0;
}

/// Checks the whole structure in O(n + m), so that a file with a valid checksum but a faulty
/// or crafted content cannot break the class invariants every algorithm relies on: offsets start
/// at 0, rise monotonically and end at m; row entries are < n and sorted; account ids strictly
/// increase; probabilities lie in [0, 1]; the in-rows are exactly the transpose of the out-rows
/// and the in-order probabilities equal the out-order ones edge for edge. All of it is one pass
/// over vertex blocks in parallel, reading each array once in order: the transpose is checked as
/// an equality of multisets of edges (u, v, k, p), k = rank among parallel copies of u -> v (equal
/// multisets of these, with both sides' rows sorted, is exactly "in-rows = transpose, parallel
/// copies in order"), by comparing prod (r - x_e) modulo 2^61 - 1 over the out- and the in-edges,
/// x_e = c0 + a1 v + a2 c2 the edge's encoding, at a random point (r, a1, a2) drawn at each load
/// (Schwartz-Zippel: unequal multisets pass with probability at most m / 2^61). The products are
/// kept in fingerprint_lanes independent chains; the value compared does not depend on how the
/// edges are split into lanes, blocks or threads. When the products differ, the exact cursor
/// walk of check_transpose names the first failing edge. With `pager` (a streamed map holding
/// the arrays), each vertex block releases the pages wholly inside what it has read once it is
/// verified, so the pass holds about the blocks in flight, not the arrays.
void check_structure(const std::string& path, const GraphTopology& t, std::uint64_t n, const ConstArray<prob_t>& out_p,
                     const ConstArray<prob_t>& in_p, int threads, const FileMap* pager = nullptr) {
  const auto m = static_cast<edge_t>(t.out_targets.size());
  if (t.out_offsets.front() != 0 || t.out_offsets.back() != m || t.in_offsets.front() != 0 || t.in_offsets.back() != m)
    bad_structure(path, "offsets do not span the edges");
  const bool probs = !out_p.empty();
  const EdgeKeys keys;
  constexpr std::size_t block = 1 << 14;
  const std::size_t blocks = (n + block - 1) / block;
  struct Part {
    std::uint64_t out = 1, in = 1;
    int errors = 0;
  };
  std::vector<Part> parts(blocks);
  const RowSide out_side{t.out_offsets.data(), t.out_targets.data(), probs ? out_p.data() : nullptr, n, m};
  const RowSide in_side{t.in_offsets.data(), t.in_sources.data(), probs ? in_p.data() : nullptr, n, m};
  // A streamed map: once every block below block w is verified, the pages below block w's rows
  // in each section are released (a watermark: the blocks finish out of order, and a fault maps
  // the page-cache pages around the faulting address, so a block also maps pages of its
  // neighbours; each release reaches back 2 MiB over what the last one released).
  struct Sweep {
    std::mutex mutex;
    std::vector<char> finished;
    std::size_t w = 0;        ///< lowest unfinished block
    bool clean = true;        ///< every block below w passed (its offsets can be trusted)
    std::array<std::uint64_t, 5> upto{};  ///< bytes of each section released up to
  } sweep;
  if (pager != nullptr) sweep.finished.assign(blocks, 0);
  auto sweep_to = [&](std::size_t w) {  // sweep.mutex held
    const std::size_t v = std::min<std::size_t>(n, w * block);
    const unsigned char* base[5] = {reinterpret_cast<const unsigned char*>(t.out_offsets.data()),
                                    reinterpret_cast<const unsigned char*>(t.in_offsets.data()),
                                    reinterpret_cast<const unsigned char*>(t.accounts.data()),
                                    reinterpret_cast<const unsigned char*>(t.out_targets.data()),
                                    reinterpret_cast<const unsigned char*>(t.in_sources.data())};
    std::uint64_t to[5] = {v * sizeof(edge_t), v * sizeof(edge_t), (v ? v - 1 : 0) * sizeof(account_t), 0, 0};
    if (sweep.clean) {
      to[3] = t.out_offsets[v] * sizeof(vertex_t);
      to[4] = t.in_offsets[v] * sizeof(vertex_t);
    }
    constexpr std::uint64_t back = std::uint64_t{2} << 20;
    for (int s = 0; s < 5; ++s) {
      if (to[s] <= sweep.upto[s]) continue;
      const std::uint64_t from = sweep.upto[s] > back ? sweep.upto[s] - back : 0;
      pager->release_inside(base[s] + from, to[s] - from);
      if (s >= 3 && probs) {
        const prob_t* pr = s == 3 ? out_p.data() : in_p.data();
        pager->release_inside(reinterpret_cast<const unsigned char*>(pr) + from, to[s] - from);
      }
      sweep.upto[s] = to[s];
    }
  };
  struct {
    Sweep& s;
    decltype(sweep_to)& to;
    void done(std::size_t b, bool fine) {
      std::lock_guard<std::mutex> lock(s.mutex);
      s.finished[b] = fine ? 1 : 2;
      const std::size_t w0 = s.w;
      for (; s.w < s.finished.size() && s.finished[s.w] != 0; ++s.w)
        if (s.finished[s.w] != 1) s.clean = false;
      if (s.w > w0) to(s.w);
    }
  } sweep_done{sweep, sweep_to};
  parallel_for(0, blocks, threads, [&](std::size_t b) {
    const auto lo = static_cast<vertex_t>(b * block), hi = static_cast<vertex_t>(std::min<std::size_t>(n, (b + 1) * block));
    Part& part = parts[b];
    Product po, pi;
    FingerprintScratch scratch(block);
    int errors = probs ? fingerprint_rows<true, true>(out_side, lo, hi, keys, po, bad_out, scratch, pager)
                       : fingerprint_rows<true, false>(out_side, lo, hi, keys, po, bad_out, scratch, pager);
    if (!(errors & bad_out))
      errors |= probs ? fingerprint_rows<false, true>(in_side, lo, hi, keys, pi, bad_in, scratch, pager)
                      : fingerprint_rows<false, false>(in_side, lo, hi, keys, pi, bad_in, scratch, pager);
    part.out = po.value();
    part.in = pi.value();
    bool accounts_bad = false;
    for (std::size_t v = std::max<std::size_t>(lo, 1); v < hi; ++v) accounts_bad |= t.accounts[v] <= t.accounts[v - 1];
    part.errors = errors | (accounts_bad ? bad_accounts : 0);
    if (pager != nullptr) {
      // The pages inside what this block read (the rows of a side whose offsets were found
      // monotone and within m), then the watermark; FileMap clamps to the map whatever the range.
      auto drop = [&](const auto* p, std::size_t from, std::size_t to) {
        pager->release_inside(p + from, (to - from) * sizeof(*p));
      };
      if (!(errors & bad_out)) {
        drop(t.out_targets.data(), t.out_offsets[lo], t.out_offsets[hi]);
        if (probs) drop(out_p.data(), t.out_offsets[lo], t.out_offsets[hi]);
      }
      if (!(errors & (bad_out | bad_in))) {
        drop(t.in_sources.data(), t.in_offsets[lo], t.in_offsets[hi]);
        if (probs) drop(in_p.data(), t.in_offsets[lo], t.in_offsets[hi]);
      }
      drop(t.out_offsets.data(), lo, hi + std::size_t{1});
      drop(t.in_offsets.data(), lo, hi + std::size_t{1});
      drop(t.accounts.data(), lo, hi);
      sweep_done.done(b, (part.errors & (bad_out | bad_in)) == 0);
    }
  }, 1);
  int errors = 0;
  std::uint64_t out = 1, in = 1;
  for (const Part& part : parts) {
    errors |= part.errors;
    out = mul_mod(out, part.out);
    in = mul_mod(in, part.in);
  }
  if (errors & bad_out) bad_structure(path, "out-rows are not monotone, sorted and within [0, n)");
  if (errors & bad_in) bad_structure(path, "in-rows are not monotone, sorted and within [0, n)");
  if (errors & bad_accounts) bad_structure(path, "account ids are not strictly increasing");
  if (reduce(out) != reduce(in)) {
    check_transpose(path, t, n, out_p, in_p, threads);
    bad_structure(path, "the in-rows are not the transpose of the out-rows");
  }
  if (errors & bad_prob)
    for (edge_t e = 0; e < m; ++e)
      if (!(out_p[e] >= 0.0f && out_p[e] <= 1.0f && in_p[e] >= 0.0f && in_p[e] <= 1.0f))
        bad_structure(path, detail::concat("edge probability must be in [0, 1] (edge ", e, ")"));
}

/// True when a regular file has a hole (bytes never written, read as zeros) covering two whole
/// 8-byte slots of [begin, end): the account table cannot be strictly increasing there. A sparse
/// file claiming a huge graph is refused by this before anything is allocated.
bool has_hole(int fd, std::uint64_t begin, std::uint64_t end, std::uint64_t file_size) {
  std::uint64_t at = begin;
  while (at + 24 <= end) {
    const off_t hole = ::lseek(fd, static_cast<off_t>(at), SEEK_HOLE);
    if (hole < 0) return false;  // SEEK_HOLE unsupported: no information
    const auto h = static_cast<std::uint64_t>(hole);
    if (h >= end || h >= file_size) return false;
    const off_t data = ::lseek(fd, hole, SEEK_DATA);
    const std::uint64_t d = data < 0 ? file_size : static_cast<std::uint64_t>(data);  // ENXIO: hole to the end
    if (std::min(d, end) - std::max(h, begin) >= 24) return true;
    at = d;
  }
  return false;
}

/// Checks the header against the file size (before anything is allocated); returns the file's
/// layout. `fd` >= 0 is a regular file's descriptor (for the hole check).
Layout check_header(const Header& h, std::uint64_t size, int fd, const std::string& path) {
  if (h.magic != magic) throw ParseError(path, 0, "not a kolsim snapshot (wrong magic bytes)");
  if (size < sizeof h)
    throw ParseError(path, 0, detail::concat("snapshot is truncated (", size, " bytes, smaller than the header)"));
  if (h.bom != byte_order_mark) throw ParseError(path, 0, "snapshot has the wrong byte order or a corrupt header");
  if (h.version < 1 || h.version > snapshot_format_version)
    throw ParseError(path, 0, detail::concat("unsupported snapshot format version ", h.version,
                                             " (this build reads versions 1 to ", snapshot_format_version, ")"));
  // Version 3 adds the implicit kinds: at most one of the three probability flags, and
  // reserved0 (the constant's bits) only with flag_constant.
  const std::uint32_t known = h.version >= 3 ? flag_probs | flag_weighted_cascade | flag_constant : flag_probs;
  const std::uint32_t kinds = h.flags & known;
  const bool constant = (h.flags & flag_constant) != 0;
  if ((h.flags & ~known) != 0 || (kinds & (kinds - 1)) != 0 || h.header_bytes != header_size ||
      (h.version >= 2 && ((h.reserved0 != 0 && !constant) || h.reserved1 != 0)))
    throw ParseError(path, 0, detail::concat("snapshot header is corrupt (flags ", h.flags, ")"));
  if (constant) {
    const auto p = std::bit_cast<prob_t>(h.reserved0);
    if (!(p >= 0.0f && p <= 1.0f))
      throw ParseError(path, 0, detail::concat("snapshot header is corrupt (constant probability ", p, ")"));
  }
  const bool probs = (h.flags & flag_probs) != 0;
  const Layout l = layout_of(h.version, h.n, h.m, probs);
  const std::uint64_t want = l.file_bytes;
  if (want == 0 || want != h.file_bytes)
    throw ParseError(path, 0, detail::concat("snapshot header is corrupt (n = ", h.n, ", m = ", h.m, ")"));
  if (size < want)
    throw ParseError(path, 0, detail::concat("snapshot is truncated (", size, " bytes, expected ", want, ")"));
  if (size > want)
    throw ParseError(path, 0, detail::concat("snapshot has ", size - want, " unexpected bytes after its end"));
  // The file is as large as the header says; a sparse one may still claim a huge graph.
  const std::uint64_t accounts_begin = l.at[accounts_s];
  if (fd >= 0 && h.n >= 2 && has_hole(fd, accounts_begin, accounts_begin + h.n * sizeof(account_t), size))
    throw ParseError(path, 0, detail::concat("snapshot is corrupt: its account table (n = ", h.n,
                                             ") has a hole (a sparse file), so its ids cannot be strictly increasing"));
  return l;
}

/// Version 2: zero bytes between the sections (they are hashed, but a crafted file could fix the hash).
void check_padding(const unsigned char* data, const Layout& l, const std::string& path) {
  std::uint64_t end = header_size;
  for (int s = 0; s <= l.sections; ++s) {
    const std::uint64_t next = s < l.sections ? l.at[static_cast<std::size_t>(s)] : l.checksum_at;
    for (std::uint64_t i = end; i < next; ++i)
      if (data[i] != 0) bad_structure(path, "the padding between arrays is not zero");
    if (s < l.sections) end = next + l.bytes[static_cast<std::size_t>(s)];
  }
}

/// Bytes the load of a snapshot with header `h` holds at its peak, for require_memory. Copied
/// or populated (small files, MAP_POPULATE): the whole file is in memory at once. Streamed
/// (large mapped files): the passes keep only the pages of the blocks in flight (a 1 MiB hash
/// block, or one vertex block's rows of each section: 64 MiB per thread covers rows of millions
/// of edges) plus the check's scratch (24 bytes per 16384 vertices, 136 KiB per thread) and 8
/// bytes per MiB of block hashes. The graph's later readers fault in the pages they touch (RR
/// sampling one side of the CSR); those are clean file pages, which the kernel can drop and read
/// back under memory pressure, and FollowerGraph::release_mapped_pages() drops them at once.
double load_bytes(const Header& h, bool streamed, int threads) {
  const auto file = static_cast<double>(h.file_bytes);
  if (!streamed) return file;
  const double t = std::max(threads, 1);
  const double scratch = static_cast<double>(h.n) / 16384.0 * 24.0 + t * 136.0 * 1024.0 + file / 1048576.0 * 8.0;
  return std::min(file, t * 64.0 * 1048576.0) + scratch;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// Loads a snapshot from its `size` bytes at `data`: a map of the file kept alive by `map`
/// (version 2: the graph's arrays view the map in place) or a buffer that dies after the load
/// (`map` null: the arrays are copied out). `fd` >= 0 is a regular file's descriptor (for the
/// hole check).
FollowerGraph load_from(const unsigned char* data, std::uint64_t size, int fd, const std::string& path, int threads,
                        const std::shared_ptr<const FileMap>& map, SnapshotReport* report) {
  auto t0 = std::chrono::steady_clock::now();
  Header h{};
  if (size < magic.size()) throw ParseError(path, 0, detail::concat("not a kolsim snapshot (only ", size, " bytes)"));
  std::memcpy(&h, data, std::min<std::uint64_t>(size, sizeof h));
  const Layout l = check_header(h, size, fd, path);
  const bool probs = l.sections == 7;
  const bool in_place = map != nullptr && h.version >= 2;
  // A streamed map: the passes release the pages they have verified.
  const FileMap* pager = in_place && map->streamed() ? map.get() : nullptr;
  require_memory(detail::concat("loading snapshot '", path, "' (n = ", h.n, ", m = ", h.m, ")"),
                 load_bytes(h, pager != nullptr, threads));

  const auto n = static_cast<std::size_t>(h.n);
  const auto m = static_cast<std::size_t>(h.m);
  const std::size_t counts[7] = {n + 1, m, n + 1, m, n, m, m};
  auto topo = std::make_shared<GraphTopology>();
  auto& t = *topo;
  ConstArray<prob_t> out_p, in_p;
  std::uint64_t stored = 0, computed = 0;
  std::memcpy(&stored, data + l.checksum_at, sizeof stored);
  if (h.version == 1) {
    // Version 1: unaligned sections, each hashed as it is copied out.
    Checksum sum(1, threads);
    sum.add_bytes(&h, sizeof h);
    auto read = [&]<class T>(ConstArray<T>& a, Section s) {
      std::vector<T> v(counts[s]);
      sum.add_hash(copy_and_hash(v.data(), data + l.at[s], l.bytes[s], threads));
      a = std::move(v);
    };
    read(t.out_offsets, out_offsets_s);
    read(t.out_targets, out_targets_s);
    read(t.in_offsets, in_offsets_s);
    read(t.in_sources, in_sources_s);
    read(t.accounts, accounts_s);
    if (probs) {
      read(out_p, out_probs_s);
      read(in_p, in_probs_s);
    }
    computed = sum.value();
  } else {
    computed = pager ? streamed_hash(*pager, l.checksum_at, threads) : section_hash(data, l.checksum_at, threads);
  }
  if (computed != stored)
    throw ParseError(path, 0, detail::concat("snapshot checksum mismatch (stored ", std::hex, stored, ", computed ",
                                             computed, "): the file is corrupt"));
  const double checksum_seconds = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  if (h.version >= 2) {
    check_padding(data, l, path);
    auto take = [&]<class T>(ConstArray<T>& a, Section s) {
      const unsigned char* p = data + l.at[s];
      if (in_place)
        a = ConstArray<T>::mapped(map, reinterpret_cast<const T*>(p), counts[s]);
      else
        a = copy_array<T>(p, counts[s], threads);
    };
    take(t.out_offsets, out_offsets_s);
    take(t.out_targets, out_targets_s);
    take(t.in_offsets, in_offsets_s);
    take(t.in_sources, in_sources_s);
    take(t.accounts, accounts_s);
    if (probs) {
      take(out_p, out_probs_s);
      take(in_p, in_probs_s);
    }
  }

  // Structure (a matching checksum rules out accidental corruption, not a faulty or crafted file).
  check_structure(path, t, n, out_p, in_p, threads, pager);
  // Pages a block shared with its neighbours, the header and the padding: the streamed load
  // ends holding none of the file.
  if (pager) pager->release(data, size);
  if (report) {
    report->version = h.version;
    report->mapped = in_place;
    report->streamed = pager != nullptr;
    report->file_bytes = size;
    report->checksum_seconds = checksum_seconds;
    report->check_seconds = seconds_since(t0);
  }
  if (h.flags & flag_weighted_cascade)
    return FollowerGraph(std::move(topo)).with_implicit_probabilities(ProbabilityKind::weighted_cascade);
  if (h.flags & flag_constant)
    return FollowerGraph(std::move(topo))
        .with_implicit_probabilities(ProbabilityKind::constant, std::bit_cast<prob_t>(h.reserved0));
  if (!probs) return FollowerGraph(std::move(topo));
  return FollowerGraph(probabilities_checked, std::move(topo), std::move(out_p), std::move(in_p));
}

/// The bytes of a file being written, as pieces in order (header, arrays, zero padding).
struct Pieces {
  std::vector<const unsigned char*> data;
  std::vector<std::uint64_t> start{0};  ///< start of each piece, then the total
  void add(const void* p, std::uint64_t n) {
    if (n == 0) return;
    data.push_back(static_cast<const unsigned char*>(p));
    start.push_back(start.back() + n);
  }
  std::uint64_t size() const { return start.back(); }
};

/// section_hash() of the concatenated pieces: each 1 MiB block hashed in place when it lies in
/// one piece, else gathered first.
std::uint64_t pieces_hash(const Pieces& ps, int threads) {
  const std::uint64_t len = ps.size();
  const std::size_t blocks = std::max<std::size_t>(1, (len + block_bytes - 1) / block_bytes);
  std::vector<std::uint64_t> hs(blocks);
  parallel_for(0, blocks, threads, [&](std::size_t b) {
    const std::uint64_t off = b * block_bytes, size = std::min<std::uint64_t>(block_bytes, len - std::min(len, off));
    auto i = static_cast<std::size_t>(std::upper_bound(ps.start.begin(), ps.start.end(), off) - ps.start.begin()) - 1;
    if (size == 0 || (i < ps.data.size() && off + size <= ps.start[i + 1])) {
      hs[b] = block_hash(size ? ps.data[i] + (off - ps.start[i]) : nullptr, size, b);
      return;
    }
    std::vector<unsigned char> buf(size);
    for (std::uint64_t at = off; at < off + size; ++i) {
      const std::uint64_t to = std::min(off + size, ps.start[i + 1]);
      std::memcpy(buf.data() + (at - off), ps.data[i] + (at - ps.start[i]), to - at);
      at = to;
    }
    hs[b] = block_hash(buf.data(), size, b);
  }, 1, 4);
  return combine_blocks(len, hs);
}

/// section_hash() of an implicit graph's out-order probabilities, computed 1 MiB block by block
/// (never the whole array): equal to the hash of the explicit array holding the same values.
std::uint64_t implicit_probs_hash(const FollowerGraph& g, int threads) {
  const edge_t m = g.num_edges();
  const std::uint64_t len = m * sizeof(prob_t);
  constexpr edge_t per_block = block_bytes / sizeof(prob_t);
  const std::size_t blocks = std::max<std::size_t>(1, (len + block_bytes - 1) / block_bytes);
  const auto tgt = g.out_targets();
  std::vector<std::uint64_t> hs(blocks);
  parallel_for(0, blocks, threads, [&](std::size_t b) {
    const edge_t lo = std::min<edge_t>(m, b * per_block), hi = std::min<edge_t>(m, lo + per_block);
    std::vector<prob_t> buf(hi - lo);
    for (edge_t e = lo; e < hi; ++e) buf[e - lo] = g.out_edge_prob(e, tgt[e]);
    hs[b] = block_hash(reinterpret_cast<const unsigned char*>(buf.data()), buf.size() * sizeof(prob_t), b);
  }, 1, 4);
  return combine_blocks(len, hs);
}

}  // namespace

void save_snapshot(const FollowerGraph& graph, const std::string& path, int threads) {
  const int t = resolve_threads(threads);
  // Implicit probabilities are a header flag (version 3), never arrays in the file.
  const ProbabilityKind kind = graph.probability_kind();
  const bool implicit = graph.implicit_probabilities();
  const bool probs = graph.has_probabilities() && !implicit;
  Header h{};
  h.magic = magic;
  h.version = implicit ? snapshot_format_version : explicit_format_version;
  h.flags = probs ? flag_probs : 0u;
  if (implicit) h.flags = kind == ProbabilityKind::weighted_cascade ? flag_weighted_cascade : flag_constant;
  if (implicit && kind == ProbabilityKind::constant)
    h.reserved0 = std::bit_cast<std::uint32_t>(graph.constant_probability_value());
  h.n = graph.num_vertices();
  h.m = graph.num_edges();
  h.header_bytes = header_size;
  h.bom = byte_order_mark;
  const Layout l = layout_of(h.version, h.n, h.m, probs);
  h.file_bytes = l.file_bytes;
  static constexpr unsigned char zeros[section_alignment] = {};
  Pieces ps;
  ps.add(&h, sizeof h);
  const void* arrays[7] = {graph.out_offsets().data(), graph.out_targets().data(), graph.in_offsets().data(),
                           graph.in_sources().data(),  graph.accounts().data(),
                           probs ? graph.edge_probs().data() : nullptr, probs ? graph.in_edge_probs().data() : nullptr};
  for (int s = 0; s < l.sections; ++s) {
    ps.add(zeros, l.at[static_cast<std::size_t>(s)] - ps.size());
    ps.add(arrays[s], l.bytes[static_cast<std::size_t>(s)]);
  }
  ps.add(zeros, l.checksum_at - ps.size());
  const std::uint64_t c = pieces_hash(ps, t);
  AtomicFile f(path);
  for (std::size_t i = 0; i < ps.data.size(); ++i) f.write(ps.data[i], ps.start[i + 1] - ps.start[i]);
  f.write(&c, sizeof c);
  f.commit();
}

struct SnapshotWriter::State {
  AtomicFile file;
  Layout layout;
  std::uint64_t written = 0;   ///< bytes of the file so far
  int section = 0;             ///< section being written
  std::vector<unsigned char> block;
  std::vector<std::uint64_t> hashes;  ///< of the full 1 MiB blocks so far
  explicit State(const std::string& path) : file(path) { block.reserve(block_bytes); }

  /// Appends raw bytes to the file and to the hash.
  void put(const void* data, std::size_t bytes) {
    const auto* p = static_cast<const unsigned char*>(data);
    file.write(p, bytes);
    written += bytes;
    while (bytes) {
      const std::size_t take = std::min(bytes, block_bytes - block.size());
      block.insert(block.end(), p, p + take);
      p += take;
      bytes -= take;
      if (block.size() == block_bytes) {
        hashes.push_back(block_hash(block.data(), block.size(), hashes.size()));
        block.clear();
      }
    }
  }
  void zeros_to(std::uint64_t at) {
    static constexpr unsigned char zeros[section_alignment] = {};
    while (written < at) put(zeros, static_cast<std::size_t>(std::min<std::uint64_t>(at - written, sizeof zeros)));
  }
  /// Pads up to the next section that still wants bytes (sections of 0 bytes are skipped).
  void advance() {
    while (section < layout.sections && written == layout.at[section] + layout.bytes[section]) ++section;
    if (section < layout.sections) zeros_to(layout.at[section]);
  }
};

SnapshotWriter::SnapshotWriter(const std::string& path, std::uint64_t n, std::uint64_t m, bool probabilities,
                               ProbabilityKind kind, prob_t constant) {
  const bool implicit = probabilities && kind != ProbabilityKind::per_edge;
  const bool probs = probabilities && !implicit;
  KOLSIM_REQUIRE(!implicit || kind != ProbabilityKind::constant || (constant >= 0.0f && constant <= 1.0f),
                 "SnapshotWriter: constant probability must be in [0, 1], got ", constant);
  Header h{};
  h.magic = magic;
  h.version = implicit ? snapshot_format_version : explicit_format_version;
  h.flags = probs ? flag_probs : 0u;
  if (implicit) h.flags = kind == ProbabilityKind::weighted_cascade ? flag_weighted_cascade : flag_constant;
  if (implicit && kind == ProbabilityKind::constant) h.reserved0 = std::bit_cast<std::uint32_t>(constant);
  h.n = n;
  h.m = m;
  h.header_bytes = header_size;
  h.bom = byte_order_mark;
  const Layout l = layout_of(h.version, n, m, probs);
  KOLSIM_REQUIRE(l.file_bytes != 0, "SnapshotWriter: n = ", n, ", m = ", m, " is too large for a snapshot");
  h.file_bytes = l.file_bytes;
  s_ = std::make_unique<State>(path);
  s_->layout = l;
  s_->put(&h, sizeof h);
  s_->advance();
}

SnapshotWriter::~SnapshotWriter() = default;

void SnapshotWriter::write(const void* data, std::size_t bytes) {
  auto& s = *s_;
  const auto* p = static_cast<const unsigned char*>(data);
  while (bytes) {
    KOLSIM_REQUIRE(s.section < s.layout.sections, "SnapshotWriter: more bytes than the snapshot's sections hold");
    const std::uint64_t end = s.layout.at[s.section] + s.layout.bytes[s.section];
    const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(bytes, end - s.written));
    s.put(p, take);
    p += take;
    bytes -= take;
    s.advance();
  }
}

void SnapshotWriter::finish() {
  auto& s = *s_;
  s.advance();
  KOLSIM_REQUIRE(s.section == s.layout.sections, "SnapshotWriter: section ", s.section, " is incomplete (",
                 s.written, " bytes written)");
  s.zeros_to(s.layout.checksum_at);
  if (!s.block.empty() || s.hashes.empty()) s.hashes.push_back(block_hash(s.block.data(), s.block.size(), s.hashes.size()));
  const std::uint64_t c = combine_blocks(s.written, s.hashes);
  s.file.write(&c, sizeof c);
  s.file.commit();
}

FollowerGraph load_snapshot(const std::string& path, int threads, SnapshotReport* report) {
  const int t = resolve_threads(threads);
  if (report) *report = SnapshotReport{};
  if (!detail::is_regular_file(path)) {  // a pipe, a FIFO, standard input: read once, bounded
    struct stat st {};
    if (!detail::is_stdin_path(path) && ::stat(path.c_str(), &st) != 0) io_fail("cannot open", path, errno);
    if (!detail::is_stdin_path(path) && S_ISDIR(st.st_mode)) io_fail("cannot read", path, EISDIR);
    const detail::Bytes bytes = detail::read_all(path, {});
    return load_from(reinterpret_cast<const unsigned char*>(bytes.data.get()), bytes.size, -1, path, t, nullptr, report);
  }
  const auto t0 = std::chrono::steady_clock::now();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) io_fail("cannot open", path, errno);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) io_fail("cannot stat", path, errno);
  if (S_ISDIR(st.st_mode)) io_fail("cannot read", path, EISDIR);
  const auto size = static_cast<std::uint64_t>(st.st_size);
  // The header is checked (sizes, holes) before the file is mapped.
  Header h{};
  if (size < magic.size()) throw ParseError(path, 0, detail::concat("not a kolsim snapshot (only ", size, " bytes)"));
  const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(size, sizeof h));
  std::size_t got = 0;
  while (got < want) {
    const ssize_t r = ::pread(fd, reinterpret_cast<char*>(&h) + got, want - got, static_cast<off_t>(got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) io_fail("cannot read", path, errno);
    if (r == 0) throw ParseError(path, 0, "snapshot is truncated (file ended early)");
    got += static_cast<std::size_t>(r);
  }
  check_header(h, size, S_ISREG(st.st_mode) ? fd : -1, path);
  // Small files are read in at once (MAP_POPULATE); large ones used in place (version 2 and
  // later) are streamed: pages come in as the checks read them and go once verified.
  const bool streamed = h.version >= 2 && size >= detail::snapshot_stream_min_bytes;
  // Before the map (MAP_POPULATE reads the whole file into memory): see load_bytes.
  require_memory(detail::concat("loading snapshot '", path, "' (n = ", h.n, ", m = ", h.m, ")"),
                 load_bytes(h, streamed, t));
  const auto map = std::make_shared<const FileMap>(fd, static_cast<std::size_t>(size), path, !streamed);
  const double map_seconds = seconds_since(t0);
  FollowerGraph g = load_from(map->data(), size, -1, path, t, map, report);
  if (report) report->map_seconds = map_seconds;
  return g;
}

namespace detail {

bool has_snapshot_magic(const char* data, std::size_t size) {
  return size >= magic.size() && std::memcmp(data, magic.data(), magic.size()) == 0;
}

FollowerGraph load_snapshot_bytes(const Bytes& bytes, const std::string& path, int threads) {
  return load_from(reinterpret_cast<const unsigned char*>(bytes.data.get()), bytes.size, -1, path, threads, nullptr,
                   nullptr);
}

}  // namespace detail

std::uint64_t graph_checksum(const FollowerGraph& graph, int threads) {
  Checksum sum(2, resolve_threads(threads));
  const std::uint64_t desc[3] = {graph.num_vertices(), graph.num_edges(), graph.has_probabilities() ? 1u : 0u};
  sum.add_bytes(desc, sizeof desc);
  sum.add(graph.out_offsets());
  sum.add(graph.out_targets());
  sum.add(graph.accounts());
  if (graph.implicit_probabilities())
    sum.add_hash(implicit_probs_hash(graph, resolve_threads(threads)));
  else if (graph.has_probabilities())
    sum.add(graph.edge_probs());
  return sum.value();
}

}  // namespace kolsim
