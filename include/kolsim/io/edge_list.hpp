// SPDX-License-Identifier: MIT
/// Text edge-list readers and writer: whitespace or CSV, optional gzip, a probability column,
/// explicit orientation, and errors that name the file, the line and the offending token.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kolsim/core/progress.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/graph/builder.hpp"
#include "kolsim/graph/follower_graph.hpp"

namespace kolsim {

/// Field separator of an edge list.
enum class EdgeFormat {
  auto_detect,  ///< `.csv` / `.csv.gz` -> csv, anything else -> whitespace
  whitespace,   ///< fields separated by spaces and/or tabs
  csv,          ///< fields separated by commas (spaces around a field are ignored; no quoting)
};

/// How to read an edge list. Orientation: a data line "a b" is the edge a -> b, i.e. *b follows
/// a* and influence flows from a to b. SNAP "who-follows-whom" files that list the follower
/// first need `build.flip = true`; undirected files need `build.undirected = true`.
struct EdgeListOptions {
  BuildOptions build;  ///< self-loop / duplicate policies, flip, undirected, threads
  EdgeFormat format = EdgeFormat::auto_detect;
  /// 0-based column holding the IC probability or LT weight (>= 2); -1 = no probabilities.
  int probability_column = -1;
  /// Accept lines with more fields than the first data line (extra fields are not parsed);
  /// otherwise every data line must have exactly as many fields as the first.
  bool ignore_extra_columns = false;
  /// The first data line is an "n m" header (NetHEPT style): it is skipped, and m must equal the
  /// number of edge lines read and n must be >= the number of accounts seen.
  bool first_line_counts = false;
  /// Error (file:line of the in-edge that pushes an account's in-weight sum above 1 + 1e-4)
  /// when the weights do not form a valid Linear Threshold instance. Needs probability_column.
  bool check_lt_weights = false;
  /// A line whose first non-blank character is one of these is a comment.
  std::string comment_chars = "#%";
  /// csv: the first non-comment line is a header and is skipped.
  bool csv_header = false;
  /// Polled between read and decompression blocks, parse chunks and build phases (each well under
  /// a second); a stop request throws Interrupted.
  StopToken stop{};
  /// Reports phase "parse": bytes of edge lines parsed of the total (after each parse chunk).
  ProgressFn progress{};
};

/// What a read did. lines = comment_lines + blank_lines + edge_lines + header lines (0 or 1).
struct EdgeListReport {
  std::string path;
  BuildReport build;  ///< self-loops, duplicates, vertices and edges as built
  std::uint64_t lines = 0, comment_lines = 0, blank_lines = 0, edge_lines = 0;
  double parse_seconds = 0;  ///< read + decompress + parse
  double build_seconds = 0;  ///< CSR construction
  /// 0-based columns (>= 2) that every data line has, that all parse as numbers in [0, 1], and
  /// that were not used: probably a probability column the caller forgot to ask for. Readers
  /// warn about them (Python: a UserWarning; CLI: a line on stderr).
  std::vector<int> unused_numeric_columns;
};

/// Reads a follower graph from a text edge list (see EdgeListOptions for the orientation).
/// `path` may be a regular file, a pipe, a FIFO, a device or "-" (standard input); whatever its
/// name, data starting with the gzip magic bytes is decompressed. Account ids are unsigned 64-bit
/// decimal integers; probabilities are finite decimal reals in [0, 1] (no hex, inf or nan); a
/// line ends at LF, CRLF or a lone CR; a leading UTF-8 byte-order mark and trailing blanks are
/// accepted. The bytes held in memory (read and decompressed) are bounded by usable_memory():
/// beyond it (a gzip bomb, /dev/zero) the read ends in MemoryLimitError naming the file. Parsing runs in parallel over newline-aligned chunks with
/// results independent of the thread count: O(bytes / threads) time, O(m) extra memory.
/// Throws ParseError(file, line, message) on malformed data (quoting the offending token, and
/// for builder policies such as self_loops=error the offending line), IoError when the file
/// cannot be read, MemoryLimitError (see above), Interrupted when options.stop asks,
/// std::invalid_argument for inconsistent options. report->unused_numeric_columns lists
/// columns that look like an unrequested probability column.
FollowerGraph read_edge_list(const std::string& path, const EdgeListOptions& options = {},
                             EdgeListReport* report = nullptr);

/// Writes one "u v [p]" line per edge (account ids, out-edge order) after a '#' comment header,
/// atomically. Isolated accounts are not representable and are lost; use save_snapshot to keep
/// everything. Probabilities are written exactly (shortest round-trip form) when present and
/// `with_probabilities` is true.
void write_edge_list(const FollowerGraph& graph, const std::string& path, bool with_probabilities = true);

}  // namespace kolsim
