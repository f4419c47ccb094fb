// SPDX-License-Identifier: MIT
/// Internal (not installed): the text pieces every kolsim reader shares, so all of them accept the
/// same input: one number grammar, the field tokenisers, line ends (LF, CRLF, lone CR), the UTF-8
/// byte-order mark, UTF-8 validation and the quoting of a bad token in an error message.
#pragma once

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>

namespace kolsim::detail {

// ---------------------------------------------------------------------------------------------
// Numbers

/// Outcome of parsing one numeric field.
enum class NumberStatus {
  ok,
  empty,      ///< the field is empty
  invalid,    ///< not in the grammar (letters, hex, inf/nan, "1e", "1.2.3", ...)
  negative,   ///< an id written with a leading '-' and digits ("-5")
  overflow,   ///< an id that does not fit in 64 bits, or a real whose magnitude is too large
};

/// Account ids: decimal digits only (no sign, no blanks, no "0x"), value < 2^64.
inline NumberStatus parse_account_id(std::string_view t, std::uint64_t& out) noexcept {
  if (t.empty()) return NumberStatus::empty;
  std::uint64_t v = 0;
  bool overflow = false;
  for (char c : t) {
    const unsigned d = static_cast<unsigned char>(c) - static_cast<unsigned>('0');
    if (d > 9) {
      if (t[0] == '-' && t.size() > 1) {
        bool digits = true;
        for (std::size_t i = 1; i < t.size(); ++i) digits = digits && t[i] >= '0' && t[i] <= '9';
        if (digits) return NumberStatus::negative;
      }
      return NumberStatus::invalid;
    }
    if (!overflow && (__builtin_mul_overflow(v, std::uint64_t{10}, &v) ||
                      __builtin_add_overflow(v, std::uint64_t{d}, &v)))
      overflow = true;
  }
  if (overflow) return NumberStatus::overflow;
  out = v;
  return NumberStatus::ok;
}

/// True when `t` is in the real-number grammar: [+-] digits [. digits] [(e|E) [+-] digits], where
/// the mantissa may also be "digits." or ".digits". No hex, no inf/nan, no blanks.
inline bool real_grammar(std::string_view t) noexcept {
  std::size_t i = 0;
  const std::size_t n = t.size();
  auto digit = [&](std::size_t k) { return k < n && t[k] >= '0' && t[k] <= '9'; };
  if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
  std::size_t mantissa = 0;
  while (digit(i)) ++i, ++mantissa;
  if (i < n && t[i] == '.') {
    ++i;
    while (digit(i)) ++i, ++mantissa;
  }
  if (mantissa == 0) return false;
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  return i == n;
}

/// Probabilities, weights, fees, budgets: one grammar for every reader (real_grammar), the value
/// correctly rounded (std::from_chars) and finite. A magnitude beyond double is `overflow`; a
/// value too small for double is read as 0.
inline NumberStatus parse_real(std::string_view t, double& out) noexcept {
  if (t.empty()) return NumberStatus::empty;
  if (!real_grammar(t)) return NumberStatus::invalid;
  const char* b = t.data();
  const char* e = b + t.size();
  const bool minus = *b == '-';
  if (*b == '+' || *b == '-') ++b;  // from_chars takes no '+'; the sign is applied below
  double v = 0;
  const auto r = std::from_chars(b, e, v);
  if (r.ec == std::errc::result_out_of_range) {
    // Underflow or overflow: tell them apart by the exponent's sign.
    std::string_view rest(b, static_cast<std::size_t>(e - b));
    const auto ep = rest.find_first_of("eE");
    bool tiny = ep != std::string_view::npos && ep + 1 < rest.size() && rest[ep + 1] == '-';
    if (!tiny) {
      // A mantissa of zero never overflows ("0e999" is 0).
      bool nonzero = false;
      for (std::size_t k = 0; k < rest.size() && k != ep; ++k) nonzero = nonzero || (rest[k] >= '1' && rest[k] <= '9');
      if (nonzero) return NumberStatus::overflow;
    }
    v = 0;
  } else if (r.ec != std::errc() || r.ptr != e) {
    return NumberStatus::invalid;
  }
  if (!std::isfinite(v)) return NumberStatus::overflow;
  out = minus ? -v : v;
  return NumberStatus::ok;
}

// ---------------------------------------------------------------------------------------------
// Fields and lines

/// Blank inside a line: space, tab, and the CR of a CRLF line end.
constexpr bool is_field_blank(char c) noexcept { return c == ' ' || c == '\t' || c == '\r'; }

/// Calls tok(index, field) for each comma-separated field of `line` (blanks around a field are
/// trimmed; no quoting). tok returns false to stop early. Returns the number of fields visited
/// (an empty line has one empty field).
template <class F>
std::size_t for_each_csv_field(std::string_view line, F&& tok) {
  const char* p = line.data();
  const char* const eol = p + line.size();
  std::size_t field = 0;
  for (;;) {
    const char* s = p;
    while (p < eol && *p != ',') ++p;
    const char* e = p;
    while (s < e && is_field_blank(*s)) ++s;
    while (e > s && is_field_blank(e[-1])) --e;
    if (!tok(field, std::string_view(s, static_cast<std::size_t>(e - s)))) return field + 1;
    ++field;
    if (p == eol) return field;
    ++p;  // the comma
  }
}

/// What for_each_quoted_csv_field found wrong with a line.
enum class CsvStatus { ok, unterminated_quote, text_after_quote };

/// for_each_csv_field with RFC 4180 double quotes, for CSVs whose text fields may hold commas
/// (rosters, audiences): a field whose first non-blank character is '"' runs to the closing '"'
/// (commas and blanks inside are kept, "" stands for one '"') and may be followed by blanks only.
/// tok(index, field) sees the unquoted text (held in `scratch` until the next field). A line
/// without '"' goes through for_each_csv_field itself; unquoted fields are trimmed the same way.
template <class F>
CsvStatus for_each_quoted_csv_field(std::string_view line, std::string& scratch, F&& tok) {
  if (line.find('"') == std::string_view::npos) {
    for_each_csv_field(line, tok);
    return CsvStatus::ok;
  }
  const char* p = line.data();
  const char* const eol = p + line.size();
  std::size_t field = 0;
  for (;;) {
    const char* s = p;
    while (s < eol && is_field_blank(*s)) ++s;
    std::string_view text;
    if (s < eol && *s == '"') {
      scratch.clear();
      for (p = s + 1;; ++p) {
        if (p == eol) return CsvStatus::unterminated_quote;
        if (*p == '"') {
          if (p + 1 == eol || p[1] != '"') break;
          ++p;  // "" -> "
        }
        scratch += *p;
      }
      ++p;  // the closing quote
      while (p < eol && is_field_blank(*p)) ++p;
      if (p < eol && *p != ',') return CsvStatus::text_after_quote;
      text = scratch;
    } else {
      p = s;
      while (p < eol && *p != ',') ++p;
      const char* e = p;
      while (e > s && is_field_blank(e[-1])) --e;
      text = std::string_view(s, static_cast<std::size_t>(e - s));
    }
    if (!tok(field, text)) return CsvStatus::ok;
    ++field;
    if (p == eol) return CsvStatus::ok;
    ++p;  // the comma
  }
}

/// Calls tok(index, field) for each run of non-blank characters of `line`. tok returns false to
/// stop early. Returns the number of fields visited (a blank line has none).
template <class F>
std::size_t for_each_blank_field(std::string_view line, F&& tok) {
  const char* p = line.data();
  const char* const eol = p + line.size();
  std::size_t field = 0;
  for (;;) {
    while (p < eol && is_field_blank(*p)) ++p;
    if (p == eol) return field;
    const char* s = p;
    while (p < eol && !is_field_blank(*p)) ++p;
    if (!tok(field, std::string_view(s, static_cast<std::size_t>(p - s)))) return field + 1;
    ++field;
  }
}

/// The UTF-8 byte-order mark.
inline constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

/// Length of a UTF-8 byte-order mark at the start of `text` (0 or 3).
inline std::size_t bom_length(std::string_view text) noexcept {
  return text.substr(0, 3) == utf8_bom ? 3 : 0;
}

/// `text` without a leading UTF-8 byte-order mark.
inline std::string_view strip_bom(std::string_view text) noexcept { return text.substr(bom_length(text)); }

/// Splits text into lines: LF, CRLF and a lone CR each end a line; the last line needs no end.
/// Line numbers count these ends, so every reader reports the same line for the same byte.
class LineSplitter {
 public:
  explicit LineSplitter(std::string_view text) noexcept : rest_(text) {}
  /// The next line without its end; false when the text is exhausted.
  bool next(std::string_view& line) noexcept {
    if (rest_.empty()) return false;
    const char* p = rest_.data();
    const std::size_t n = rest_.size();
    std::size_t i = 0;
    while (i < n && p[i] != '\n' && p[i] != '\r') ++i;
    line = rest_.substr(0, i);
    if (i < n && p[i] == '\r' && i + 1 < n && p[i + 1] == '\n') ++i;
    rest_.remove_prefix(i < n ? i + 1 : n);
    ++number_;
    return true;
  }
  /// 1-based number of the line last returned (0 before the first).
  std::uint64_t line_number() const noexcept { return number_; }

