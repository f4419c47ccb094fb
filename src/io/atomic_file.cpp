// SPDX-License-Identifier: MIT
/// AtomicFile: temporary + fsync + rename on POSIX systems.
#include "kolsim/io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <system_error>

#include "kolsim/core/error.hpp"

namespace kolsim {
namespace {

constexpr std::size_t buffer_limit = std::size_t{1} << 20;

[[noreturn]] void fail(const std::string& what, const std::string& path, int err) {
  throw IoError(detail::concat(what, " '", path, "': ", std::system_category().message(err)));
}

std::string directory_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

void write_all(int fd, const char* p, std::size_t n, const std::string& path) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      fail("cannot write", path, errno);
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  KOLSIM_REQUIRE(!path_.empty() && path_.back() != '/', "AtomicFile: invalid path '", path_, "'");
  static std::atomic<std::uint64_t> counter{0};
  const auto stamp = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::uint64_t c = counter.fetch_add(1);
    temp_ = detail::concat(path_, ".tmp.", ::getpid(), '.', std::hex, (stamp ^ (c * 0x9E3779B97F4A7C15ull)));
    // 0666 & ~umask, as a plain open would give the target.
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ >= 0) return;
    if (errno != EEXIST) {
      const int err = errno;
      temp_.clear();
      fail("cannot create a temporary file for", path_, err);
    }
  }
  temp_.clear();
  fail("cannot create a unique temporary file for", path_, EEXIST);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)),
      temp_(std::move(other.temp_)),
      fd_(other.fd_),
      committed_(other.committed_),
      buffer_(std::move(other.buffer_)) {
  other.fd_ = -1;
  other.temp_.clear();
}

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::discard() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
  temp_.clear();
}

void AtomicFile::flush_buffer() {
  if (buffer_.empty()) return;
  write_all(fd_, buffer_.data(), buffer_.size(), path_);
  buffer_.clear();
}

void AtomicFile::write(const void* data, std::size_t bytes) {
  if (fd_ < 0) throw IoError(detail::concat("write to '", path_, "' after commit"));
  const char* p = static_cast<const char*>(data);
  if (buffer_.size() + bytes <= buffer_limit) {
    buffer_.append(p, bytes);
    return;
  }
  flush_buffer();
  if (bytes >= buffer_limit / 2) {
    write_all(fd_, p, bytes, path_);
  } else {
    buffer_.append(p, bytes);
  }
}

void AtomicFile::commit() {
  if (fd_ < 0) throw IoError(detail::concat("commit of '", path_, "' twice or after a move"));
  flush_buffer();
  if (::fsync(fd_) != 0) fail("cannot fsync", temp_, errno);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail("cannot close", temp_, errno);
  if (::rename(temp_.c_str(), path_.c_str()) != 0) fail("cannot rename the temporary over", path_, errno);
  committed_ = true;
  temp_.clear();
  // Make the rename itself durable; failure here does not undo the (already visible) file.
  const int dfd = ::open(directory_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

void write_file_atomic(const std::string& path, std::string_view data) {
  AtomicFile f(path);
  f.write(data);
  f.commit();
}

}  // namespace kolsim
