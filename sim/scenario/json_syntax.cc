#include "sim/scenario/json_syntax.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace sim::scenario {
namespace {

constexpr int kMaxDepth = 256;

// A recursive-descent recogniser of RFC 8259: it builds nothing, it only
// finds the first offset where the text stops being JSON.
class JsonGrammar {
 public:
  explicit JsonGrammar(const std::string& text) : text_(text) {}

  // True when the whole text is one value (surrounded by whitespace).
  bool document() {
    space();
    if (!value(0)) return false;
    space();
    if (at_ < text_.size()) return fail("unexpected text after the end of the JSON value");
    return true;
  }
  [[nodiscard]] std::size_t offset() const noexcept { return error_at_; }
  [[nodiscard]] const std::string& message() const noexcept { return message_; }

 private:
  bool fail(std::string message) {
    error_at_ = std::min(at_, text_.size());
    message_ = std::move(message);
    return false;
  }
  [[nodiscard]] bool end() const noexcept { return at_ >= text_.size(); }
  [[nodiscard]] char peek() const noexcept { return end() ? '\0' : text_[at_]; }
  void space() {
    while (!end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) ++at_;
  }

  bool value(int depth) {
    if (depth > kMaxDepth) return fail("nested deeper than " + std::to_string(kMaxDepth) + " levels");
    if (end()) return fail("unexpected end of input: expected a value");
    switch (peek()) {
      case '{': return object(depth);
      case '[': return array(depth);
      case '"': return string();
      case 't': return word("true");
      case 'f': return word("false");
      case 'n': return word("null");
      default:
        if (peek() == '-' || std::isdigit(static_cast<unsigned char>(peek()))) return number();
        return fail(std::string("unexpected character '") + Printable(peek()) + "': expected a value");
    }
  }

  bool object(int depth) {
    ++at_;  // '{'
    space();
    if (peek() == '}') return ++at_, true;
    for (;;) {
      space();
      if (peek() != '"') return fail("expected a quoted field name");
      if (!string()) return false;
      space();
      if (peek() != ':') return fail("expected ':' after the field name");
      ++at_;
      space();
      if (!value(depth + 1)) return false;
      space();
      if (peek() == ',') {
        ++at_;
        continue;
      }
      if (peek() == '}') return ++at_, true;
      return fail(end() ? "unexpected end of input: expected ',' or '}'" : "expected ',' or '}'");
    }
  }

  bool array(int depth) {
    ++at_;  // '['
    space();
    if (peek() == ']') return ++at_, true;
    for (;;) {
      space();
      if (!value(depth + 1)) return false;
      space();
      if (peek() == ',') {
        ++at_;
        continue;
      }
      if (peek() == ']') return ++at_, true;
      return fail(end() ? "unexpected end of input: expected ',' or ']'" : "expected ',' or ']'");
    }
  }

  bool string() {
    ++at_;  // '"'
    while (!end()) {
      const auto c = static_cast<unsigned char>(text_[at_]);
      if (c == '"') return ++at_, true;
      if (c < 0x20) return fail("control character inside a string (write it as an escape)");
      if (c != '\\') {
        ++at_;
        continue;
      }
      ++at_;
      if (end()) break;
      const char e = text_[at_];
      if (e == 'u') {
        for (int k = 1; k <= 4; ++k) {
          if (at_ + k >= text_.size() || !std::isxdigit(static_cast<unsigned char>(text_[at_ + k]))) {
            return fail("\\u needs four hexadecimal digits");
          }
        }
        at_ += 5;
      } else if (std::string_view("\"\\/bfnrt").find(e) != std::string_view::npos) {
        ++at_;
      } else {
        return fail(std::string("unknown escape '\\") + Printable(e) + "'");
      }
    }
    return fail("unexpected end of input inside a string");
  }

  bool word(std::string_view literal) {
    if (text_.compare(at_, literal.size(), literal) != 0) {
      return fail("unexpected word: expected a value (true, false, null, a number, string, object or array)");
    }
    at_ += literal.size();
    return true;
  }

  bool number() {
    auto digits = [this] {
      const std::size_t from = at_;
      while (!end() && std::isdigit(static_cast<unsigned char>(peek()))) ++at_;
      return at_ > from;
    };
    if (peek() == '-') ++at_;
    if (peek() == '0') {
      ++at_;
    } else if (!digits()) {
      return fail("expected a digit");
    }
    if (peek() == '.') {
      ++at_;
      if (!digits()) return fail("expected a digit after the decimal point");
    }
    if (peek() == 'e' || peek() == 'E') {
      ++at_;
      if (peek() == '+' || peek() == '-') ++at_;
      if (!digits()) return fail("expected a digit in the exponent");
    }
    return true;
  }

  static std::string Printable(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) return std::string(1, c);
    static const char* kHex = "0123456789abcdef";
    return std::string("\\x") + kHex[u >> 4] + kHex[u & 15];
  }

  const std::string& text_;
  std::size_t at_ = 0;
  std::size_t error_at_ = 0;
  std::string message_;
};

}  // namespace

std::string ProblemAt(const std::string& text, std::size_t offset, const std::string& source_name,
                      const std::string& message) {
  offset = std::min(offset, text.size());
  const std::size_t line_start = offset == 0 ? 0 : text.rfind('\n', offset - 1) + 1;  // npos + 1 == 0
  const std::size_t line_end = std::min(text.find('\n', offset), text.size());
  const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(line_start), '\n');
  const std::size_t column = offset - line_start + 1;
  std::string line_text = text.substr(line_start, line_end - line_start);
  if (!line_text.empty() && line_text.back() == '\r') line_text.pop_back();
  std::string problem =
      source_name + ":" + std::to_string(line) + ":" + std::to_string(column) + ": error: " + message;
  // Show the line only while it is printable text (not random bytes).
  const bool printable = std::all_of(line_text.begin(), line_text.end(), [](char c) {
    return c == '\t' || (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f);
  });
  if (!line_text.empty() && printable && line_text.size() <= 200) {
    problem += "\n      " + line_text + "\n      " + std::string(column - 1, ' ') + "^";
  }
  return problem;
}

std::optional<std::string> JsonSyntaxError(const std::string& text, const std::string& source_name) {
  JsonGrammar grammar(text);
  if (grammar.document()) return std::nullopt;
  return ProblemAt(text, grammar.offset(), source_name, grammar.message());
}

}  // namespace sim::scenario
