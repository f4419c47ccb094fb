// SPDX-License-Identifier: MIT
/// read_graph: dispatch between snapshots and edge lists by the file's first bytes, without
/// consuming them (a pipe, a FIFO or standard input is read once into memory and parsed there).
#include "kolsim/io/graph_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "kolsim/core/error.hpp"
#include "kolsim/io/snapshot.hpp"
#include "read_input.hpp"

namespace kolsim {
namespace {

bool has_kgs_name(const std::string& path) {
  if (path.size() < 4) return false;
  std::string ext = path.substr(path.size() - 4);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".kgs";
}

void require_edge_list_options_unused(const std::string& path, const EdgeListOptions& options) {
  KOLSIM_REQUIRE(!options.build.flip && !options.build.undirected && options.probability_column < 0, path,
                 ": a snapshot keeps the edges and probabilities it was saved with; flip, undirected and a "
                 "probability column apply only to edge lists");
}

}  // namespace

bool is_snapshot_file(const std::string& path) {
  if (!detail::is_regular_file(path)) return false;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char magic[8] = {};
  std::size_t got = 0;
  while (got < sizeof magic) {
    const ssize_t r = ::read(fd, magic + got, sizeof magic - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<std::size_t>(r);
  }
  ::close(fd);
  return detail::has_snapshot_magic(magic, got);
}

FollowerGraph read_graph(const std::string& path, const EdgeListOptions& options, GraphFileReport* report) {
  GraphFileReport local;
  GraphFileReport& rep = report ? *report : local;
  rep = GraphFileReport{};
  if (detail::is_regular_file(path)) {
    // A regular file is sniffed by a separate open; a ".kgs" name is always read as a snapshot,
    // so a wrong magic is reported as "not a kolsim snapshot", not as an edge-list error.
    if (is_snapshot_file(path) || has_kgs_name(path)) {
      require_edge_list_options_unused(path, options);
      rep.snapshot = true;
      return load_snapshot(path, options.build.threads);
    }
    return read_edge_list(path, options, &rep.edge_list);
  }
  // A pipe, a FIFO, a device or standard input: read once (bounded by usable memory), then sniff
  // the buffer. Other errors (a missing file, a directory) come from read_all.
  detail::Bytes bytes = detail::read_all(path, options.stop);
  if (detail::has_snapshot_magic(bytes.data.get(), bytes.size) || has_kgs_name(path)) {
    require_edge_list_options_unused(path, options);
    rep.snapshot = true;
    return detail::load_snapshot_bytes(bytes, path, resolve_threads(options.build.threads));
  }
  return detail::read_edge_list_bytes(std::move(bytes), path, false, options, &rep.edge_list);
}

}  // namespace kolsim
