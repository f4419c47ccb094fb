// SPDX-License-Identifier: MIT
/// Atomic output files: write to a temporary beside the target, fsync, then rename over it, so a
/// reader sees either the old file or the complete new one, never a half-written target.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kolsim {

/// RAII writer for one output file. The constructor creates a unique temporary in the target's
/// directory; write() appends (buffered); commit() flushes, fsyncs, closes and renames the
/// temporary over the target (then fsyncs the directory). If commit() is never called (an
/// exception, an early return) the destructor removes the temporary and the target is untouched.
/// Errors throw IoError naming the path and the system's reason. Not thread-safe.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  /// Appends bytes to the temporary.
  void write(const void* data, std::size_t bytes);
  void write(std::string_view data) { write(data.data(), data.size()); }
  /// Makes the file visible under its final name. Call once; writes after it are an error.
  void commit();
  /// True once commit() succeeded.
  bool committed() const noexcept { return committed_; }
  /// The final path.
  const std::string& path() const noexcept { return path_; }
  /// The temporary being written (empty after commit or move).
  const std::string& temp_path() const noexcept { return temp_; }

 private:
  void flush_buffer();
  void discard() noexcept;

  std::string path_;
  std::string temp_;
  int fd_ = -1;
  bool committed_ = false;
  std::string buffer_;
};

/// Writes `data` to `path` atomically (AtomicFile + commit).
void write_file_atomic(const std::string& path, std::string_view data);

}  // namespace kolsim
