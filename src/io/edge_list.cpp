// SPDX-License-Identifier: MIT
/// Parallel text edge-list parser (whitespace / CSV, optional gzip) and the edge-list writer.
#include "kolsim/io/edge_list.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <new>
#include <span>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include "kolsim/core/error.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/memory.hpp"
#include "kolsim/io/atomic_file.hpp"
#include "read_input.hpp"
#include "text_fields.hpp"

namespace kolsim {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

using detail::Bytes;
using detail::PageBuffer;
using detail::read_padding;

[[noreturn]] void io_fail(const std::string& what, const std::string& path, int err) {
  throw IoError(detail::concat(what, " '", path, "': ", std::system_category().message(err)));
}

/// Throws MemoryLimitError: `what` of `path` needs more than `limit` bytes in memory.
[[noreturn]] void too_big(const std::string& what, const std::string& path, std::uint64_t limit) {
  throw MemoryLimitError(detail::concat(what, " '", path, "' needs more than ", limit >> 20,
                                        " MiB, the usable memory (the smallest of 80% of RAM, the cgroup "
                                        "limit, ulimit -v / -d, KOLSIM_MEMORY_LIMIT)"));
}

/// Grows `b` so that `need` bytes (plus padding) fit, doubling up to `limit`; throws MemoryLimitError
/// (naming `what` of `path`) when the limit is reached.
void reserve_bounded(Bytes& b, std::size_t need, std::uint64_t limit, const char* what, const std::string& path) {
  if (need + read_padding <= b.data.capacity()) return;
  if (need > limit) too_big(what, path, limit);
  std::size_t cap = std::max<std::size_t>(b.data.capacity(), 1);
  while (cap < need + read_padding) cap *= 2;
  cap = static_cast<std::size_t>(std::min<std::uint64_t>(cap, limit + read_padding));
  b.data.grow(cap);
}

bool has_gzip_magic(const Bytes& b) {
  return b.size >= 2 && static_cast<unsigned char>(b.data[0]) == 0x1f && static_cast<unsigned char>(b.data[1]) == 0x8b;
}

/// Counts '\n' bytes eight at a time (SWAR): several GB/s, where std::count manages ~0.6 GB/s.
std::uint64_t count_newlines(const char* p, std::size_t n) {
  constexpr std::uint64_t ones = 0x0101010101010101ull, low7 = 0x7f7f7f7f7f7f7f7full;
  std::uint64_t count = 0;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    const std::uint64_t x = w ^ (ones * '\n');                  // zero byte where w had '\n'
    const std::uint64_t t = ((x & low7) + low7) | x;             // high bit set where x byte != 0
    count += (((~t & (ones << 7)) >> 7) * ones) >> 56;  // byte-sum by multiplication (no popcnt needed)
  }
  for (; i < n; ++i) count += p[i] == '\n';
  return count;
}

/// Decompresses a (possibly multi-member) gzip buffer; truncation and corruption are ParseErrors
/// naming the file and the line the data stopped in. The output is bounded by `limit`.
Bytes gunzip(const Bytes& in, const std::string& path, const StopToken& stop, std::uint64_t limit) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) throw std::bad_alloc();
  struct Ender {
    z_stream* zs;
    ~Ender() { inflateEnd(zs); }
  } ender{&zs};
  Bytes out;
  reserve_bounded(out, std::min<std::uint64_t>(std::max<std::size_t>(in.size * 4, std::size_t{1} << 20), limit), limit,
                  "decompressing", path);
  std::size_t in_pos = 0;
  auto where = [&] { return count_newlines(out.data.get(), out.size) + 1; };
  // At most 16 MiB per inflate call: the stop token is polled every few milliseconds.
  constexpr std::size_t step = std::size_t{1} << 24;
  for (;;) {
    check_stop(stop);
    if (out.size + read_padding == out.data.capacity()) reserve_bounded(out, out.size + 1, limit, "decompressing", path);
    const std::size_t in_avail = std::min<std::size_t>(in.size - in_pos, std::size_t{1} << 30);
    const std::size_t out_avail = std::min<std::size_t>(out.data.capacity() - read_padding - out.size, step);
    zs.next_in = reinterpret_cast<Bytef*>(in.data.get() + in_pos);
    zs.avail_in = static_cast<uInt>(in_avail);
    zs.next_out = reinterpret_cast<Bytef*>(out.data.get() + out.size);
    zs.avail_out = static_cast<uInt>(out_avail);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    in_pos += in_avail - zs.avail_in;
    out.size += out_avail - zs.avail_out;
    if (rc == Z_STREAM_END) {
      if (in_pos == in.size) break;
      if (in.size - in_pos >= 2 && static_cast<unsigned char>(in.data[in_pos]) == 0x1f &&
          static_cast<unsigned char>(in.data[in_pos + 1]) == 0x8b) {
        inflateReset(&zs);  // next gzip member
        continue;
      }
      throw ParseError(path, 0, detail::concat("unexpected ", in.size - in_pos,
                                               " bytes after the end of the gzip stream"));
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && zs.avail_out == 0) continue;  // output full: grow
    if (rc == Z_BUF_ERROR)
      throw ParseError(path, where(), detail::concat("gzip stream is truncated (unexpected end of file after ",
                                                     out.size, " decompressed bytes)"));
    if (rc == Z_MEM_ERROR) throw std::bad_alloc();
    throw ParseError(path, where(), detail::concat("gzip data is corrupt (", zs.msg ? zs.msg : "inflate error",
                                                   ") after ", out.size, " decompressed bytes"));
  }
  return out;
}

