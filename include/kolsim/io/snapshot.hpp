// SPDX-License-Identifier: MIT
/// Binary graph snapshots (versioned, checksummed, loaded straight into the CSR arrays) and the
/// graph checksum recorded in run records.
#pragma once

#include <cstdint>
#include <string>

#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

/// Snapshot format version written by save_snapshot and the only one load_snapshot reads.
inline constexpr std::uint32_t snapshot_format_version = 1;

/// Saves the whole graph (topology, account ids, probabilities in both orders) atomically.
///
/// Format (little-endian): a 64-byte header — magic "\x89KGS\r\n\x1a\n", u32 version, u32 flags
/// (bit 0: probabilities present), u64 n, u64 m, u64 header size (64), u32 byte-order mark
/// 0x01020304, u32 reserved, u64 total file size, u64 reserved — then out_offsets (n+1 x u64),
/// out_targets (m x u32), in_offsets (n+1 x u64), in_sources (m x u32), accounts (n x u64),
/// [out-order probabilities, in-order probabilities (m x f32 each)], and a u64 checksum over all
/// preceding bytes (the header and each array hashed in fixed 1 MiB blocks, combined in order).
/// The checksum runs on `threads` threads (0 = all; std::invalid_argument outside
/// [0, max_threads()], before the file is created); the bytes written do not depend on it.
void save_snapshot(const FollowerGraph& graph, const std::string& path, int threads = 0);

/// Loads a snapshot written by save_snapshot: O(n + m) time. A regular file is mapped read-only
/// (after its header is checked) and each array copied out of the map and hashed in one pass, on
/// `threads` threads (0 = all) over fixed blocks; the graph owns std::vectors, so the copy stays
/// (a file truncated by another process while it is mapped raises SIGBUS). `path` may be a pipe, a
/// FIFO or "-" (standard input), read once into memory. Throws ParseError naming the file for a
/// wrong magic, an unsupported version, a truncated or oversized file, a header whose counts do
/// not match the file (checked before anything is allocated; a sparse file whose account table is
/// a hole is refused too), a checksum mismatch or an inconsistent structure. The checksum is not
/// a security boundary: the whole structure is verified after it in O(n + m) (offsets monotone
/// and spanning m, indices < n, rows sorted, accounts strictly increasing, in-rows exactly the
/// transpose of the out-rows, in-order probabilities equal to the out-order ones, all in [0, 1]),
/// parallel over vertex blocks and over target ranges.
/// MemoryLimitError when the graph would not fit in usable_memory(); IoError when the file cannot
/// be read. Peak memory is the graph itself plus 8 bytes per account (no staging copy).
FollowerGraph load_snapshot(const std::string& path, int threads = 0);

/// 64-bit checksum of a graph's content: n, m, out-adjacency, account ids and probabilities (in
/// out-edge order, when present). Equal graphs give equal values for any thread count or
/// machine; used to tie run records to their input. O(n + m), parallel over fixed blocks on
/// `threads` threads (0 = all; std::invalid_argument outside [0, max_threads()]).
std::uint64_t graph_checksum(const FollowerGraph& graph, int threads = 0);

}  // namespace kolsim
