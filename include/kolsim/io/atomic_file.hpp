// SPDX-License-Identifier: MIT
/// Atomic output files: write to a temporary beside the target, fsync, then rename over it, so a
/// reader sees either the old file or the complete new one, never a half-written target.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kolsim {

/// RAII writer for one output file. The constructor checks the destination (see
/// check_output_path) and opens a temporary in the target's directory: an unnamed one
/// (Linux O_TMPFILE) where the file system supports it, so not even a killed process leaves a
/// stray file behind, otherwise a uniquely named `<target>.tmp.<pid>.<hex>`. write() appends
/// (buffered); commit() flushes, fsyncs, gives the temporary the existing target's permission
/// bits (a new file gets 0666 & ~umask, as a plain open would), moves it over the target and
/// fsyncs the directory. A symbolic link as target is written through: its final target is
/// replaced and the link stays. If commit() is never called (an exception, an early return) the
/// destructor removes the temporary and the target is untouched. Errors throw IoError naming the
/// path and the system's reason. Not thread-safe.
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
  /// The path as given.
  const std::string& path() const noexcept { return path_; }
  /// The file that will be replaced: path() with symbolic links followed.
  const std::string& target_path() const noexcept { return target_; }
  /// The named temporary being written; empty when the temporary is unnamed (O_TMPFILE), after
  /// commit and after a move.
  const std::string& temp_path() const noexcept { return temp_; }

 private:
  void flush_buffer();
  void discard() noexcept;

  std::string path_;
  std::string target_;
  std::string temp_;
  int fd_ = -1;
  bool committed_ = false;
  std::string buffer_;
};

/// Writes `data` to `path` atomically (AtomicFile + commit).
void write_file_atomic(const std::string& path, std::string_view data);

/// Checks, without creating anything, that an atomic write to `path` can succeed as far as the
/// file system tells: its directory (after following symbolic links) exists, is a directory and
/// is writable, and the target is not a directory. Throws IoError naming `path` otherwise. Call
/// it before a long computation whose result goes to `path`. Returns the resolved target.
std::string check_output_path(const std::string& path);

}  // namespace kolsim