std::string lowercase(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

using detail::quote_token;
constexpr auto quote = [](std::string_view t) { return quote_token(t); };

/// The text of an edge list: decompressed when it starts with the gzip magic, lone CRs
/// rewritten as LF (line ends are LF, CRLF or a lone CR, as for every reader).
Bytes to_text(Bytes raw, const std::string& path, const StopToken& stop) {
  raw = detail::gunzip_if_compressed(std::move(raw), path, stop);
  detail::lone_cr_to_lf(raw.data.get(), raw.size);
  return raw;
}

enum class LineKind { blank, comment, data };

struct Syntax {
  bool csv = false;
  std::array<bool, 256> comment{};
  int prob_col = -1;
  bool ignore_extra = false;
  std::size_t expected_fields = 0;  ///< fields of the first data line
  std::size_t min_fields = 2;       ///< 2, or prob_col + 1
};

inline bool is_blank(char c) { return detail::is_field_blank(c); }

LineKind classify(const char* p, const char* eol, const Syntax& syn) {
  while (p < eol && is_blank(*p)) ++p;
  if (p == eol) return LineKind::blank;
  if (syn.comment[static_cast<unsigned char>(*p)]) return LineKind::comment;
  return LineKind::data;
}

/// Calls tok(index, token) for each field of a line; returns the number of fields.
template <class F>
std::size_t for_each_field(const char* p, const char* eol, bool csv, F&& tok) {
  const std::string_view line(p, static_cast<std::size_t>(eol - p));
  return csv ? detail::for_each_csv_field(line, tok) : detail::for_each_blank_field(line, tok);
}

/// Parses an unsigned 64-bit account id; on failure writes a message and returns false.
bool parse_id(std::string_view t, std::size_t field, account_t& out, std::string& err) {
  switch (detail::parse_account_id(t, out)) {
    case detail::NumberStatus::ok: return true;
    case detail::NumberStatus::empty:
      err = detail::concat("empty field ", field + 1, " (expected an account id)");
      return false;
    case detail::NumberStatus::negative:
      err = detail::concat("account id ", quote(t), " is negative (ids are unsigned 64-bit integers)");
      return false;
    case detail::NumberStatus::overflow:
      err = detail::concat("account id ", quote(t), " does not fit in 64 bits");
      return false;
    default:
      err = detail::concat("account id ", quote(t), " in field ", field + 1, " is not a non-negative integer");
      return false;
  }
}

bool parse_prob(std::string_view t, std::size_t field, prob_t& out, std::string& err) {
  double v = 0;
  switch (detail::parse_real(t, v)) {
    case detail::NumberStatus::ok: break;
    case detail::NumberStatus::empty:
      err = detail::concat("empty field ", field + 1, " (expected a probability)");
      return false;
    case detail::NumberStatus::overflow:
      err = detail::concat("probability ", quote(t), " is out of range");
      return false;
    default: {
      std::string_view w = t.substr(t[0] == '+' || t[0] == '-' ? 1 : 0);
      const bool special = w.size() >= 3 && (lowercase(std::string(w.substr(0, 3))) == "inf" ||
                                             lowercase(std::string(w.substr(0, 3))) == "nan");
      err = special ? detail::concat("probability ", quote(t), " is not a finite number")
                    : detail::concat("probability ", quote(t), " in field ", field + 1, " is not a number");
      return false;
    }
  }
  if (!(v >= 0.0 && v <= 1.0)) {
    err = detail::concat("probability ", quote(t), " is outside [0, 1]");
    return false;
  }
  out = static_cast<prob_t>(v);
  return true;
}

/// Parses one data line. Returns false with a message on error.
/// Columns tracked for EdgeListReport::unused_numeric_columns: bit c of a mask is column c.
constexpr std::size_t tracked_columns = 64;

/// True when an unused field could be a probability column: a number in [0, 1].
inline bool probability_like(std::string_view t) {
  double v;
  return detail::parse_real(t, v) == detail::NumberStatus::ok && v >= 0.0 && v <= 1.0;
}

/// Parses one data line. Returns false with a message on error. Clears bit c of `numeric` when
/// unused column c is not probability_like, and lowers `min_fields` to the line's field count.
bool parse_edge_line(const char* p, const char* eol, const Syntax& syn, account_t& a, account_t& b, prob_t& pr,
                     std::string& err, std::uint64_t& numeric, std::size_t& min_fields) {
  bool ok = true;
  const std::size_t fields = for_each_field(p, eol, syn.csv, [&](std::size_t f, std::string_view t) {
    if (f == 0) return ok = parse_id(t, f, a, err);
    if (f == 1) return ok = parse_id(t, f, b, err);
    if (static_cast<int>(f) == syn.prob_col) return ok = parse_prob(t, f, pr, err);
    if (f < tracked_columns && (numeric >> f & 1u) && !probability_like(t)) numeric &= ~(std::uint64_t{1} << f);
    if (t.empty() && syn.csv && !syn.ignore_extra) {
      err = detail::concat("empty field ", f + 1);
      return ok = false;
    }
    return true;
  });
  if (!ok) return false;
  if (fields < 2) {
    err = detail::concat("line has ", fields, " field; an edge line needs two account ids (", syn.csv ? "comma" : "whitespace",
                         "-separated)");
    return false;
  }
  if (fields < syn.min_fields) {
    err = detail::concat("line has ", fields, " fields but probability_column is ", syn.prob_col);
    return false;
  }
  if (!syn.ignore_extra && fields != syn.expected_fields) {
    err = detail::concat("line has ", fields, " fields but the first data line has ", syn.expected_fields,
                         " (set ignore_extra_columns to allow more)");
    return false;
  }
  min_fields = std::min(min_fields, fields);
  return true;
}

struct Chunk {
  const char* begin = nullptr;
  const char* end = nullptr;
  std::uint64_t first_line = 0;  ///< 1-based file line of the chunk's first line
  std::uint64_t lines = 0;
  std::uint64_t base = 0;  ///< slot of the chunk's first edge in the parse arrays (capacity = lines)
  std::uint64_t out = 0;   ///< index of the chunk's first edge after compaction
  std::uint64_t comments = 0, blanks = 0, edges = 0;
  bool failed = false;
  bool interrupted = false;
  std::uint64_t fail_line = 0;
  std::string message;
  std::uint64_t numeric = ~std::uint64_t{0};  ///< bit c: unused column c was probability_like so far
  std::size_t min_fields = std::numeric_limits<std::size_t>::max();  ///< fewest fields on a data line
};

const char* line_end(const char* p, const char* end) {
  const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
  return nl ? static_cast<const char*>(nl) : end;
}

/// Reads the run of decimal digits at q, eight bytes at a time (needs read_padding readable bytes
/// past the data), advances q past it and returns its length; stops after 24 digits. The value
/// is exact for up to 19 digits.
inline int swar_digits(const char*& q, std::uint64_t& out) {
  constexpr std::uint64_t high = 0xF0F0F0F0F0F0F0F0ull, threes = 0x3030303030303030ull,
                          low7 = 0x7f7f7f7f7f7f7f7full, top = 0x8080808080808080ull;
  static constexpr std::uint64_t pow10[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
  std::uint64_t v = 0;
  int total = 0;
  for (int word = 0; word < 3; ++word) {
    std::uint64_t w;
    std::memcpy(&w, q, 8);
    // Non-zero byte = not a digit: high nibble is not 3, or the low nibble is above 9. A carry
    // out of a byte >= 0xFA only reaches bytes after that (non-digit) byte.
    const std::uint64_t y = ((w & high) ^ threes) | (((w + 0x0606060606060606ull) & high) ^ threes);
    const std::uint64_t t = (((y & low7) + low7) | y) & top;
    const int len = t ? __builtin_ctzll(t) / 8 : 8;
    if (len == 0) break;
    std::uint64_t d = w << (8 * (8 - len));  // digits to the high bytes, leading zeros below
    d = ((d & 0x0F0F0F0F0F0F0F0Full) * 2561) >> 8;
    d = ((d & 0x00FF00FF00FF00FFull) * 6553601) >> 16;
    d = ((d & 0x0000FFFF0000FFFFull) * 42949672960001ull) >> 32;
    v = v * pow10[len] + d;
    total += len;
    q += len;
    if (len < 8) break;
  }
  out = v;
  return total;
}

/// Fast path for the common line shapes ("id sep id [sep token]" with the expected field count):
/// parses one line starting at q and advances q past its newline. Returns false, leaving the
/// outputs unspecified, for anything else (blank, comment, 20-digit ids, odd spacing, errors);
/// the general path then decides. It accepts only lines the general path accepts, with equal values.
inline bool fast_line(const char*& q_ref, const char* end, const Syntax& syn, account_t& a, account_t& b, prob_t& pr,
                      std::uint64_t& numeric) {
  const char* q = q_ref;
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  auto digits = [&](account_t& out) {
    const int n = swar_digits(q, out);
    return n > 0 && n <= 19;  // 19 digits cannot overflow 64 bits
  };
  auto separator = [&] {
    if (syn.csv) {
      while (q < end && blank(*q)) ++q;
      if (q == end || *q != ',') return false;
      ++q;
      while (q < end && blank(*q)) ++q;
      return true;
    }
    if (q == end || !blank(*q)) return false;
    while (q < end && blank(*q)) ++q;
    return true;
  };
  while (q < end && blank(*q)) ++q;
  if (!digits(a) || !separator() || !digits(b)) return false;
  if (syn.expected_fields == 3) {
    if (!separator()) return false;
    const char* s = q;
    while (q < end && !blank(*q) && *q != ',' && *q != '\r' && *q != '\n') ++q;
    if (q == s) return false;
    if (syn.prob_col == 2) {
      double v;
      const auto r = std::from_chars(s, q, v);
      if (r.ec != std::errc() || r.ptr != q || !(v >= 0.0 && v <= 1.0)) return false;
      pr = static_cast<prob_t>(v);
    } else if ((numeric & 4u) && !probability_like(std::string_view(s, static_cast<std::size_t>(q - s)))) {
      numeric &= ~std::uint64_t{4};  // an unused third column that is not a probability
    }
  }
  while (q < end && (blank(*q) || *q == '\r')) ++q;
  if (q < end) {
    if (*q != '\n') return false;
    ++q;
  }
  q_ref = q;
  return true;
}

void parse_chunk(Chunk& c, const Syntax& syn, account_t* src, account_t* dst, prob_t* prob, const StopToken& stop) {
  if (stop && stop()) {
    c.failed = c.interrupted = true;
    return;
  }
  const char* p = c.begin;
  std::uint64_t line = c.first_line;
  std::uint64_t k = c.base;
  std::string err;
  prob_t pr = 0;
  const bool fast = !syn.ignore_extra && ((syn.prob_col < 0 && (syn.expected_fields == 2 || syn.expected_fields == 3)) ||
                                           (syn.prob_col == 2 && syn.expected_fields == 3));
  while (p < c.end) {
    if (fast && fast_line(p, c.end, syn, src[k], dst[k], pr, c.numeric)) {
      if (prob) prob[k] = pr;
      ++k;
      ++line;
      continue;
    }
    const char* eol = line_end(p, c.end);
    switch (classify(p, eol, syn)) {
      case LineKind::blank: ++c.blanks; break;
      case LineKind::comment: ++c.comments; break;
      case LineKind::data:
        if (!parse_edge_line(p, eol, syn, src[k], dst[k], pr, err, c.numeric, c.min_fields)) {
          c.failed = true;
          c.fail_line = line;
          c.message = std::move(err);
          return;
        }
        if (prob) prob[k] = pr;
        ++k;
        break;
    }
    ++line;
    p = eol < c.end ? eol + 1 : c.end;
  }
  c.edges = k - c.base;
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// The line syntax the options ask for (the format, comment characters, columns).
Syntax make_syntax(const EdgeListOptions& options, const std::string& path) {
  Syntax syn;
  switch (options.format) {
    case EdgeFormat::csv: syn.csv = true; break;
    case EdgeFormat::whitespace: syn.csv = false; break;
    case EdgeFormat::auto_detect: {
      const std::string lower = lowercase(path);
      syn.csv = ends_with(lower, ".csv") || ends_with(lower, ".csv.gz");
      break;
    }
  }
  for (char c : options.comment_chars) {
    KOLSIM_REQUIRE(!(c >= '0' && c <= '9') && !is_blank(c) && c != '\n' && c != ',' && c != '-' && c != '.',
                   "read_edge_list: comment character ", quote(std::string_view(&c, 1)), " would hide data");
    syn.comment[static_cast<unsigned char>(c)] = true;
  }
  syn.prob_col = options.probability_column;
  syn.ignore_extra = options.ignore_extra_columns;
  syn.min_fields = std::max<std::size_t>(2, static_cast<std::size_t>(options.probability_column + 1));
  return syn;
}

/// Where the data lines start, and the "n m" header line's values.
struct Preamble {
  const char* data_start = nullptr;
  std::uint64_t data_first_line = 0;  ///< file line of the first data line
  std::uint64_t header_line = 0, header_n = 0, header_m = 0;
};

/// Reads the preamble (serial, up to the first data line): comments, blank lines, the csv header,
/// the "n m" line, and the first data line, whose field count every later line must match
/// (stored in syn.expected_fields). Throws ParseError when the file holds no data line.
Preamble read_preamble(const char* text, const char* end, Syntax& syn, const EdgeListOptions& options,
                       const std::string& path, EdgeListReport& rep) {
  const char* p = text;
  std::uint64_t line = 0;
  bool header_pending = syn.csv && options.csv_header;
  bool counts_pending = options.first_line_counts;
  Preamble pre;
  while (p < end) {
    const char* eol = line_end(p, end);
    ++line;
    const LineKind kind = classify(p, eol, syn);
    if (kind == LineKind::blank) {
      ++rep.blank_lines;
    } else if (kind == LineKind::comment) {
      ++rep.comment_lines;
    } else if (header_pending) {
      header_pending = false;
    } else if (counts_pending) {
      counts_pending = false;
      pre.header_line = line;
      std::string err;
      std::uint64_t vals[2] = {0, 0};
      bool ok = true;
      const std::size_t fields = for_each_field(p, eol, syn.csv, [&](std::size_t f, std::string_view t) {
        if (f < 2 && !parse_id(t, f, vals[f], err)) {
          err = detail::concat("bad \"n m\" header line (first_line_counts): ", err);
          return ok = false;
        }
        return true;
      });
      if (ok && fields != 2)
        err = detail::concat("the \"n m\" header line (first_line_counts) has ", fields, " fields, expected 2"), ok = false;
      if (!ok) throw ParseError(path, line, err);
      pre.header_n = vals[0];
      pre.header_m = vals[1];
    } else {
      pre.data_start = p;
      syn.expected_fields = for_each_field(p, eol, syn.csv, [](std::size_t, std::string_view) { return true; });
      break;
    }
    p = eol < end ? eol + 1 : end;
  }
  if (pre.data_start == nullptr)
    throw ParseError(path, 0,
                     end == text ? std::string("no edges: the file is empty")
                                   : std::string("no edges: the file holds only comments, blank lines or headers"));
  pre.data_first_line = line;
  return pre;
}

/// Cuts [data_start, end) into newline-aligned chunks (fixed size, between 1 and 64 MiB),
/// counts their lines in parallel and sets, by prefix sums, each chunk's first file line and the
/// slots its edges go to before it is parsed; `slots` receives the total.
std::vector<Chunk> cut_chunks(const char* data_start, const char* end, std::uint64_t data_first_line, int threads,
                              std::uint64_t& slots) {
  const auto total = static_cast<std::size_t>(end - data_start);
  const std::size_t min_chunk = std::size_t{1} << 20;
  const std::size_t max_chunk = std::size_t{1} << 26;  // parsed in ~0.1 s: the stop token's period
  const std::size_t chunk_size = std::min(
      max_chunk,
      std::max(min_chunk, (total + static_cast<std::size_t>(threads) * 8 - 1) / (static_cast<std::size_t>(threads) * 8)));
  std::vector<Chunk> chunks;
  for (const char* s = data_start; s < end;) {
    Chunk c;
    c.begin = s;
    const char* target = static_cast<std::size_t>(end - s) > chunk_size ? s + chunk_size : end;
    c.end = target < end ? line_end(target, end) : end;
    if (c.end < end) ++c.end;  // include the newline
    s = c.end;
    chunks.push_back(std::move(c));
  }
  parallel_for(0, chunks.size(), threads, [&](std::size_t i) {
    Chunk& c = chunks[i];
    c.lines = count_newlines(c.begin, static_cast<std::size_t>(c.end - c.begin));
    if (c.end == end && c.end[-1] != '\n') ++c.lines;
  }, 1);
  slots = 0;
  {
    std::uint64_t l = data_first_line;
    for (auto& c : chunks) {
      c.first_line = l;
      c.base = slots;
      l += c.lines;
      slots += c.lines;
    }
  }
  return chunks;
}

/// Unused columns that hold a probability on every data line (probably a forgotten
/// probability_column) go to rep.unused_numeric_columns. Columns present on every line: all of
/// them, unless extra ones are allowed.
void note_unused_columns(const std::vector<Chunk>& chunks, const Syntax& syn, EdgeListReport& rep) {
  std::uint64_t numeric = ~std::uint64_t{0};
  std::size_t present = syn.expected_fields;
  for (const auto& c : chunks) {
    numeric &= c.numeric;
    if (syn.ignore_extra) present = std::min(present, c.min_fields);
  }
  for (std::size_t col = 2; col < std::min(present, tracked_columns); ++col)
    if ((numeric >> col & 1u) && static_cast<int>(col) != syn.prob_col) rep.unused_numeric_columns.push_back(static_cast<int>(col));
}

/// Moves the per-chunk runs of edges into one run in file order (chunk by chunk: later runs only
/// move down; nothing moves when no line was blank or a comment) and adds the chunks' comment and
/// blank lines to `rep`. Returns the number of edges.
std::uint64_t compact(std::vector<Chunk>& chunks, account_t* src, account_t* dst, prob_t* prob, EdgeListReport& rep) {
  std::uint64_t m = 0;
  for (auto& c : chunks) {
    c.out = m;
    if (c.base != m) {
      std::memmove(src + m, src + c.base, c.edges * sizeof(account_t));
      std::memmove(dst + m, dst + c.base, c.edges * sizeof(account_t));
      if (prob) std::memmove(prob + m, prob + c.base, c.edges * sizeof(prob_t));
    }
    m += c.edges;
    rep.comment_lines += c.comments;
    rep.blank_lines += c.blanks;
  }
  return m;
}

/// check_lt_weights: when some account's in-weights sum to more than 1 (+ 1e-4), replays the
/// input in file order with the graph's self-loop and duplicate policies and throws ParseError
/// at the edge line where a violating account first goes over (locate(i): line and text of
/// input edge i).
template <class Locate>
void check_lt_weights(const FollowerGraph& g, const account_t* src, const account_t* dst, const prob_t* prob,
                      std::uint64_t m, const BuildOptions& b, const std::string& path, Locate&& locate) {
  constexpr double tolerance = 1e-4;
  std::unordered_map<account_t, double> over;  // violating target account -> running sum
  for (vertex_t v = 0; v < g.num_vertices(); ++v) {
    double s = 0;
    for (prob_t w : g.in_probs(v)) s += w;
    if (s > 1.0 + tolerance) over.emplace(g.accounts()[v], 0.0);
  }
  if (!over.empty()) {
    // Replay the input in file order with the graph's self-loop and duplicate policies to
    // find the edge line at which a violating account first goes over.
    std::map<std::pair<account_t, account_t>, double> pair_weight;
    auto add = [&](account_t u, account_t v, double w) -> double {
      auto it = over.find(v);
      if (it == over.end()) return -1.0;
      auto [pw, fresh] = pair_weight.try_emplace({u, v}, 0.0);
      double delta = w;
      if (!fresh) {
        switch (b.duplicates) {
          case Duplicates::first: delta = 0; break;
          case Duplicates::max: delta = std::max(0.0, w - pw->second); break;
          case Duplicates::combine: delta = (1 - (1 - pw->second) * (1 - w)) - pw->second; break;
          default: break;
        }
      }
      pw->second += delta;
      it->second += delta;
      return it->second;
    };
    for (std::uint64_t i = 0; i < m; ++i) {
      account_t u = src[i], v = dst[i];
      if (b.flip) std::swap(u, v);
      if (u == v && b.self_loops == SelfLoops::drop) continue;
      double s = add(u, v, prob[i]);
      if (b.undirected && u != v) s = std::max(s, add(v, u, prob[i]));
      if (s > 1.0 + tolerance) {
        auto [ln, textv] = locate(i);
        account_t who = v;
        if (b.undirected && over.count(u) && over[u] > 1.0 + tolerance) who = u;
        throw ParseError(path, ln,
                         detail::concat("LT weights into account ", who, " sum to ", over[who],
                                        " > 1 at this edge (check_lt_weights); the line reads ", quote(textv)));
      }
    }
    throw ParseError(path, 0,
                     detail::concat("LT weights into account ", over.begin()->first, " sum to more than 1 (check_lt_weights)"));
  }
}

/// Refuses option combinations read_edge_list cannot honour, before any byte is read.
void check_edge_list_options(const EdgeListOptions& options) {
  KOLSIM_REQUIRE(options.probability_column == -1 || options.probability_column >= 2,
                 "read_edge_list: probability_column must be -1 (none) or >= 2 (columns 0 and 1 hold the ids), got ",
                 options.probability_column);
  KOLSIM_REQUIRE(!options.check_lt_weights || options.probability_column >= 0,
                 "read_edge_list: check_lt_weights needs a probability_column");
}

/// The parsed edges: one slot per data line (compacted to the first m after parsing).
struct EdgeArrays {
  MallocIds src{nullptr, &std::free}, dst{nullptr, &std::free};
  std::unique_ptr<prob_t[]> prob;
  std::uint64_t m = 0;
};

/// Allocates the id (and probability) arrays for `slots` lines after checking the memory budget.
EdgeArrays allocate_edge_arrays(std::uint64_t slots, bool has_p, std::size_t text_bytes, const std::string& path) {
  require_memory(detail::concat("reading '", path, "' (", slots, " lines)"),
                 static_cast<double>(slots) * (2 * sizeof(account_t) + (has_p ? sizeof(prob_t) : 0)) +
                     static_cast<double>(text_bytes));
  auto ids = [&] {
    MallocIds a(static_cast<account_t*>(std::malloc(std::max<std::uint64_t>(slots, 1) * sizeof(account_t))), &std::free);
    if (!a) throw std::bad_alloc();
    return a;
  };
  EdgeArrays arr;
  arr.src = ids();
  arr.dst = ids();
  if (has_p) arr.prob.reset(new prob_t[slots]);
  return arr;
}

/// Parses every chunk in parallel into `arr`, reporting "parse" progress in bytes; throws the
/// first chunk's (in file order) ParseError, or Interrupted. Each chunk's text pages go back to
/// the system once it is parsed (only the id arrays grow meanwhile) when the file can be read
/// again to quote a line. The first bytes of a chunk stay: its predecessor's parser may read a
/// little past its own end.
void parse_chunks(std::vector<Chunk>& chunks, const Syntax& syn, EdgeArrays& arr, const char* data_start,
                  const char* end, bool reloadable, int threads, const EdgeListOptions& options,
                  const std::string& path) {
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto parse_total = static_cast<std::uint64_t>(end - data_start);
  std::atomic<std::uint64_t> parsed{0};
  report_progress(options.progress, "parse", 0, parse_total);
  parallel_for(0, chunks.size(), threads, [&](std::size_t i) {
    parse_chunk(chunks[i], syn, arr.src.get(), arr.dst.get(), arr.prob.get(), options.stop);
    const auto bytes = static_cast<std::uint64_t>(chunks[i].end - chunks[i].begin);
    const std::uint64_t done = parsed.fetch_add(bytes) + bytes;
    if (done < parse_total) report_progress(options.progress, "parse", done, parse_total);  // the end: below
    if (!reloadable) return;
    const auto lo = (reinterpret_cast<std::uintptr_t>(chunks[i].begin) + 64 + page - 1) / page * page;
    const auto hi = reinterpret_cast<std::uintptr_t>(chunks[i].end) / page * page;
    if (hi > lo) ::madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_DONTNEED);
  }, 1);
  for (const auto& c : chunks)
    if (c.interrupted) throw Interrupted();
  report_progress(options.progress, "parse", parse_total, parse_total);
  for (const auto& c : chunks)
    if (c.failed) throw ParseError(path, c.fail_line, c.message);
}

/// The line number and text of input edge i, for builder and LT-weight errors. Keeps only the
/// chunks' byte ranges: the text is read again from the file when it was freed (reloadable
/// input), or borrowed from `kept_text` (a stream, which cannot be read again).
class LineLocator {
 public:
  LineLocator(const std::string& path, const Syntax& syn, const std::vector<Chunk>& chunks, const char* text,
              std::size_t bom, std::size_t text_size, const char* kept_text)
      : path_(path), syn_(syn), chunks_(chunks), bom_(bom), text_size_(text_size), kept_text_(kept_text) {
    chunk_bytes_.reserve(chunks.size());
    for (const auto& c : chunks)
      chunk_bytes_.emplace_back(static_cast<std::size_t>(c.begin - text), static_cast<std::size_t>(c.end - text));
  }

  std::pair<std::uint64_t, std::string> operator()(std::uint64_t i) const {
    auto it = std::upper_bound(chunks_.begin(), chunks_.end(), i,
                               [](std::uint64_t x, const Chunk& c) { return x < c.out; });
    if (it == chunks_.begin()) return {0, {}};
    const Chunk& c = *(it - 1);
    Bytes again;
    const char* base = kept_text_;
    if (base == nullptr) {
      again = to_text(detail::read_all(path_, {}), path_, {});
      if (again.size != text_size_) return {0, {}};  // the file changed meanwhile
      base = again.data.get();
    }
    const auto [cb, ce] = chunk_bytes_[static_cast<std::size_t>(it - 1 - chunks_.begin())];
    const char* const cend = base + bom_ + ce;
    std::uint64_t seen = c.out, ln = c.first_line;
    for (const char* q = base + bom_ + cb; q < cend; ++ln) {
      const char* eol = line_end(q, cend);
      if (classify(q, eol, syn_) == LineKind::data) {
        if (seen == i) {
          std::string_view textv(q, static_cast<std::size_t>(eol - q));
          while (!textv.empty() && is_blank(textv.back())) textv.remove_suffix(1);
          return {ln, std::string(textv)};
        }
        ++seen;
      }
      q = eol < cend ? eol + 1 : cend;
    }
    return {0, {}};
  }

 private:
  const std::string& path_;
  const Syntax& syn_;
  const std::vector<Chunk>& chunks_;
  std::vector<std::pair<std::size_t, std::size_t>> chunk_bytes_;
  std::size_t bom_, text_size_;
  const char* kept_text_;
};

/// Builds the graph from the parsed edges; a builder error about input edge i becomes a
/// ParseError at that edge's line, quoting it. With check_lt_weights the ids are kept (the check
/// replays them); otherwise they are consumed, so the 64-bit ids are gone before the graph grows.
FollowerGraph build_located(EdgeArrays& arr, const EdgeListOptions& options, const std::string& path,
                            const LineLocator& locate, EdgeListReport& rep) {
  try {
    const auto probs = arr.prob ? std::span<const prob_t>(arr.prob.get(), arr.m) : std::span<const prob_t>();
    if (options.check_lt_weights && arr.prob)
      return build_graph(std::span<const account_t>(arr.src.get(), arr.m),
                         std::span<const account_t>(arr.dst.get(), arr.m), probs, options.build, &rep.build, {},
                         options.stop);
    return build_graph(std::move(arr.src), std::move(arr.dst), arr.m, probs, options.build, &rep.build, options.stop);
  } catch (const InputEdgeError& e) {
    std::string msg = e.what();
    const auto colon = msg.find(": ");
    if (msg.rfind("input edge ", 0) == 0 && colon != std::string::npos) msg = msg.substr(colon + 2);
    auto [ln, textv] = locate(e.index());
    throw ParseError(path, ln, ln ? detail::concat(msg, "; the line reads ", quote(textv)) : msg);
  }
}

}  // namespace

namespace detail {

bool is_regular_file(const std::string& path) {
  if (is_stdin_path(path)) return false;
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Bytes read_all(const std::string& path, const StopToken& stop) {
  const bool from_stdin = is_stdin_path(path);
  const int fd = from_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) io_fail("cannot open", path, errno);
  struct Closer {
    int fd;
    bool own;
    ~Closer() {
      if (own) ::close(fd);
    }
  } closer{fd, !from_stdin};
  struct stat st {};
  if (::fstat(fd, &st) != 0) io_fail("cannot stat", path, errno);
  if (S_ISDIR(st.st_mode)) io_fail("cannot read", path, EISDIR);
  const std::uint64_t limit = usable_memory();
  const bool regular = S_ISREG(st.st_mode);
  Bytes b;
  if (regular && static_cast<std::uint64_t>(st.st_size) > limit) too_big("reading", path, limit);
  reserve_bounded(b, regular ? static_cast<std::size_t>(st.st_size) + 1 : std::size_t{1} << 16, limit, "reading",
                  path);
  // At most 64 MiB per read: the stop token is polled between reads.
  constexpr std::size_t step = std::size_t{1} << 26;
  for (;;) {
    check_stop(stop);
    if (b.size + read_padding == b.data.capacity())  // the file grew, or is not regular
      reserve_bounded(b, b.size + 1, limit, "reading", path);
    const ssize_t r = ::read(fd, b.data.get() + b.size, std::min(b.data.capacity() - read_padding - b.size, step));
    if (r < 0) {
      if (errno == EINTR) continue;
      io_fail("cannot read", path, errno);
    }
    if (r == 0) break;
    b.size += static_cast<std::size_t>(r);
  }
  return b;
}

Bytes gunzip_if_compressed(Bytes in, const std::string& path, const StopToken& stop) {
  if (!has_gzip_magic(in)) return in;
  const std::uint64_t limit = usable_memory();
  return gunzip(in, path, stop, limit > in.size ? limit - in.size : 0);
}

FollowerGraph read_edge_list_bytes(Bytes bytes, const std::string& path, bool reloadable,
                                   const EdgeListOptions& options, EdgeListReport* report) {
  const auto t0 = Clock::now();
  check_edge_list_options(options);
  const int threads = resolve_threads(options.build.threads);
  Syntax syn = make_syntax(options, path);

  EdgeListReport rep;
  rep.path = path;
  check_stop(options.stop);
  Bytes raw = to_text(std::move(bytes), path, options.stop);
  const std::size_t bom = detail::bom_length(std::string_view(raw.data.get(), raw.size));
  const char* text = raw.data.get() + bom;
  const char* end = raw.data.get() + raw.size;

  const Preamble pre = read_preamble(text, end, syn, options, path, rep);
  std::uint64_t slots = 0;
  std::vector<Chunk> chunks = cut_chunks(pre.data_start, end, pre.data_first_line, threads, slots);
  EdgeArrays arr = allocate_edge_arrays(slots, syn.prob_col >= 0, raw.size, path);
  parse_chunks(chunks, syn, arr, pre.data_start, end, reloadable, threads, options, path);
  note_unused_columns(chunks, syn, rep);

  arr.m = compact(chunks, arr.src.get(), arr.dst.get(), arr.prob.get(), rep);
  rep.edge_lines = arr.m;
  rep.lines = pre.data_first_line - 1;  // preamble lines
  for (const auto& c : chunks) rep.lines += c.lines;
  if (options.first_line_counts && pre.header_m != arr.m)
    throw ParseError(path, pre.header_line,
                     detail::concat("the \"n m\" header says m = ", pre.header_m, " edges but the file has ", arr.m,
                                    " edge lines"));
  rep.parse_seconds = seconds_since(t0);

  // The text is not needed to build the graph: free it first (a 10M-line file is ~150 MB) and
  // read it again only to quote the line of an input error. Chunks keep byte offsets.
  const LineLocator locate(path, syn, chunks, text, bom, raw.size, reloadable ? nullptr : raw.data.get());
  if (reloadable) raw = Bytes{};  // a stream cannot be read again: its text stays with `locate`

  const auto t1 = Clock::now();
  FollowerGraph g = build_located(arr, options, path, locate, rep);
  rep.build_seconds = seconds_since(t1);

  if (options.first_line_counts && g.num_vertices() > pre.header_n)
    throw ParseError(path, pre.header_line,
                     detail::concat("the \"n m\" header says n = ", pre.header_n, " accounts but ", g.num_vertices(),
                                    " distinct accounts appear"));

  if (options.check_lt_weights && g.has_probabilities())
    check_lt_weights(g, arr.src.get(), arr.dst.get(), arr.prob.get(), arr.m, options.build, path, locate);
  if (report) *report = std::move(rep);
  return g;
}

}  // namespace detail

FollowerGraph read_edge_list(const std::string& path, const EdgeListOptions& options, EdgeListReport* report) {
  const bool reloadable = detail::is_regular_file(path);
  return detail::read_edge_list_bytes(detail::read_all(path, options.stop), path, reloadable, options, report);
}

void write_edge_list(const FollowerGraph& graph, const std::string& path, bool with_probabilities) {
  const bool with_p = with_probabilities && graph.has_probabilities();
  AtomicFile f(path);
  f.write(detail::concat("# kolsim edge list: \"u v", with_p ? " p" : "",
                         "\" per line, v follows u (influence flows u -> v)\n# accounts: ", graph.num_vertices(),
                         " edges: ", graph.num_edges(), "\n"));
  const auto offsets = graph.out_offsets();
  const auto targets = graph.out_targets();
  const auto accounts = graph.accounts();
  const auto probs = graph.edge_probs();
  std::string buf;
  buf.reserve((std::size_t{1} << 20) + 128);
  char tmp[96];  // two 20-digit ids, a float (<= 16 chars), separators
  char* const lim = tmp + 80;
  for (vertex_t u = 0; u < graph.num_vertices(); ++u) {
    for (edge_t e = offsets[u]; e < offsets[u + 1]; ++e) {
      char* q = std::to_chars(tmp, lim, accounts[u]).ptr;
      q[0] = ' ';
      q = std::to_chars(q + 1, lim, accounts[targets[e]]).ptr;
      if (with_p) {
        q[0] = ' ';
        q = std::to_chars(q + 1, lim, probs[e]).ptr;
      }
      q[0] = '\n';
      ++q;
      buf.append(tmp, static_cast<std::size_t>(q - tmp));
    }
    if (buf.size() >= (std::size_t{1} << 20)) {
      f.write(buf);
      buf.clear();
    }
  }
  f.write(buf);
  f.commit();
}

}  // namespace kolsim
