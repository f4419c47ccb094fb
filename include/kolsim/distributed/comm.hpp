// SPDX-License-Identifier: MIT
/// The MPI layer: MPI start-up at the thread level OpenMP needs, a communicator wrapper with the
/// few collectives the distributed algorithms use (counting the bytes they move), and the error
/// agreement that makes a failure on one rank the same exception on every rank.
///
/// Threads: OpenMP runs inside each rank and only the thread that called MPI_Init_thread calls
/// MPI (MPI_THREAD_FUNNELED). Errors: a rank whose work throws calls Communicator::fail from its
/// handler; every other rank meets that failure at its next sync() (each collective step of the
/// algorithms starts with one) and throws the same exception type with the same message, so no
/// rank waits in a collective that a failed rank will never enter. collective() wraps a whole
/// computation this way and adds the final sync().
#pragma once

#include <mpi.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <exception>
#include <new>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "kolsim/core/error.hpp"

namespace kolsim::distributed {

/// Starts MPI (MPI_Init_thread, MPI_THREAD_FUNNELED unless asked for more) unless it is running
/// already (mpi4py, a caller's own MPI_Init), and finalizes it on destruction if it started it.
class Environment {
 public:
  Environment(int* argc = nullptr, char*** argv = nullptr, int required = MPI_THREAD_FUNNELED) {
    int inited = 0;
    MPI_Initialized(&inited);
    if (inited) {
      MPI_Query_thread(&provided_);
    } else {
      MPI_Init_thread(argc, argv, required, &provided_);
      owner_ = true;
    }
    KOLSIM_REQUIRE(provided_ >= required, "MPI provides thread level ", provided_, ", kolsim needs ", required,
                   " (MPI_THREAD_FUNNELED: OpenMP threads inside ranks, MPI calls from the main thread)");
  }
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;
  ~Environment() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (owner_ && !finalized) MPI_Finalize();
  }
  int provided() const noexcept { return provided_; }

 private:
  int provided_ = 0;
  bool owner_ = false;
};

/// The exception kinds that travel between ranks (what() travels verbatim).
enum class ErrorKind : std::int32_t {
  invalid_argument = 1, out_of_range, parse, io, memory_limit, interrupted, bad_alloc, runtime
};

