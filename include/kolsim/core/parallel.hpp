// SPDX-License-Identifier: MIT
/// OpenMP in one place: thread-count resolution, a thresholded parallel loop that carries
/// exceptions out of the region, and the stop token long loops poll between batches.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <utility>

#include "kolsim/core/error.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace kolsim {

/// Polled between batches by long computations; returns true to request a stop. The Python
/// bindings install one that checks for Ctrl-C. An empty token never stops.
using StopToken = std::function<bool()>;

/// Throws Interrupted when the token asks to stop.
inline void check_stop(const StopToken& stop) {
  if (stop && stop()) throw Interrupted();
}

/// Threads the machine offers (1 without OpenMP).
inline int hardware_threads() noexcept {
#ifdef _OPENMP
  return omp_get_num_procs();
#else
  return 1;
#endif
}

/// Most threads a `threads` option may ask for: 4 per processor, at least 64. Far more than
/// that only oversubscribes, and tens of thousands make the OpenMP runtime abort.
inline int max_threads() noexcept { return hardware_threads() * 4 > 64 ? hardware_threads() * 4 : 64; }

/// Resolves a `threads` option: 0 means all available, otherwise the number asked for
/// (1 without OpenMP). Negative values and values above max_threads() are an error.
inline int resolve_threads(int threads) {
  KOLSIM_REQUIRE(threads >= 0, "threads must be >= 0 (0 = all), got ", threads);
  KOLSIM_REQUIRE(threads <= max_threads(), "threads must be at most ", max_threads(),
                 " (4 per processor, at least 64), got ", threads);
#ifdef _OPENMP
  return threads == 0 ? omp_get_max_threads() : threads;
#else
  return 1;
#endif
}

/// Index of the calling thread inside a parallel region (0 outside).
inline int thread_index() noexcept {
#ifdef _OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}

/// Runs f(i) for i in [begin, end) on `threads` threads (already resolved) with dynamic chunks
/// of `chunk`; runs serially when the range is shorter than `threshold`. When several f(i)
/// throw, the exception of the lowest i is rethrown on the caller's thread after the loop, so the
/// error does not depend on the thread count or timing.
template <class F>
void parallel_for(std::size_t begin, std::size_t end, int threads, F&& f, std::size_t chunk = 64,
                  std::size_t threshold = 2) {
  (void)chunk;
  if (end <= begin) return;
  const std::size_t n = end - begin;
  if (threads <= 1 || n < threshold) {
    for (std::size_t i = begin; i < end; ++i) f(i);
    return;
  }
  std::exception_ptr error;
  std::size_t error_at = end;
  std::mutex error_mutex;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, chunk) num_threads(threads)
#endif
  for (std::size_t i = begin; i < end; ++i) {
    try {
      f(i);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (i < error_at) {
        error = std::current_exception();
        error_at = i;
      }
    }
  }
  if (error) std::rethrow_exception(error);
}

/// Runs body(t, nt) once on each thread of a team of nt <= `threads` threads (t = 0 .. nt-1),
/// carrying exceptions out (the one of the lowest t when several throw). Work split by t must
/// use nt, the team size actually granted.
template <class F>
void parallel_threads(int threads, F&& body) {
#ifndef _OPENMP
  threads = 1;
#endif
  if (threads <= 1) {
    body(0, 1);
    return;
  }
  std::exception_ptr error;
  int error_at = threads;
  std::mutex error_mutex;
#ifdef _OPENMP
#pragma omp parallel num_threads(threads)
#endif
  {
    int t = 0;
    try {
#ifdef _OPENMP
      t = omp_get_thread_num();
      body(t, omp_get_num_threads());
#endif
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (t < error_at) {
        error = std::current_exception();
        error_at = t;
      }
    }
  }
  if (error) std::rethrow_exception(error);
}

/// Polls a StopToken from inside (parallel) loops, once per unit of work: only the caller's
/// thread (thread_index() == 0; the Python token needs it) calls the token, at most once per
/// `interval` and after every `every` calls (a counter, so the clock is read rarely); once it
/// said stop, poll() returns true on every thread so they all abandon their work. Call
/// throw_if_stopped() on the caller's thread after the loop. Keep one poller for a whole call
/// so short loops still reach the interval.
class StopPoller {
 public:
  explicit StopPoller(StopToken stop, std::uint32_t every = 1,
                      std::chrono::milliseconds interval = std::chrono::milliseconds(10))
      : stop_(std::move(stop)), every_(every == 0 ? 1 : every), interval_(interval) {}
  StopPoller(const StopPoller&) = delete;
  StopPoller& operator=(const StopPoller&) = delete;

  /// True when the work should be abandoned.
  bool poll() {
    if (!stop_) return false;
    if (stopped_.load(std::memory_order_relaxed)) return true;
    if (thread_index() != 0 || ++count_ < every_) return false;
    count_ = 0;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < interval_) return false;
    last_ = now;
    if (!stop_()) return false;
    stopped_.store(true, std::memory_order_relaxed);
    return true;
  }
  /// Polls now (caller's thread, between phases) and throws Interrupted on a stop.
  void check() {
    if (stop_ && !stopped_.load(std::memory_order_relaxed) && stop_()) stopped_.store(true);
    throw_if_stopped();
  }
  bool stopped() const noexcept { return stopped_.load(std::memory_order_relaxed); }
  void throw_if_stopped() const {
    if (stopped()) throw Interrupted();
  }

 private:
  StopToken stop_;
  std::uint32_t every_;
  std::uint32_t count_ = 0;  // thread 0 only
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  std::atomic<bool> stopped_{false};
};

}  // namespace kolsim
