// tests/parse_test.cpp: tests of the expression parser (engine/parse/): the
// data tables tests/data/parse/{valid,errors}.txt, node spans, whitespace,
// and the length, nesting and chain limits.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/parse/parse.h"
#include "tests/support/dump.h"

#ifndef CASEX_TEST_DATA_DIR
#error "CASEX_TEST_DATA_DIR must name the tests/data directory"
#endif

namespace casex::detail {
namespace {

/// One line of a data table: INPUT => EXPECTED.
struct Case {
  int line = 0;
  std::string input;
  std::string expected;
};

/// Reads a data table: one case a line, split at the last " => ", the input
/// taken exactly as written; blank lines and '#' lines are skipped.
std::vector<Case> read_cases(const std::string& name) {
  const std::string path = std::string(CASEX_TEST_DATA_DIR) + "/parse/" + name;
  std::ifstream in(path, std::ios::binary);
  INFO("data file: " << path);
  REQUIRE(in.good());
  std::vector<Case> cases;
  std::string text;
  int line = 0;
  while (std::getline(in, text)) {
    ++line;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.empty() || text[0] == '#') continue;
    const std::size_t sep = text.rfind(" => ");
    INFO(name << ":" << line << ": " << text);
    REQUIRE(sep != std::string::npos);  // a malformed line
    cases.push_back({line, text.substr(0, sep), text.substr(sep + 4)});
  }
  REQUIRE(!cases.empty());
  return cases;
}

/// The outcome of parsing as one string: the dump of the tree, or
/// "COLUMN: MESSAGE" (COLUMN = offset + 1) for an error.
std::string outcome(std::string_view input) {
  auto result = parse_expression(input);
  if (const auto* node = std::get_if<ast::Node>(&result)) {
    return dump_ast(*node);
  }
  const auto& error = std::get<ParseError>(result);
  return std::to_string(error.offset + 1) + ": " + error.message;
}

std::string spans(std::string_view input) {
  auto result = parse_expression(input);
  if (const auto* node = std::get_if<ast::Node>(&result)) {
    return dump_ast_spans(*node);
  }
  return "error: " + std::get<ParseError>(result).message;
}

ParseError error_of(std::string_view input) {
  auto result = parse_expression(input);
  if (const auto* error = std::get_if<ParseError>(&result)) return *error;
  FAIL("expected an error, got " << dump_ast(std::get<ast::Node>(result)));
  return {};
}

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

const std::string kNesting = "expression nests deeper than 64 levels";

}  // namespace

TEST_CASE("valid.txt: every expression parses to the tree in its line", "[parse]") {
  for (const Case& c : read_cases("valid.txt")) {
    INFO("valid.txt:" << c.line << ": " << c.input);
    CHECK(outcome(c.input) == c.expected);
  }
}

TEST_CASE(
    "errors.txt: every bad expression fails at the column and with the "
    "message in its line",
    "[parse]") {
  for (const Case& c : read_cases("errors.txt")) {
    INFO("errors.txt:" << c.line << ": " << c.input);
    CHECK(outcome(c.input) == c.expected);
  }
}

