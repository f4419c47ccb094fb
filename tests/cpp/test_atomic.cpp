// SPDX-License-Identifier: MIT
/// Tests of atomic output files: permission bits, symbolic links, no stray temporaries, and the
/// up-front check of an output path.
#include <gtest/gtest.h>
#include "temp_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/io/atomic_file.hpp"

namespace fs = std::filesystem;
using namespace kolsim;

namespace {

using test_support::TempDir;
const auto& read_text = test_support::read_bytes;

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

/// Sets the umask for one scope.
struct Umask {
  mode_t old;
  explicit Umask(mode_t m) : old(::umask(m)) {}
  ~Umask() { ::umask(old); }
};

}  // namespace

TEST(AtomicFile, KeepsTheTargetsPermissionBits) {
  TempDir dir;
  const std::string target = dir.file("record.json");
  write_file_atomic(target, "old");
  ASSERT_EQ(::chmod(target.c_str(), 0640), 0);
  write_file_atomic(target, "new");
  EXPECT_EQ(read_text(target), "new");
  EXPECT_EQ(mode_of(target), 0640u);
  ASSERT_EQ(::chmod(target.c_str(), 0604), 0);
  write_file_atomic(target, "newer");
  EXPECT_EQ(mode_of(target), 0604u);
}

TEST(AtomicFile, NewFilesGetTheUsualModeFromTheUmask) {
  TempDir dir;
  {
    Umask u(022);
    write_file_atomic(dir.file("a"), "x");
  }
  EXPECT_EQ(mode_of(dir.file("a")), 0644u);
  {
    Umask u(007);
    write_file_atomic(dir.file("b"), "x");
  }
  EXPECT_EQ(mode_of(dir.file("b")), 0660u);
}

TEST(AtomicFile, WritesThroughASymbolicLink) {
  TempDir dir;
  fs::create_directory(dir.path / "real");
  const std::string real = dir.file("real/out.txt");
  write_file_atomic(real, "old");
  ASSERT_EQ(::chmod(real.c_str(), 0600), 0);
  fs::create_symlink("real/out.txt", dir.path / "link.txt");  // relative link
  AtomicFile f(dir.file("link.txt"));
  EXPECT_EQ(f.target_path(), dir.file("real/out.txt"));
  f.write("through the link");
  f.commit();
  EXPECT_TRUE(fs::is_symlink(dir.path / "link.txt"));
  EXPECT_EQ(read_text(real), "through the link");
  EXPECT_EQ(mode_of(real), 0600u);
  // A dangling link creates its target; the link itself stays a link.
  fs::create_symlink(dir.path / "real" / "new.txt", dir.path / "dangling");
  write_file_atomic(dir.file("dangling"), "created");
  EXPECT_TRUE(fs::is_symlink(dir.path / "dangling"));
  EXPECT_EQ(read_text(dir.file("real/new.txt")), "created");
  EXPECT_EQ(dir.names(), (std::vector<std::string>{"dangling", "link.txt", "real"}));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path / "real"), fs::directory_iterator()), 2);
  // A loop of links is an error naming the path.
  fs::create_symlink("loop_b", dir.path / "loop_a");
  fs::create_symlink("loop_a", dir.path / "loop_b");
  try {
    write_file_atomic(dir.file("loop_a"), "x");
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("loop_a"), std::string::npos) << e.what();
  }
}

TEST(AtomicFile, NoStrayTemporaryAfterAnError) {
  TempDir dir;
  fs::create_directory(dir.path / "sub");
  // The target is a directory: refused before anything is created.
  EXPECT_THROW(write_file_atomic(dir.file("sub"), "x"), IoError);
  EXPECT_EQ(dir.names(), (std::vector<std::string>{"sub"}));
  // An exception while writing leaves nothing behind.
  try {
    AtomicFile f(dir.file("out"));
    f.write("partial");
    throw std::runtime_error("stop");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(dir.names(), (std::vector<std::string>{"sub"}));
  // A process that dies while writing (no destructor runs, as after a signal) leaves nothing
  // behind either when the temporary is unnamed.
  const int probe = ::open(dir.path.c_str(), O_TMPFILE | O_WRONLY, 0600);
  if (probe < 0) GTEST_SKIP() << "this file system has no O_TMPFILE";
  ::close(probe);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    AtomicFile f(dir.file("out"));
    f.write(std::string(3 << 20, 'x'));
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(dir.names(), (std::vector<std::string>{"sub"}));
}

TEST(AtomicFile, CheckOutputPathBeforeWorking) {
  TempDir dir;
  EXPECT_EQ(check_output_path(dir.file("x.json")), dir.file("x.json"));
  for (const std::string bad : {"no/such/dir/x.json", "sub"}) {
    if (bad == "sub") fs::create_directory(dir.path / "sub");
    try {
      check_output_path(dir.file(bad));
      FAIL() << bad;
    } catch (const IoError& e) {
      EXPECT_NE(std::string(e.what()).find(dir.file(bad)), std::string::npos) << e.what();
    }
  }
  std::ofstream(dir.file("plain")) << "x";
  EXPECT_THROW(check_output_path(dir.file("plain/x.json")), IoError);  // a file as directory
  EXPECT_EQ(dir.names(), (std::vector<std::string>{"plain", "sub"}));
}
