// SPDX-License-Identifier: MIT
/// AtomicFile: temporary + fsync + rename on POSIX systems (an unnamed O_TMPFILE temporary on Linux).
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

/// `path` with symbolic links of its last component followed (the final target may not exist).
std::string follow_links(const std::string& path) {
  std::string p = path;
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) {
      if (errno == ENOENT) return p;
      fail("cannot inspect", path, errno);
    }
    if (!S_ISLNK(st.st_mode)) return p;
    std::string link(static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 255) + 1, '\0');
    const ssize_t len = ::readlink(p.c_str(), link.data(), link.size());
    if (len < 0) fail("cannot read the symbolic link", path, errno);
    link.resize(static_cast<std::size_t>(len));
    p = (!link.empty() && link[0] == '/') ? link : directory_of(p) + "/" + link;
  }
  fail("cannot write", path, ELOOP);
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

/// A fresh name `<target>.tmp.<pid>.<hex>` for a temporary beside the target.
std::string temp_name(const std::string& target) {
  static std::atomic<std::uint64_t> counter{0};
  const auto stamp = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  const std::uint64_t c = counter.fetch_add(1);
  return detail::concat(target, ".tmp.", ::getpid(), '.', std::hex, (stamp ^ (c * 0x9E3779B97F4A7C15ull)));
}

/// Gives the temporary the owner, group and permission bits of an existing target (best effort
/// for the owner and group, which only a privileged process may change).
void copy_target_mode(int fd, const std::string& target, const std::string& path) {
  struct stat st {};
  if (::stat(target.c_str(), &st) != 0) return;  // a new file keeps 0666 & ~umask from open()
  struct stat own {};
  if (::fstat(fd, &own) == 0 && (own.st_uid != st.st_uid || own.st_gid != st.st_gid)) {
    if (::fchown(fd, st.st_uid, st.st_gid) != 0) (void)!::fchown(fd, static_cast<uid_t>(-1), st.st_gid);
  }
  if (::fchmod(fd, st.st_mode & 07777) != 0) fail("cannot set the permissions of the new", path, errno);
}

}  // namespace

std::string check_output_path(const std::string& path) {
  KOLSIM_REQUIRE(!path.empty() && path.back() != '/', "invalid output path '", path, "'");
  const std::string target = follow_links(path);
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) fail("cannot write", path, EISDIR);
  const std::string dir = directory_of(target);
  if (::stat(dir.c_str(), &st) != 0) {
    throw IoError(detail::concat("cannot write '", path, "': directory '", dir, "': ",
                                 std::system_category().message(errno)));
  }
  if (!S_ISDIR(st.st_mode)) {
    throw IoError(detail::concat("cannot write '", path, "': '", dir, "' is not a directory"));
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    throw IoError(detail::concat("cannot write '", path, "': directory '", dir, "': ",
                                 std::system_category().message(errno)));
  }
  return target;
}

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  target_ = check_output_path(path_);
#ifdef O_TMPFILE
  // 0666 & ~umask, as a plain open would give the target. commit() names the file through
  // /proc/self/fd, so without /proc use a named temporary.
  static const bool have_proc = ::access("/proc/self/fd", X_OK) == 0;
  if (have_proc) fd_ = ::open(directory_of(target_).c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
  if (fd_ >= 0) return;  // otherwise the file system has no unnamed temporaries: use a named one
#endif
  for (int attempt = 0; attempt < 100; ++attempt) {
    temp_ = temp_name(target_);
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
      target_(std::move(other.target_)),
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
  copy_target_mode(fd_, target_, path_);
  if (::fsync(fd_) != 0) fail("cannot fsync the temporary for", path_, errno);
  if (temp_.empty()) {
    // Unnamed temporary: give it a name. A new target is linked in place (atomic, no stray name
    // at any moment); an existing one is replaced through a named link and rename().
    const std::string self = "/proc/self/fd/" + std::to_string(fd_);
    if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, target_.c_str(), AT_SYMLINK_FOLLOW) != 0) {
      if (errno != EEXIST) fail("cannot create", path_, errno);
      for (int attempt = 0;; ++attempt) {
        temp_ = temp_name(target_);
        if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, temp_.c_str(), AT_SYMLINK_FOLLOW) == 0) break;
        const int err = errno;
        temp_.clear();
        if (err != EEXIST || attempt == 100) fail("cannot create a temporary file for", path_, err);
      }
    }
  } else {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("cannot close the temporary for", path_, errno);
  }
  if (!temp_.empty() && ::rename(temp_.c_str(), target_.c_str()) != 0) {
    fail("cannot rename the temporary over", path_, errno);  // the destructor removes it
  }
  committed_ = true;
  temp_.clear();
  if (fd_ >= 0) ::close(fd_);  // data and metadata are already synced
  fd_ = -1;
  // Make the rename itself durable; failure here does not undo the (already visible) file.
  const int dfd = ::open(directory_of(target_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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
