// SPDX-License-Identifier: MIT
/// Usable memory: the one place that decides how many bytes kolsim may allocate (physical RAM,
/// the cgroup v1/v2 limit, RLIMIT_AS and RLIMIT_DATA, whichever is smallest) and the check every
/// large allocation path runs first, so a run ends in MemoryLimitError instead of an OOM kill.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <string>
#include <string_view>

#include <sys/resource.h>
#include <unistd.h>

#include "kolsim/core/error.hpp"

namespace kolsim {

/// Where a memory limit comes from and what it is (bytes; max() = no limit from that source).
struct MemoryLimits {
  std::uint64_t physical = std::numeric_limits<std::uint64_t>::max();   ///< installed RAM (sysconf)
  std::uint64_t cgroup = std::numeric_limits<std::uint64_t>::max();     ///< memory.max / memory.limit_in_bytes
  std::uint64_t address_space = std::numeric_limits<std::uint64_t>::max();  ///< RLIMIT_AS
  std::uint64_t data = std::numeric_limits<std::uint64_t>::max();       ///< RLIMIT_DATA
  std::uint64_t in_use = 0;  ///< this process's current virtual size (counted against RLIMIT_AS)
};

namespace detail {

/// A cgroup limit file's value, or max() for "max", a missing file or nonsense.
inline std::uint64_t read_cgroup_limit(const std::string& path) {
  std::ifstream in(path);
  std::string s;
  if (!(in >> s) || s == "max") return std::numeric_limits<std::uint64_t>::max();
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::numeric_limits<std::uint64_t>::max();
    if (v > (std::numeric_limits<std::uint64_t>::max() - 9) / 10) return std::numeric_limits<std::uint64_t>::max();
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  // cgroup v1 reports "no limit" as a huge page-rounded number (about 2^63).
  return v >= (std::uint64_t{1} << 62) ? std::numeric_limits<std::uint64_t>::max() : v;
}

/// The memory cgroup path of this process from /proc/self/cgroup ("" when none is found), and
/// whether it is the unified (v2) hierarchy.
inline std::string own_cgroup(bool& v2) {
  std::ifstream in("/proc/self/cgroup");
  std::string line, unified;
  while (std::getline(in, line)) {
    // "hierarchy-id:controllers:path"
    const auto a = line.find(':');
    const auto b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    const std::string controllers = line.substr(a + 1, b - a - 1);
    const std::string path = line.substr(b + 1);
    if (controllers == "memory" || controllers.find("memory,") != std::string::npos ||
        controllers.find(",memory") != std::string::npos) {
      v2 = false;
      return path;
    }
    if (line.compare(0, 3, "0::") == 0) unified = path;
  }
  v2 = true;
  return unified;
}

/// Smallest limit on the cgroup path and its ancestors (a parent's limit binds its children).
inline std::uint64_t cgroup_limit() {
  bool v2 = true;
  std::string path = own_cgroup(v2);
  const std::string root = v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory";
  const char* file = v2 ? "/memory.max" : "/memory.limit_in_bytes";
  std::uint64_t best = std::numeric_limits<std::uint64_t>::max();
  // Inside a container the process's own cgroup is usually mounted as the root.
  best = std::min(best, read_cgroup_limit(root + file));
  while (!path.empty() && path != "/") {
    best = std::min(best, read_cgroup_limit(root + path + file));
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) break;
    path.resize(slash);
  }
  return best;
}

inline std::uint64_t rlimit_bytes(int resource) {
  rlimit r{};
  if (getrlimit(resource, &r) != 0 || r.rlim_cur == RLIM_INFINITY) return std::numeric_limits<std::uint64_t>::max();
  return static_cast<std::uint64_t>(r.rlim_cur);
}

/// Current virtual size of this process in bytes (0 when /proc is unavailable).
inline std::uint64_t virtual_size() {
  std::ifstream in("/proc/self/statm");
  std::uint64_t pages = 0;
  if (!(in >> pages)) return 0;
  const long page = sysconf(_SC_PAGE_SIZE);
  return pages * static_cast<std::uint64_t>(page > 0 ? page : 4096);
}

}  // namespace detail

/// Reads every source of a memory limit now (cheap: a few small files and syscalls).
inline MemoryLimits memory_limits() {
  MemoryLimits m;
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGE_SIZE);
  if (pages > 0 && page > 0) m.physical = static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
  m.cgroup = detail::cgroup_limit();
  m.address_space = detail::rlimit_bytes(RLIMIT_AS);
  m.data = detail::rlimit_bytes(RLIMIT_DATA);
  if (m.address_space != std::numeric_limits<std::uint64_t>::max()) m.in_use = detail::virtual_size();
  return m;
}

/// Bytes a new allocation may take: 80% of the smallest of physical RAM and the cgroup limit,
/// and no more than what RLIMIT_AS leaves after the current virtual size and room for the
/// threads' stacks and arenas, nor RLIMIT_DATA.
/// Environment variable KOLSIM_MEMORY_LIMIT (bytes, or with a K/M/G suffix) lowers it further.
inline std::uint64_t usable_memory() {
  const MemoryLimits m = memory_limits();
  const std::uint64_t none = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t ram = std::min(m.physical, m.cgroup);
  std::uint64_t usable = ram == none ? none : static_cast<std::uint64_t>(0.8 * static_cast<double>(ram));
  if (m.address_space != none) {
    // Address space also goes to thread stacks and per-thread malloc arenas (8 + 64 MiB each)
    // that OpenMP creates later; leave room for them so a run ends in MemoryLimitError, not in
    // a failed thread creation.
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    const std::uint64_t reserve = (std::uint64_t{64} + std::uint64_t{72} * static_cast<std::uint64_t>(cpus > 0 ? cpus : 1))
                                  << 20;
    const std::uint64_t used = m.in_use + reserve;
    usable = std::min(usable, m.address_space > used ? m.address_space - used : 0);
  }
  if (m.data != none) usable = std::min(usable, m.data);
  if (const char* env = std::getenv("KOLSIM_MEMORY_LIMIT"); env != nullptr && *env != '\0') {
    char* end = nullptr;
    const double v = std::strtod(env, &end);
    double scale = 1.0;
    if (end != nullptr && (*end == 'k' || *end == 'K')) scale = 1024.0;
    if (end != nullptr && (*end == 'm' || *end == 'M')) scale = 1048576.0;
    if (end != nullptr && (*end == 'g' || *end == 'G')) scale = 1073741824.0;
    if (v > 0 && v * scale < static_cast<double>(usable)) usable = static_cast<std::uint64_t>(v * scale);
  }
  return usable;
}

/// Throws MemoryLimitError when `bytes` more would exceed `limit` (0 = usable_memory()), with a
/// message naming `what` needs how much and what the limit is. Call before a large allocation.
inline void require_memory(std::string_view what, double bytes, std::uint64_t limit = 0) {
  if (limit == 0) limit = usable_memory();
  if (bytes <= static_cast<double>(limit)) return;
  throw MemoryLimitError(detail::concat(what, " needs about ", static_cast<std::uint64_t>(bytes / 1048576.0) + 1,
                                        " MiB, above the usable memory of ",
                                        static_cast<std::uint64_t>(static_cast<double>(limit) / 1048576.0),
                                        " MiB (the smallest of 80% of RAM, the cgroup limit, ulimit -v / -d, "
                                        "KOLSIM_MEMORY_LIMIT)"));
}

}  // namespace kolsim
