// SPDX-License-Identifier: MIT
/// Internal (not installed): a file's bytes in memory, read from a regular file, a pipe, a FIFO,
/// a device or standard input ("-"), gunzipped when they start with the gzip magic, always
/// bounded by usable_memory() and polling a stop token; and the readers that parse such bytes.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <new>
#include <string>
#include <utility>

#include "kolsim/core/parallel.hpp"
#include "kolsim/graph/follower_graph.hpp"
#include "kolsim/io/edge_list.hpp"

namespace kolsim::detail {

/// Bytes in anonymous pages (faulted in by one call, MAP_POPULATE, instead of one page fault per
/// 4 KiB while reading: about 3x faster to fill for files of 100 MB); grows with mremap, so
/// growing never holds two copies.
class PageBuffer {
 public:
  PageBuffer() = default;
  explicit PageBuffer(std::size_t n) : n_(n < 1 ? 1 : n) {
    void* p = ::mmap(nullptr, n_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    p_ = static_cast<char*>(p);
  }
  PageBuffer(PageBuffer&& o) noexcept : p_(std::exchange(o.p_, nullptr)), n_(std::exchange(o.n_, 0)) {}
  PageBuffer& operator=(PageBuffer&& o) noexcept {
    if (this != &o) {
      release();
      p_ = std::exchange(o.p_, nullptr);
      n_ = std::exchange(o.n_, 0);
    }
    return *this;
  }
  PageBuffer(const PageBuffer&) = delete;
  PageBuffer& operator=(const PageBuffer&) = delete;
  ~PageBuffer() { release(); }
  char* get() const noexcept { return p_; }
  char& operator[](std::size_t i) const noexcept { return p_[i]; }
  std::size_t capacity() const noexcept { return n_; }
  /// Grows to n bytes, keeping the content (new bytes are zero).
  void grow(std::size_t n) {
    if (n <= n_) return;
    if (p_ == nullptr) {
      *this = PageBuffer(n);
      return;
    }
    void* p = ::mremap(p_, n_, n, MREMAP_MAYMOVE);
    if (p == MAP_FAILED) throw std::bad_alloc();
    p_ = static_cast<char*>(p);
    n_ = n;
  }

 private:
  void release() noexcept {
    if (p_) ::munmap(p_, n_);
    p_ = nullptr;
  }
  char* p_ = nullptr;
  std::size_t n_ = 0;
};

/// Zero bytes kept after the data of every text buffer, so the digit parser may load 8 bytes at
/// any position up to the end (anonymous pages are zero and are never written past `size`).
inline constexpr std::size_t read_padding = 16;

/// A file's bytes (capacity >= size + read_padding).
struct Bytes {
  PageBuffer data;
  std::size_t size = 0;
};

/// True for "-" (standard input).
inline bool is_stdin_path(const std::string& path) { return path == "-"; }

/// True when `path` names a regular file (which can be read again, and whose size is known).
bool is_regular_file(const std::string& path);

/// All bytes of `path` ("-" = standard input; pipes, FIFOs and devices are read to their end).
/// Throws IoError when it cannot be read, MemoryLimitError naming the file when its bytes would
/// exceed usable_memory(), Interrupted when `stop` asks (polled between reads).
Bytes read_all(const std::string& path, const StopToken& stop);

/// `in` decompressed when it starts with the gzip magic (multi-member streams are read whole),
/// else `in` itself; the output is bounded by usable_memory() (a gzip bomb is a
/// MemoryLimitError naming the file), and `stop` is polled between blocks.
Bytes gunzip_if_compressed(Bytes in, const std::string& path, const StopToken& stop);

/// Parses an edge list from bytes already in memory (compressed or not; `path` names it in
/// messages). `reloadable`: `path` is a regular file that may be read again to quote a line in
/// a builder error, so the text can be freed before the graph is built.
FollowerGraph read_edge_list_bytes(Bytes bytes, const std::string& path, bool reloadable,
                                   const EdgeListOptions& options, EdgeListReport* report);

/// Loads a snapshot from bytes in memory (a pipe or standard input); see load_snapshot.
FollowerGraph load_snapshot_bytes(const Bytes& bytes, const std::string& path, int threads);

/// True when `data` starts with the snapshot magic bytes.
bool has_snapshot_magic(const char* data, std::size_t size);

}  // namespace kolsim::detail