 private:
  std::string_view rest_;
  std::uint64_t number_ = 0;
};

/// Rewrites each lone CR (one not followed by LF) as LF in place, so code that splits on LF alone
/// sees the same lines as LineSplitter; CRLF is left alone (CR is blank to the field tokenisers).
/// Returns the number of CRs rewritten. Costs one memchr scan when the text has no CR.
inline std::size_t lone_cr_to_lf(char* text, std::size_t n) noexcept {
  std::size_t rewritten = 0;
  char* p = text;
  char* const end = text + n;
  while (p < end) {
    void* cr = std::memchr(p, '\r', static_cast<std::size_t>(end - p));
    if (cr == nullptr) break;
    p = static_cast<char*>(cr);
    if (p + 1 == end || p[1] != '\n') {
      *p = '\n';
      ++rewritten;
    }
    ++p;
  }
  return rewritten;
}

// ---------------------------------------------------------------------------------------------
// Encoding and messages

/// Byte offset of the first byte that does not start a well-formed UTF-8 sequence (overlong
/// forms, surrogates and code points above U+10FFFF are ill-formed), or text.size() when all
/// of `text` is valid UTF-8.
inline std::size_t first_invalid_utf8(std::string_view text) noexcept {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return i;
    }
    if (i + len > n) return i;
    if (s[i + 1] < lo || s[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k)
      if (s[i + k] < 0x80 || s[i + k] > 0xBF) return i;
    i += len;
  }
  return n;
}

/// True when `text` is well-formed UTF-8.
inline bool valid_utf8(std::string_view text) noexcept { return first_invalid_utf8(text) == text.size(); }

/// Quotes a token for an error message: at most 40 bytes, bytes outside printable ASCII escaped
/// as \xNN (so a message never carries invalid UTF-8 or a NUL).
inline std::string quote_token(std::string_view s) {
  std::string q = "'";
  constexpr std::size_t limit = 40;
  for (std::size_t i = 0; i < s.size() && i < limit; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      q += static_cast<char>(c);
    } else {
      static constexpr char hex[] = "0123456789abcdef";
      q += "\\x";
      q += hex[c >> 4];
      q += hex[c & 15];
    }
  }
  if (s.size() > limit) q += "...";
  q += "'";
  return q;
}

}  // namespace kolsim::detail
