// SPDX-License-Identifier: MIT
/// Binary graph snapshots (versioned, checksummed, memory-mapped and used in place as the CSR
/// arrays) and the graph checksum recorded in run records.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

/// Newest snapshot format version: save_snapshot writes it for graphs with implicit
/// probabilities and version 2 otherwise; load_snapshot reads versions 1 to 3.
inline constexpr std::uint32_t snapshot_format_version = 3;

/// Saves the whole graph (topology, account ids, probabilities in both orders) atomically (a
/// temporary file renamed over `path`, so a graph mapped from the old file keeps its bytes).
///
/// Format version 2 (little-endian): a 64-byte header — magic "\x89KGS\r\n\x1a\n", u32 version,
/// u32 flags (bit 0: probabilities present), u64 n, u64 m, u64 header size (64), u32 byte-order
/// mark 0x01020304, u32 reserved (0), u64 total file size, u64 reserved (0) — then the arrays
/// out_offsets (n+1 x u64), out_targets (m x u32), in_offsets (n+1 x u64), in_sources (m x u32),
/// accounts (n x u64), [out-order probabilities, in-order probabilities (m x f32 each)], each
/// starting at the next multiple of 64 bytes (zero bytes in between), so a memory map of the file
/// holds every array aligned, ready to be used in place; then, at the next multiple of 64, a u64
/// checksum of all preceding bytes: the bytes cut into fixed 1 MiB blocks, block i hashed by an
/// xxHash64-style 64-bit multiply-rotate hash seeded with i, the block hashes combined in order
/// (a 64-bit non-cryptographic checksum against accidental damage). Version 3 is version 2 with
/// two more flags for implicit probabilities (no probability arrays in the file): bit 1 weighted
/// cascade, bit 2 constant (the first reserved u32 then holds the constant's float bits); at
/// most one of bits 0-2 is set. Version 1 (read only) is the
/// same without padding (sections packed, the checksum combining per-section hashes).
/// The checksum runs on `threads` threads (0 = all; std::invalid_argument outside
/// [0, max_threads()], before the file is created); the bytes written do not depend on it.
void save_snapshot(const FollowerGraph& graph, const std::string& path, int threads = 0);

/// What load_snapshot did and how long each step took (seconds, wall clock).
struct SnapshotReport {
  std::uint32_t version = 0;      ///< format version of the file
  bool mapped = false;            ///< the graph's arrays are the file's memory map (no copy)
  bool streamed = false;          ///< mapped without reading it in at once; pages released once verified
  std::uint64_t file_bytes = 0;   ///< size of the snapshot
  double map_seconds = 0;         ///< open, header check and memory map (regular files)
  double checksum_seconds = 0;    ///< checksum (and, for version 1 or a pipe, the copy)
  double check_seconds = 0;       ///< the full structural check
};

namespace detail {
/// Mapped snapshots (format 2 and later) of at least this many bytes are streamed: mapped without
/// MAP_POPULATE, their pages read in as the checksum and the check reach them and released
/// (madvise MADV_DONTNEED) once verified, so the load never holds the whole file; smaller files
/// are read in at once, which is faster for them. The graph is the same either way. Tests set
/// it to 0 or to the maximum to force one path.
inline std::uint64_t snapshot_stream_min_bytes = std::uint64_t{256} << 20;
}  // namespace detail

/// Loads a snapshot written by save_snapshot: O(n + m) time. A regular file is mapped read-only
/// (MAP_PRIVATE, after its header is checked) and, for versions 2 and 3, the graph's arrays are the map
/// itself: nothing is copied, the graph and every copy of it keep the map alive, and processes
/// (e.g. MPI ranks of one node) that map the same file share its pages in the page cache.
/// Caveats of a mapped graph: a file truncated by another process while it is mapped raises
/// SIGBUS on the next access, and a file modified in place (not replaced by rename, as kolsim's
/// writers do) changes the graph after its checks. Version 1 files and `path` a pipe, a FIFO or
/// "-" (standard input, read once into memory) are copied into the graph's own arrays.
/// Throws ParseError naming the file for a wrong magic, an unsupported version, a truncated or
/// oversized file, a header whose counts do not match the file (checked before anything is
/// mapped or allocated; a sparse file whose account table is a hole is refused too), a checksum
/// mismatch or an inconsistent structure. The checksum is not a security boundary: the whole
/// structure is verified after it in O(n + m) in one parallel pass over vertex blocks (offsets
/// monotone and spanning m, indices < n, rows sorted, accounts strictly increasing, zero padding,
/// probabilities in [0, 1], in-rows exactly the transpose of the out-rows and in-order
/// probabilities equal to the out-order ones: compared as multisets of edges (source, target,
/// rank among parallel copies, probability bits) by a polynomial fingerprint modulo 2^61 - 1 at
/// a point drawn at random for each load, which a faulty file passes with probability at most
/// m / 2^61 whatever its content; a mismatch is then located exactly, naming the first bad edge).
/// Checksum and check run on `threads` threads (0 = all). MemoryLimitError when what the load
/// holds would not fit in usable_memory(); IoError when the file cannot be read. Peak memory: a
/// mapped file of at least detail::snapshot_stream_min_bytes is streamed (its pages read in as
/// the passes reach them and released once verified: about the vertex blocks in flight, a few
/// MB, and the graph's readers fault in only the pages they touch); a smaller one is read in at
/// once (its pages); version 1 and a pipe hold the graph itself. The check adds O(n / 16384)
/// bytes and 136 KiB per thread. Results, errors and messages are the same either way.
/// `report`, when given, receives the version, whether the arrays are mapped, and step times.
FollowerGraph load_snapshot(const std::string& path, int threads = 0, SnapshotReport* report = nullptr);

/// Writes a snapshot section by section without holding the graph (streaming generators):
/// the caller knows n, m and the probability kind up front, then supplies the arrays in file
/// order (out_offsets, out_targets, in_offsets, in_sources, accounts, and the two probability
/// arrays only for ProbabilityKind::per_edge with `probabilities`), each exactly as long as the
/// format says, in pieces of any size. The file is hashed as it is written (the same checksum
/// as save_snapshot) and committed atomically by finish(); a writer destroyed before finish()
/// leaves the target untouched. Memory: one 1 MiB block plus 8 bytes per MiB of file.
class SnapshotWriter {
 public:
  SnapshotWriter(const std::string& path, std::uint64_t n, std::uint64_t m, bool probabilities,
                 ProbabilityKind kind = ProbabilityKind::per_edge, prob_t constant = 0.0f);
  ~SnapshotWriter();
  SnapshotWriter(const SnapshotWriter&) = delete;
  SnapshotWriter& operator=(const SnapshotWriter&) = delete;
  /// Appends bytes of the current section (moving on to the next section when one is full).
  void write(const void* data, std::size_t bytes);
  template <class T>
  void write(std::span<const T> values) { write(values.data(), values.size_bytes()); }
  /// Checks every section is complete, writes the checksum and renames the file into place.
  void finish();

 private:
  struct State;
  std::unique_ptr<State> s_;
};

/// 64-bit checksum of a graph's content: n, m, out-adjacency, account ids and probabilities (in
/// out-edge order, when present). Equal graphs give equal values for any thread count or
/// machine; used to tie run records to their input. O(n + m), parallel over fixed blocks on
/// `threads` threads (0 = all; std::invalid_argument outside [0, max_threads()]).
std::uint64_t graph_checksum(const FollowerGraph& graph, int threads = 0);

}  // namespace kolsim
