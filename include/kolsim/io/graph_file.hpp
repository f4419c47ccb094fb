// SPDX-License-Identifier: MIT
/// One entry point for "a graph file": a snapshot or a text edge list, told apart by its first
/// bytes without consuming them, from a regular file, a pipe, a FIFO or standard input ("-").
#pragma once

#include <string>

#include "kolsim/io/edge_list.hpp"

namespace kolsim {

/// What read_graph found and did.
struct GraphFileReport {
  bool snapshot = false;    ///< the file was a binary snapshot (.kgs)
  EdgeListReport edge_list; ///< filled when it was an edge list
};

/// True when `path` starts with the snapshot magic bytes. Reads only a regular file's first
/// bytes; a pipe, FIFO or "-" is not inspected here (read_graph sniffs those from its buffer).
bool is_snapshot_file(const std::string& path);

/// Reads a snapshot or an edge list from `path` ("-" = standard input). A regular file is a
/// snapshot when it starts with the snapshot magic or its name ends in ".kgs" (so a damaged
/// snapshot is reported as "not a kolsim snapshot", not as an edge-list error); a pipe, FIFO or
/// standard input is read once into memory (bounded by usable_memory(), polling options.stop)
/// and sniffed there, so no byte is lost. Snapshots ignore the edge-list `options` except that
/// asking for flip, undirected or a probability column on a snapshot is an error
/// (std::invalid_argument: a snapshot stores its edges and probabilities as they were saved);
/// options.build.threads is the snapshot checksum's thread count. Errors as read_edge_list and
/// load_snapshot.
FollowerGraph read_graph(const std::string& path, const EdgeListOptions& options = {},
                         GraphFileReport* report = nullptr);

}  // namespace kolsim