TEST_CASE("spans: leaves, operators, calls and lists span their own text", "[parse]") {
  CHECK(spans(R"(a == "x")") == R"((== a@0..1 "x"@5..8)@0..8)");
  CHECK(spans("  after.solution  ") == "after.solution@2..16");
  CHECK(spans("f(a, 1.5)") == "(call f a@2..3 1.5@5..8)@0..9");
  CHECK(spans("x in [1, 'y']") == R"((in x@0..1 (list 1@6..7 "y"@9..12)@5..13)@0..13)");
  CHECK(spans("a not in []") == "(not in a@0..1 (list)@9..11)@0..11");
  CHECK(spans("a and b or c") == "(or (and a@0..1 b@6..7)@0..7 c@11..12)@0..12");
  CHECK(spans("not !a") == "(not (not a@5..6)@4..6)@0..6");
  CHECK(spans("true != null") == "(!= true@0..4 null@8..12)@0..12");
  CHECK(spans(R"("a\"b" < -2)") == R"((< "a\"b"@0..6 -2@9..11)@0..11)");
}

TEST_CASE("spans: a parenthesised node spans its parentheses", "[parse]") {
  CHECK(spans("(a)") == "a@0..3");
  CHECK(spans("( (a == b) )") == "(== a@3..4 b@8..9)@0..12");
  CHECK(spans("not (a) and b") == "(and (not a@4..7)@0..7 b@12..13)@0..13");
}

TEST_CASE("whitespace: newlines, tabs and CRs are free between tokens", "[parse]") {
  CHECK(outcome("changed(assignment)\nand not is_external(\n  before.assignment\n)") ==
        "(and (call changed assignment) (not (call is_external before.assignment)))");
  CHECK(outcome("\n\ta\r\n==\n\"x\"\n") == R"((== a "x"))");
  CHECK(outcome("[\n 1,\n 2\n]") == "(list 1 2)");
  CHECK(outcome("a\nnot\nin\n[1]") == "(not in a (list 1))");
  // a newline inside a string literal is kept
  CHECK(outcome("\"a\nb\"") == R"("a\nb")");
  // errors count newlines as one byte each; blanks before the culprit are
  // stepped over
  CHECK(outcome("a ==\n\n") == "7: expected an operand");
  CHECK(outcome("(a\n  , b)") == "6: expected ')' but found ','");
  CHECK(outcome("a.\nb") == "3: expected an identifier but found '\\n'");
  CHECK(outcome("\n \r\n") == "1: empty expression");
}

TEST_CASE("values: numbers and unescaped strings are stored in the node", "[parse]") {
  auto number = parse_expression("-12.75");
  REQUIRE(std::holds_alternative<ast::Node>(number));
  CHECK(std::get<ast::Node>(number).kind == ast::Kind::Number);
  CHECK(std::get<ast::Node>(number).number == -12.75);

  auto text = parse_expression(R"('a\tb\\c\'d\"e\nf')");
  REQUIRE(std::holds_alternative<ast::Node>(text));
  CHECK(std::get<ast::Node>(text).kind == ast::Kind::String);
  CHECK(std::get<ast::Node>(text).text == "a\tb\\c'd\"e\nf");

  auto call = parse_expression("is_external(after.assignment)");
  REQUIRE(std::holds_alternative<ast::Node>(call));
  CHECK(std::get<ast::Node>(call).text == "is_external");
  CHECK(std::get<ast::Node>(call).children.at(0).text == "after.assignment");

  auto yes = parse_expression("true");
  REQUIRE(std::holds_alternative<ast::Node>(yes));
  CHECK(std::get<ast::Node>(yes).boolean);
}

TEST_CASE(
    "limits: a text longer than kMaxExpressionLength is refused at the "
    "limit",
    "[parse][limits]") {
  const std::string longest = repeat("a&&", kMaxExpressionLength / 3) + "a";
  REQUIRE(longest.size() <= kMaxExpressionLength);
  CHECK(std::holds_alternative<ast::Node>(parse_expression(longest)));

  const std::string too_long(kMaxExpressionLength + 1, 'a');
  const ParseError e = error_of(too_long);
  CHECK(e.offset == kMaxExpressionLength);
  CHECK(e.message == "expression is longer than 16384 bytes");

  // 100,000 '(' are refused by the length check, with no recursion at all
  const ParseError parens = error_of(std::string(100000, '('));
  CHECK(parens.offset == kMaxExpressionLength);
}

TEST_CASE(
    "limits: nesting deeper than kMaxExpressionDepth is refused where "
    "it crosses the limit, without deep recursion",
    "[parse][limits]") {
  const auto depth = static_cast<std::size_t>(kMaxExpressionDepth);

  // exactly at the limit: fine
  CHECK(outcome(repeat("(", depth) + "a" + repeat(")", depth)) == "a");
  CHECK(std::holds_alternative<ast::Node>(parse_expression(repeat("not ", depth) + "a")));
  CHECK(std::holds_alternative<ast::Node>(
      parse_expression(repeat("f(", depth) + repeat(")", depth))));
  CHECK(std::holds_alternative<ast::Node>(parse_expression(
      repeat("[", depth / 2) + repeat("!", depth / 2) + "a" + repeat("]", depth / 2))));

  // the longest text of openers: the error is at the 65th opener
  struct Opener {
    std::string_view text;
    uint32_t error_offset;
  };
  for (const Opener& o : {Opener{"(", 64}, Opener{"[", 64}, Opener{"!", 64}, Opener{"not ", 256},
                          Opener{"f(", 129}, Opener{"([!f(", 80}}) {
    const std::string text = repeat(o.text, kMaxExpressionLength / o.text.size());
    INFO("opener: " << o.text);
    const ParseError e = error_of(text);
    CHECK(e.offset == o.error_offset);
    CHECK(e.message == kNesting);
  }

  // a string literal full of brackets does not nest
  const std::string quoted = "\"" + repeat("(", 1000) + "\" == (a)";
  CHECK(std::holds_alternative<ast::Node>(parse_expression(quoted)));
}

TEST_CASE("limits: a 5,000-term chain parses into one flat node", "[parse][limits]") {
  for (std::string_view op : {"&&", "||"}) {
    const std::string text = repeat("a" + std::string(op), 4999) + "a";
    auto result = parse_expression(text);
    REQUIRE(std::holds_alternative<ast::Node>(result));
    const ast::Node& node = std::get<ast::Node>(result);
    CHECK(node.kind == (op == "&&" ? ast::Kind::And : ast::Kind::Or));
    CHECK(node.children.size() == 5000);
    CHECK(node.span.begin == 0);
    CHECK(node.span.end == text.size());
    CHECK(node.children.back().span.begin == text.size() - 1);
  }
  // mixed: or of 2,500 ands of 2
  const std::string mixed = repeat("a&&a||", 2499) + "a&&a";
  auto result = parse_expression(mixed);
  REQUIRE(std::holds_alternative<ast::Node>(result));
  CHECK(std::get<ast::Node>(result).children.size() == 2500);
}

TEST_CASE("robustness: no prefix of a valid expression throws", "[parse]") {
  const std::string samples[] = {
      R"(changed(assignment) and not is_external(before.assignment) and is_external(after.assignment))",
      R"(after.phase not in ["Review", 'Close', "a\"b"] || !(x.y >= -1.5))",
      R"(f(g(1, [2, [3]]), 'x\n') != null && true)",
  };
  for (const std::string& s : samples) {
    for (std::size_t n = 0; n <= s.size(); ++n) {
      INFO("input: " << s.substr(0, n));
      CHECK_NOTHROW(parse_expression(std::string_view(s).substr(0, n)));
    }
  }
}

}  // namespace casex::detail
