// SPDX-License-Identifier: MIT
/// Shared pieces of the fuzz harnesses: the input file each one writes, the exceptions that count
/// as a clean rejection, and the abort that turns anything else into a finding.
#pragma once

#include <kolsim/kolsim.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <vector>

#include <unistd.h>

#if __has_include(<nlohmann/json.hpp>)
#include <nlohmann/json.hpp>
#define KOLSIM_FUZZ_HAVE_JSON 1
#endif

namespace kolsim_fuzz {

/// A per-process scratch file "<TMPDIR>/kolsim-fuzz-<pid>-<tag>" (removed at exit).
inline std::string temp_path(const std::string& tag) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/kolsim-fuzz-" + std::to_string(::getpid()) +
         "-" + tag;
}

/// Something a reader must never do: print it and abort (libFuzzer saves the input).
[[noreturn]] inline void finding(const std::string& what, const std::string& detail) {
  std::fprintf(stderr, "\nkolsim fuzz finding: %s: %s\n", what.c_str(), detail.c_str());
  std::fflush(stderr);
  std::abort();
}

inline void write_file(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) finding("harness", "cannot create " + path);
  if (size > 0 && std::fwrite(data, 1, size, f) != size) finding("harness", "cannot write " + path);
  if (std::fclose(f) != 0) finding("harness", "cannot close " + path);
}

/// Runs f; the documented rejections (ParseError, IoError, MemoryLimitError, invalid_argument,
/// out_of_range) return false, anything else (bad_alloc included) is a finding.
template <class F>
bool guarded(const char* step, F&& f) {
  try {
    f();
    return true;
  } catch (const kolsim::ParseError&) {
  } catch (const kolsim::IoError&) {
  } catch (const kolsim::MemoryLimitError&) {
  } catch (const std::invalid_argument&) {
  } catch (const std::out_of_range&) {
  } catch (const std::bad_alloc& e) {
    finding(std::string(step) + ": std::bad_alloc", e.what());
  } catch (const std::exception& e) {
    finding(std::string(step) + ": unexpected exception " + typeid(e).name(), e.what());
  } catch (...) {
    finding(step, "unexpected non-standard exception");
  }
  return false;
}

/// A run record must be valid JSON (checked when nlohmann/json is installed).
inline void check_json(const char* step, const std::string& text) {
#ifdef KOLSIM_FUZZ_HAVE_JSON
  try {
    const auto parsed = nlohmann::json::parse(text);
    (void)parsed;
  } catch (const nlohmann::json::exception& e) {
    finding(std::string(step) + ": invalid JSON", e.what());
  }
#else
  (void)step;
  (void)text;
#endif
}

/// Follower graph used by the roster and audience harnesses: accounts 10, 20, ..., 80, a few
/// extreme ids (0, 2^32, 2^64 - 1) and edges that give every account something to reach.
inline kolsim::FollowerGraph small_graph() {
  using kolsim::account_t;
  const account_t big = ~account_t{0};
  const std::vector<account_t> src{10, 10, 20, 30, 40, 40, 50, 60, 70, 0, 4294967296ull, big, 80};
  const std::vector<account_t> dst{20, 30, 40, 40, 50, 60, 70, 80, 10, 10, 20, 80, 0};
  return kolsim::weighted_cascade(kolsim::build_graph(src, dst));
}

inline void remove_temp_files();

/// Called once per process: a low memory limit so that huge claimed sizes fail cleanly (as
/// MemoryLimitError) instead of allocating, and clean-up of the scratch files at exit.
inline void init() {
  ::setenv("KOLSIM_MEMORY_LIMIT", "256M", 0);
  std::atexit(remove_temp_files);
}

}  // namespace kolsim_fuzz

/// The scratch-file tags of this harness (defined by each harness, removed at exit).
extern const char* const kolsim_fuzz_temp_tags[];

inline void kolsim_fuzz::remove_temp_files() {
  for (const char* const* t = kolsim_fuzz_temp_tags; *t != nullptr; ++t) std::remove(temp_path(*t).c_str());
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  kolsim_fuzz::init();
  return 0;
}