/// A communicator (not owned: the caller keeps MPI_COMM_WORLD or its own alive) with the
/// collectives of the distributed algorithms and a count of the payload bytes they moved.
class Communicator {
 public:
  explicit Communicator(MPI_Comm comm = MPI_COMM_WORLD) : comm_(comm) {
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
  }
  MPI_Comm get() const noexcept { return comm_; }
  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }
  bool root() const noexcept { return rank_ == 0; }

  /// Payload bytes this rank received from collectives so far (its own contribution excluded).
  std::uint64_t bytes_received() const noexcept { return received_; }
  /// Payload bytes this rank sent (its contributions, once per collective).
  std::uint64_t bytes_sent() const noexcept { return sent_; }

  /// [lo, hi) of [0, count) that `rank` owns: contiguous blocks in rank order.
  std::uint64_t block_begin(std::uint64_t count, int rank) const noexcept {
    const auto r = static_cast<std::uint64_t>(rank), p = static_cast<std::uint64_t>(size_);
    return count / p * r + count % p * r / p;  // floor(count * r / p) without overflow
  }

  /// Agreement point: returns if no rank failed since the last one, else throws the failure of
  /// the lowest failed rank (the same exception type and message on every rank).
  void sync() { agree(nullptr); }

  /// From a catch block of a rank whose work failed: takes part in the other ranks' next sync()
  /// and throws the agreed failure (this rank's, unless a lower rank failed too).
  [[noreturn]] void fail(std::exception_ptr error) {
    try {
      agree(&error);
    } catch (...) {
      agreed_ = false;  // this failure is over once it leaves here
      throw;
    }
    std::rethrow_exception(error);  // unreachable: agree throws
  }

  /// True (once) if the exception in flight was thrown by an agreement: do not fail() again.
  bool take_agreed() noexcept { return std::exchange(agreed_, false); }

  /// Element-wise sum over ranks, in place.
  void allreduce_sum(std::span<std::uint64_t> values) {
    MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_UINT64_T, MPI_SUM, comm_);
    count(values.size_bytes(), values.size_bytes() * static_cast<std::uint64_t>(size_ - 1));
  }
  std::uint64_t allreduce_sum(std::uint64_t v) {
    allreduce_sum(std::span<std::uint64_t>(&v, 1));
    return v;
  }
  /// Large dense sums in chunks below INT_MAX elements.
  void allreduce_sum_chunked(std::span<std::uint64_t> values) {
    constexpr std::size_t chunk = std::size_t{1} << 28;
    for (std::size_t i = 0; i < values.size(); i += chunk)
      allreduce_sum(values.subspan(i, std::min(chunk, values.size() - i)));
  }

  /// Every rank's `mine`, concatenated in rank order (T trivially copyable).
  template <class T>
  std::vector<T> allgatherv(std::span<const T> mine) {
    static_assert(std::is_trivially_copyable_v<T>);
    const auto my_bytes = static_cast<long long>(mine.size_bytes());
    std::vector<long long> sizes(static_cast<std::size_t>(size_));
    MPI_Allgather(&my_bytes, 1, MPI_LONG_LONG, sizes.data(), 1, MPI_LONG_LONG, comm_);
    long long total = 0;
    for (long long s : sizes) total += s;
    KOLSIM_REQUIRE(total < (1LL << 31) - 1, "allgatherv: ", total, " bytes exceed one MPI message");
    std::vector<int> counts(sizes.begin(), sizes.end()), displs(static_cast<std::size_t>(size_), 0);
    for (int r = 1; r < size_; ++r) displs[static_cast<std::size_t>(r)] = displs[static_cast<std::size_t>(r - 1)] + counts[static_cast<std::size_t>(r - 1)];
    std::vector<T> all(static_cast<std::size_t>(total) / sizeof(T));
    MPI_Allgatherv(mine.data(), static_cast<int>(my_bytes), MPI_BYTE, all.data(), counts.data(), displs.data(),
                   MPI_BYTE, comm_);
    count(static_cast<std::uint64_t>(my_bytes) + 8, static_cast<std::uint64_t>(total - my_bytes) + 8u * static_cast<std::uint64_t>(size_ - 1));
    return all;
  }

  /// Broadcasts `s` from `from`.
  void broadcast(std::string& s, int from) {
    long long len = static_cast<long long>(s.size());
    MPI_Bcast(&len, 1, MPI_LONG_LONG, from, comm_);
    s.resize(static_cast<std::size_t>(len));
    MPI_Bcast(s.data(), static_cast<int>(len), MPI_CHAR, from, comm_);
  }

 private:
  void count(std::uint64_t sent, std::uint64_t received) noexcept {
    sent_ += sent;
    received_ += received;
  }

  /// One MIN-reduction of (failed ? rank : size); if some rank failed, its error is broadcast
  /// from the lowest failed rank and rethrown everywhere.
  void agree(const std::exception_ptr* mine) {
    int flag = mine ? rank_ : size_;
    int first = size_;
    MPI_Allreduce(&flag, &first, 1, MPI_INT, MPI_MIN, comm_);
    if (first == size_) return;
    agreed_ = true;  // whatever is thrown below is the agreed failure
    std::int32_t kind = 0;
    std::string what, file;
    std::uint64_t line = 0;
    if (first == rank_) describe(*mine, kind, what, file, line);
    MPI_Bcast(&kind, 1, MPI_INT32_T, first, comm_);
    MPI_Bcast(&line, 1, MPI_UINT64_T, first, comm_);
    broadcast(what, first);
    broadcast(file, first);
    switch (static_cast<ErrorKind>(kind)) {
      case ErrorKind::invalid_argument: throw std::invalid_argument(what);
      case ErrorKind::out_of_range: throw std::out_of_range(what);
      case ErrorKind::parse: {
        // what = "file[:line]: message": rebuild the parts so file() and line() agree too.
        const std::string head = line > 0 ? file + ":" + std::to_string(line) + ": " : file + ": ";
        throw ParseError(file, line, what.rfind(head, 0) == 0 ? what.substr(head.size()) : what);
      }
      case ErrorKind::io: throw IoError(what);
      case ErrorKind::memory_limit: throw MemoryLimitError(what);
      case ErrorKind::interrupted: throw Interrupted();
      case ErrorKind::bad_alloc: throw std::bad_alloc();
      default: throw std::runtime_error(what);
    }
  }

  static void describe(const std::exception_ptr& e, std::int32_t& kind, std::string& what, std::string& file,
                       std::uint64_t& line) {
    try {
      std::rethrow_exception(e);
    } catch (const ParseError& x) {
      kind = static_cast<std::int32_t>(ErrorKind::parse), what = x.what(), file = x.file(), line = x.line();
    } catch (const IoError& x) {
      kind = static_cast<std::int32_t>(ErrorKind::io), what = x.what();
    } catch (const MemoryLimitError& x) {
      kind = static_cast<std::int32_t>(ErrorKind::memory_limit), what = x.what();
    } catch (const Interrupted& x) {
      kind = static_cast<std::int32_t>(ErrorKind::interrupted), what = x.what();
    } catch (const std::invalid_argument& x) {
      kind = static_cast<std::int32_t>(ErrorKind::invalid_argument), what = x.what();
    } catch (const std::out_of_range& x) {
      kind = static_cast<std::int32_t>(ErrorKind::out_of_range), what = x.what();
    } catch (const std::bad_alloc& x) {
      kind = static_cast<std::int32_t>(ErrorKind::bad_alloc), what = x.what();
    } catch (const std::exception& x) {
      kind = static_cast<std::int32_t>(ErrorKind::runtime), what = x.what();
    } catch (...) {
      kind = static_cast<std::int32_t>(ErrorKind::runtime), what = "unknown error";
    }
  }

  MPI_Comm comm_;
  int rank_ = 0, size_ = 1;
  std::uint64_t sent_ = 0, received_ = 0;
  bool agreed_ = false;
};

namespace detail {
/// Runs f() (which may call comm.sync() at its collective steps) on every rank, then a final
/// sync(). A local throw makes every rank throw the same exception; an exception that came
/// out of a sync() is agreed already and passes through.
template <class F>
auto collective(Communicator& comm, F&& f) -> decltype(f()) {
  try {
    if constexpr (std::is_void_v<decltype(f())>) {
      f();
      comm.sync();
    } else {
      auto r = f();
      comm.sync();
      return r;
    }
  } catch (...) {
    if (comm.take_agreed()) throw;
    comm.fail(std::current_exception());
  }
}
}  // namespace detail

}  // namespace kolsim::distributed
