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

/// Hash of one byte range: fixed 1 MiB blocks hashed in parallel, combined in block order, so
/// the value never depends on the thread count.
std::uint64_t section_hash(const void* data, std::size_t len, int threads) {
  const auto* p = static_cast<const unsigned char*>(data);
  const std::size_t blocks = std::max<std::size_t>(1, (len + block_bytes - 1) / block_bytes);
  std::vector<std::uint64_t> hs(blocks);
  parallel_for(0, blocks, threads, [&](std::size_t b) {
    const std::size_t off = b * block_bytes;
    hs[b] = block_hash(p + off, std::min(block_bytes, len - std::min(len, off)), b);
  }, 1, 4);
  std::uint64_t h = P5 ^ len;
  for (auto x : hs) h = mix_round(h, x);
  return avalanche(h);
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

/// Expected file size for (n, m, probs); 0 when it would overflow.
std::uint64_t expected_size(std::uint64_t n, std::uint64_t m, bool probs) {
  if (n > max_vertices || m > (std::uint64_t{1} << 48)) return 0;
  std::uint64_t s = header_size + 2 * (n + 1) * sizeof(edge_t) + 2 * m * sizeof(vertex_t) + n * sizeof(account_t) + 8;
  if (probs) s += 2 * m * sizeof(prob_t);
  return s;
}

[[noreturn]] void io_fail(const std::string& what, const std::string& path, int err) {
  throw IoError(detail::concat(what, " '", path, "': ", std::system_category().message(err)));
}

/// Copies `len` bytes to `dst` and returns their section_hash(): the same fixed 1 MiB blocks,
/// each copied and then hashed while it is still in cache, in parallel.
std::uint64_t copy_and_hash(void* dst, const unsigned char* src, std::size_t len, int threads) {
  auto* out = static_cast<unsigned char*>(dst);
  const std::size_t blocks = std::max<std::size_t>(1, (len + block_bytes - 1) / block_bytes);
  std::vector<std::uint64_t> hs(blocks);
  parallel_for(0, blocks, threads, [&](std::size_t b) {
    const std::size_t off = b * block_bytes, size = std::min(block_bytes, len - std::min(len, off));
    if (size) std::memcpy(out + off, src + off, size);
    hs[b] = block_hash(src + off, size, b);
  }, 1, 4);
  std::uint64_t h = P5 ^ len;
  for (auto x : hs) h = mix_round(h, x);
  return avalanche(h);
}

/// The snapshot's bytes in memory (a read-only map of the file, or a buffer): arrays are copied
/// out of it in order, each hashed on the way.
class Source {
 public:
  Source(const unsigned char* data, std::size_t size, std::string path, int threads)
      : data_(data), size_(size), path_(std::move(path)), threads_(threads) {}
  const unsigned char* take(std::size_t n) {
    if (n > size_ - pos_) throw ParseError(path_, 0, "snapshot is truncated (file ended early)");
    const unsigned char* p = data_ + pos_;
    pos_ += n;
    return p;
  }
  /// Fills v with `count` elements; returns their section hash.
  template <class T>
  std::uint64_t read_into(ConstArray<T>& a, std::size_t count) {
    const unsigned char* p = take(count * sizeof(T));
    std::vector<T> v(count);
    const std::uint64_t h = copy_and_hash(v.data(), p, count * sizeof(T), threads_);
    a = std::move(v);
    return h;
  }

 private:
  const unsigned char* data_;
  std::size_t size_, pos_ = 0;
  std::string path_;
  int threads_;
};

/// A read-only private map of a whole regular file, unmapped on destruction.
class FileMap {
 public:
  FileMap(int fd, std::size_t size, const std::string& path) : size_(size) {
    if (size_ == 0) return;
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (p == MAP_FAILED) io_fail("cannot map", path, errno);
    data_ = static_cast<const unsigned char*>(p);
    ::madvise(p, size_, MADV_SEQUENTIAL);
  }
  FileMap(const FileMap&) = delete;
  FileMap& operator=(const FileMap&) = delete;
  ~FileMap() {
    if (data_) ::munmap(const_cast<unsigned char*>(data_), size_);
  }
  const unsigned char* data() const noexcept { return data_; }

 private:
  const unsigned char* data_ = nullptr;
  std::size_t size_;
};

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
/// which is the serial walk's first failure for any thread count.
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
  const prob_t* in_prob = in_p.data();
  parallel_for(0, static_cast<std::size_t>(ranges), threads, [&](std::size_t r) {
    const vertex_t lo = first[r], hi = first[r + 1];
    // Each edge touches four random places (cursor, row end, source, probability): they are
    // prefetched in two stages, the cursor `ahead` edges early, what it points to half as early.
    constexpr edge_t ahead = 64;
    for (edge_t e = 0; e < std::min(m, ahead); ++e)
      if (tgt[e] >= lo && tgt[e] < hi) __builtin_prefetch(cursor.data() + tgt[e]);
    for (vertex_t u = 0; u < n; ++u) {
      for (edge_t e = out_off[u]; e < out_off[u + 1]; ++e) {
        if (e + ahead < m) {
          const vertex_t w = tgt[e + ahead];
          if (w >= lo && w < hi) {
            __builtin_prefetch(cursor.data() + w);
            __builtin_prefetch(in_off + w + 1);
          }
        }
        if (e + ahead / 2 < m) {
          const vertex_t w = tgt[e + ahead / 2];
          if (w >= lo && w < hi) {
            const edge_t c = cursor[w];
            __builtin_prefetch(src + c);
            if (probs) __builtin_prefetch(in_prob + c);
          }
        }
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
  if (kind == fine) return;  // every in-row is full: its entries were all matched, both sides hold m edges
  const auto u = static_cast<vertex_t>(std::upper_bound(t.out_offsets.begin(), t.out_offsets.end(), e) - t.out_offsets.begin() - 1);
  const vertex_t v = tgt[e];
  if (kind == not_transpose)
    bad_structure(path, detail::concat("the in-rows are not the transpose of the out-rows (edge ", u, " -> ", v,
                                       " by vertex index)"));
  bad_structure(path, detail::concat("the in-order probability of edge ", u, " -> ", v,
                                     " (by vertex index) differs from its out-order probability"));
}

/// Checks the whole structure in O(n + m), so that a file with a valid checksum but a faulty
/// or crafted content cannot break the class invariants every algorithm relies on: offsets start
/// at 0, rise monotonically and end at m; row entries are < n and sorted; account ids strictly
/// increase (parallel over vertex blocks); the in-rows are exactly the transpose of the out-rows
/// (the same multiset of edges) and the in-order probabilities equal the out-order ones edge for
/// edge (one pass over the out-rows with a cursor per in-row).
void check_structure(const std::string& path, const GraphTopology& t, std::uint64_t n, const ConstArray<prob_t>& out_p,
                     const ConstArray<prob_t>& in_p, int threads) {
  const auto m = static_cast<edge_t>(t.out_targets.size());
  if (t.out_offsets.front() != 0 || t.out_offsets.back() != m || t.in_offsets.front() != 0 || t.in_offsets.back() != m)
    bad_structure(path, "offsets do not span the edges");
  enum : int { bad_out = 1, bad_in = 2, bad_accounts = 4 };
  std::atomic<int> errors{0};
  constexpr std::size_t block = 1 << 14;
  const std::size_t blocks = (n + block - 1) / block;
  auto rows_ok = [&](const ConstArray<edge_t>& off, const ConstArray<vertex_t>& idx, std::size_t lo_v, std::size_t hi_v) {
    for (std::size_t v = lo_v; v < hi_v; ++v) {
      const edge_t lo = off[v], hi = off[v + 1];
      if (hi < lo || hi > m) return false;
      vertex_t prev = 0;
      for (edge_t e = lo; e < hi; ++e) {
        const vertex_t x = idx[e];
        if (x >= n || x < prev) return false;
        prev = x;
      }
    }
    return true;
  };
  parallel_for(0, blocks, threads, [&](std::size_t b) {
    const std::size_t lo = b * block, hi = std::min<std::size_t>(n, lo + block);
    int e = 0;
    if (!rows_ok(t.out_offsets, t.out_targets, lo, hi)) e |= bad_out;
    if (!rows_ok(t.in_offsets, t.in_sources, lo, hi)) e |= bad_in;
    for (std::size_t v = std::max<std::size_t>(lo, 1); v < hi; ++v)
      if (t.accounts[v] <= t.accounts[v - 1]) e |= bad_accounts;
    if (e) errors.fetch_or(e, std::memory_order_relaxed);
  }, 1);
  const int e = errors.load();
  if (e & bad_out) bad_structure(path, "out-rows are not monotone, sorted and within [0, n)");
  if (e & bad_in) bad_structure(path, "in-rows are not monotone, sorted and within [0, n)");
  if (e & bad_accounts) bad_structure(path, "account ids are not strictly increasing");

  check_transpose(path, t, n, out_p, in_p, threads);
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

/// Checks the header against the file size (before anything is allocated); returns whether
/// probabilities are present. `fd` >= 0 is a regular file's descriptor (for the hole check).
bool check_header(const Header& h, std::uint64_t size, int fd, const std::string& path) {
  if (h.magic != magic) throw ParseError(path, 0, "not a kolsim snapshot (wrong magic bytes)");
  if (size < sizeof h)
    throw ParseError(path, 0, detail::concat("snapshot is truncated (", size, " bytes, smaller than the header)"));
  if (h.bom != byte_order_mark) throw ParseError(path, 0, "snapshot has the wrong byte order or a corrupt header");
  if (h.version != snapshot_format_version)
    throw ParseError(path, 0, detail::concat("unsupported snapshot format version ", h.version, " (this build reads version ",
                                             snapshot_format_version, ")"));
  if ((h.flags & ~flag_probs) != 0 || h.header_bytes != header_size)
    throw ParseError(path, 0, detail::concat("snapshot header is corrupt (flags ", h.flags, ")"));
  const bool probs = (h.flags & flag_probs) != 0;
  const std::uint64_t want = expected_size(h.n, h.m, probs);
  if (want == 0 || want != h.file_bytes)
    throw ParseError(path, 0, detail::concat("snapshot header is corrupt (n = ", h.n, ", m = ", h.m, ")"));
  if (size < want)
    throw ParseError(path, 0, detail::concat("snapshot is truncated (", size, " bytes, expected ", want, ")"));
  if (size > want)
    throw ParseError(path, 0, detail::concat("snapshot has ", size - want, " unexpected bytes after its end"));
  // The file is as large as the header says; a sparse one may still claim a huge graph.
  const std::uint64_t accounts_begin = header_size + 2 * (h.n + 1) * sizeof(edge_t) + 2 * h.m * sizeof(vertex_t);
  if (fd >= 0 && h.n >= 2 && has_hole(fd, accounts_begin, accounts_begin + h.n * sizeof(account_t), size))
    throw ParseError(path, 0, detail::concat("snapshot is corrupt: its account table (n = ", h.n,
                                             ") has a hole (a sparse file), so its ids cannot be strictly increasing"));
  return probs;
}

/// Loads a snapshot from its `size` bytes at `data` (a map of the file or a buffer); `fd` >= 0
/// is a regular file's descriptor (for the hole check). The arrays are copied out and hashed in
/// one parallel pass per array (the graph owns std::vectors, so it cannot point into the map).
FollowerGraph load_from(const unsigned char* data, std::uint64_t size, int fd, const std::string& path, int threads) {
  Header h{};
  if (size < magic.size()) throw ParseError(path, 0, detail::concat("not a kolsim snapshot (only ", size, " bytes)"));
  std::memcpy(&h, data, std::min<std::uint64_t>(size, sizeof h));
  const bool probs = check_header(h, size, fd, path);
  // The arrays, the check's cursor per vertex, and nothing else.
  require_memory(detail::concat("loading snapshot '", path, "' (n = ", h.n, ", m = ", h.m, ")"),
                 static_cast<double>(h.file_bytes) + static_cast<double>(h.n) * sizeof(edge_t));

  const auto n = static_cast<std::size_t>(h.n);
  const auto m = static_cast<std::size_t>(h.m);
  Source in(data, static_cast<std::size_t>(size), path, threads);
  in.take(sizeof h);
  auto topo = std::make_shared<GraphTopology>();
  auto& t = *topo;
  ConstArray<prob_t> out_p, in_p;
  Checksum sum(1, threads);
  sum.add_bytes(&h, sizeof h);
  sum.add_hash(in.read_into(t.out_offsets, n + 1));
  sum.add_hash(in.read_into(t.out_targets, m));
  sum.add_hash(in.read_into(t.in_offsets, n + 1));
  sum.add_hash(in.read_into(t.in_sources, m));
  sum.add_hash(in.read_into(t.accounts, n));
  if (probs) {
    sum.add_hash(in.read_into(out_p, m));
    sum.add_hash(in.read_into(in_p, m));
  }
  std::uint64_t stored = 0;
  std::memcpy(&stored, in.take(sizeof stored), sizeof stored);
  if (sum.value() != stored)
    throw ParseError(path, 0, detail::concat("snapshot checksum mismatch (stored ", std::hex, stored, ", computed ",
                                             sum.value(), "): the file is corrupt"));

  // Structure (a matching checksum rules out accidental corruption, not a faulty or crafted file).
  check_structure(path, t, n, out_p, in_p, threads);
  if (!probs) return FollowerGraph(std::move(topo));
  try {
    return FollowerGraph(std::move(topo), std::move(out_p), std::move(in_p));
  } catch (const std::invalid_argument& e) {
    bad_structure(path, e.what());
  }
}

}  // namespace

void save_snapshot(const FollowerGraph& graph, const std::string& path, int threads) {
  const bool probs = graph.has_probabilities();
  Header h{};
  h.magic = magic;
  h.version = snapshot_format_version;
  h.flags = probs ? flag_probs : 0u;
  h.n = graph.num_vertices();
  h.m = graph.num_edges();
  h.header_bytes = header_size;
  h.bom = byte_order_mark;
  h.file_bytes = expected_size(h.n, h.m, probs);
  Checksum sum(1, resolve_threads(threads));
  sum.add_bytes(&h, sizeof h);
  AtomicFile f(path);
  f.write(&h, sizeof h);
  auto put = [&](auto span) {
    sum.add(span);
    f.write(span.data(), span.size_bytes());
  };
  put(graph.out_offsets());
  put(graph.out_targets());
  put(graph.in_offsets());
  put(graph.in_sources());
  put(graph.accounts());
  if (probs) {
    put(graph.edge_probs());
    put(graph.in_edge_probs());
  }
  const std::uint64_t c = sum.value();
  f.write(&c, sizeof c);
  f.commit();
}

FollowerGraph load_snapshot(const std::string& path, int threads) {
  const int t = resolve_threads(threads);
  if (!detail::is_regular_file(path)) {  // a pipe, a FIFO, standard input: read once, bounded
    struct stat st {};
    if (!detail::is_stdin_path(path) && ::stat(path.c_str(), &st) != 0) io_fail("cannot open", path, errno);
    if (!detail::is_stdin_path(path) && S_ISDIR(st.st_mode)) io_fail("cannot read", path, EISDIR);
    return detail::load_snapshot_bytes(detail::read_all(path, {}), path, t);
  }
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
  const FileMap map(fd, static_cast<std::size_t>(size), path);
  return load_from(map.data(), size, -1, path, t);
}

namespace detail {

bool has_snapshot_magic(const char* data, std::size_t size) {
  return size >= magic.size() && std::memcmp(data, magic.data(), magic.size()) == 0;
}

FollowerGraph load_snapshot_bytes(const Bytes& bytes, const std::string& path, int threads) {
  return load_from(reinterpret_cast<const unsigned char*>(bytes.data.get()), bytes.size, -1, path, threads);
}

}  // namespace detail

std::uint64_t graph_checksum(const FollowerGraph& graph, int threads) {
  Checksum sum(2, resolve_threads(threads));
  const std::uint64_t desc[3] = {graph.num_vertices(), graph.num_edges(), graph.has_probabilities() ? 1u : 0u};
  sum.add_bytes(desc, sizeof desc);
  sum.add(graph.out_offsets());
  sum.add(graph.out_targets());
  sum.add(graph.accounts());
  if (graph.has_probabilities()) sum.add(graph.edge_probs());
  return sum.value();
}

}  // namespace kolsim
