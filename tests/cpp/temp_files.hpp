// SPDX-License-Identifier: MIT
/// Files for the C++ test programs: a private temporary directory removed with its content, and
/// whole-file byte reads and writes.
#pragma once

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace kolsim::test_support {

/// A fresh directory /tmp/kolsim_test_<what>_XXXXXX, removed (with everything in it) at scope end.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& what = "files") {
    std::string tmpl = "/tmp/kolsim_test_" + what + "_XXXXXX";
    path = ::mkdtemp(tmpl.data());
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
  /// The names of the files in the directory, sorted.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(path)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
};

inline std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f << bytes;
}

}  // namespace kolsim::test_support
