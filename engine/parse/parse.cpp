// engine/parse/parse.cpp: the expression grammar (Boost.Spirit X3) and
// parse_expression(), which turns every failure into a ParseError.
// Spans: a parenthesised expression's node spans its parentheses too.
#include "engine/parse/parse.h"

#include <boost/fusion/include/at_c.hpp>
#include <boost/spirit/home/x3.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <exception>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace casex::detail {
namespace {

namespace x3 = boost::spirit::x3;
using ast::Kind;
using ast::Node;
using Iter = const char*;
using Range = boost::iterator_range<Iter>;

// ---------------------------------------------------------------------------
// Parse state and errors

/// Per-parse state, reached from semantic actions through the X3 context.
struct State {
  Iter base;      // start of the text: spans are offsets from here
  int depth = 0;  // nesting levels open: ( [ f( not !
};
struct state_tag;

template <class Ctx>
State& state(const Ctx& ctx) {
  return x3::get<state_tag>(ctx);
}

template <class Ctx>
uint32_t offset_of(const Ctx& ctx, Iter it) {
  return static_cast<uint32_t>(it - state(ctx).base);
}

/// An error raised by the grammar itself rather than by an X3 expectation
/// point (those throw x3::expectation_failure). When `expected` is set,
/// `what` names the thing expected and the found character gets appended.
struct Failure {
  Iter where;
  std::string what;
  bool expected;
  bool limit = false;  // a nesting limit, not a grammar error
};

bool is_blank(char c) {  // the same set as the skipper below
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/// "'x'" for a printable character, "'\n'" etc., else "byte 0xNN".
std::string describe(unsigned char c) {
  switch (c) {
    case '\n': return "'\\n'";
    case '\t': return "'\\t'";
    case '\r': return "'\\r'";
    default: break;
  }
  if (c >= 0x20 && c < 0x7f) return std::string("'") + char(c) + "'";
  char buf[16];
  std::snprintf(buf, sizeof buf, "byte 0x%02x", unsigned(c));
  return buf;
}

// ---------------------------------------------------------------------------
// Custom primitives

/// Throws "expected <what>" where it stands (used inside lexemes, where the
/// position must not be moved past blanks).
struct fail_parser : x3::parser<fail_parser> {
  using attribute_type = x3::unused_type;
  static const bool has_attribute = false;
  const char* what;
  constexpr explicit fail_parser(const char* w) : what(w) {}
  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, const It&, const Ctx&, RCtx&, Attr&) const {
    throw Failure{first, what, true};
  }
};

/// A string literal in double or single quotes, unescaped into a
/// std::string. Errors: an unknown escape (at its backslash) and an
/// unterminated string (at the opening quote).
struct string_parser : x3::parser<string_parser> {
  using attribute_type = std::string;
  template <class It, class Ctx, class RCtx, class Attr>
  bool parse(It& first, const It& last, const Ctx& ctx, RCtx&, Attr& attr) const {
    x3::skip_over(first, last, ctx);
    if (first == last || (*first != '"' && *first != '\'')) return false;
    const char quote = *first;
    std::string value;
    for (It it = first + 1; it != last; ++it) {
      const char c = *it;
      if (c == quote) {
        first = it + 1;
        if constexpr (!std::is_same_v<std::decay_t<Attr>, x3::unused_type>) {
          attr = std::move(value);
        }
        return true;
      }
      if (c != '\\') {
        value += c;
        continue;
      }
      if (it + 1 == last) break;  // a lone backslash at the end
      const unsigned char e = static_cast<unsigned char>(*++it);
      switch (e) {
        case '"':
        case '\'':
        case '\\': value += char(e); break;
        case 'n': value += '\n'; break;
        case 't': value += '\t'; break;
        default:
          throw Failure{it - 1,
                        e > 0x20 && e < 0x7f ? std::string("unknown escape '\\") + char(e) + "'"
                                             : "unknown escape: '\\' followed by " + describe(e),
                        false};
      }
    }
    throw Failure{first, "unterminated string", false};
  }
};

// ---------------------------------------------------------------------------
// Semantic actions

void wrap(Node& v, Kind k) {  // v := k(v), more operands to come
  Node lhs = std::move(v);
  v = Node{};
  v.kind = k;
  v.span = lhs.span;
  v.children.push_back(std::move(lhs));
}

void add_last(Node& v, Node&& operand) {  // appends, extending the span
  v.span.end = operand.span.end;
  v.children.push_back(std::move(operand));
}

template <class Ctx>
void enter(const Ctx& ctx, Iter at) {
  State& s = state(ctx);
  if (s.depth >= kMaxExpressionDepth) {
    throw Failure{at,
                  "expression nests deeper than " + std::to_string(kMaxExpressionDepth) + " levels",
                  false, true};
  }
  ++s.depth;
}

// on an opener under raw[]: ( [ f(
auto const open = [](auto& ctx) { enter(ctx, x3::_attr(ctx).begin()); };
// on `not` or `!` under raw[]: also records where the Not node begins
auto const open_not = [](auto& ctx) {
  enter(ctx, x3::_attr(ctx).begin());
  x3::_val(ctx).span.begin = offset_of(ctx, x3::_attr(ctx).begin());
};
// on a closer: ) ]
auto const close = [](auto& ctx) { --state(ctx).depth; };

auto const set = [](auto& ctx) { x3::_val(ctx) = std::move(x3::_attr(ctx)); };

auto const make_not = [](auto& ctx) {
  Node operand = std::move(x3::_attr(ctx));
  Node& v = x3::_val(ctx);
  const uint32_t begin = v.span.begin;  // set by open_not
  v = Node{};
  v.kind = Kind::Not;
  v.span.begin = begin;
  add_last(v, std::move(operand));
  --state(ctx).depth;
};

// a flattened and/or chain; a single operand stands for itself
auto make_chain(Kind k) {
  return [k](auto& ctx) {
    std::vector<Node>& items = x3::_attr(ctx);
    Node& v = x3::_val(ctx);
    if (items.size() == 1) {
      v = std::move(items.front());
    } else {
      v = Node{};
      v.kind = k;
      v.span = {items.front().span.begin, items.back().span.end};
      v.children = std::move(items);
    }
  };
}

auto const make_comparison = [](auto& ctx) {  // attr: (Kind, rhs)
  auto& a = x3::_attr(ctx);
  Node& v = x3::_val(ctx);
  wrap(v, boost::fusion::at_c<0>(a));
  add_last(v, std::move(boost::fusion::at_c<1>(a)));
};

auto make_membership(Kind k) {  // attr: the list
  return [k](auto& ctx) {
    Node& v = x3::_val(ctx);
    wrap(v, k);
    add_last(v, std::move(x3::_attr(ctx)));
  };
}

auto const chained = [](auto& ctx) {
  throw Failure{x3::_attr(ctx).begin(), "comparisons cannot be chained without parentheses", false};
};

auto const make_list = [](auto& ctx) {
  Node& v = x3::_val(ctx);
  v = Node{};
  v.kind = Kind::List;
  v.children = std::move(x3::_attr(ctx));
};

auto const make_call = [](auto& ctx) {  // attr: (name, arguments)
  auto& a = x3::_attr(ctx);
  Node& v = x3::_val(ctx);
  v = Node{};
  v.kind = Kind::Call;
  v.text = std::move(boost::fusion::at_c<0>(a));
  v.children = std::move(boost::fusion::at_c<1>(a));
};

auto const make_path = [](auto& ctx) {
  const Range& r = x3::_attr(ctx);
  Node& v = x3::_val(ctx);
  v = Node{};
  v.kind = Kind::Path;
  v.text.assign(r.begin(), r.end());
};

auto const make_number = [](auto& ctx) {
  const Range& r = x3::_attr(ctx);
  Node& v = x3::_val(ctx);
  v = Node{};
  v.kind = Kind::Number;
  auto [end, ec] = std::from_chars(r.begin(), r.end(), v.number);
  if (ec != std::errc{} || end != r.end()) {
    throw Failure{r.begin(), "number out of range", false};
  }
};

auto const make_string = [](auto& ctx) {
  Node& v = x3::_val(ctx);
  v = Node{};
  v.kind = Kind::String;
  v.text = std::move(x3::_attr(ctx));
};

auto make_constant(Kind k, bool value) {
  return [k, value](auto& ctx) {
    Node& v = x3::_val(ctx);
    v = Node{};
    v.kind = k;
    v.boolean = value;
  };
}

// ---------------------------------------------------------------------------
// Rules. A rule's name is what an expectation error says was expected.
// Spans: the on_success of primary and list_operand (rules without actions,
// so they see the node) sets the span of each operand to its match,
// parentheses included; the actions that build operator nodes span them
// from their first token or operand to their last operand.
// Nesting: the openers ( [ f( not ! count one level each (see enter()); a
// closer or the end of a `not` operand gives it back. Past the limit the
// parse stops at once, so the recursion never goes deeper than that.

struct spanned {  // sets the node's span to the rule's match
  template <class Ctx>
  void on_success(Iter first, Iter last, Node& n, const Ctx& ctx) const {
    n.span = {offset_of(ctx, first), offset_of(ctx, last)};
  }
};

struct expr_id {};
struct or_list_id {};
struct and_expr_id {};
struct and_list_id {};
struct not_expr_id {};
struct comparison_id {};
struct primary_id : spanned {};
struct list_operand_id : spanned {};
struct group_id {};
struct rparen_id {};
struct list_id {};
struct list_items_id {};
struct element_id {};
struct list_close_id {};
struct list_end_id {};
struct call_id {};
struct call_name_id {};
struct call_args_id {};
struct argument_id {};
struct args_close_id {};
struct args_end_id {};
struct path_id {};
struct number_id {};
struct string_id {};
struct constant_id {};
struct end_id {};

x3::rule<expr_id, Node> const expr = "an operand";
x3::rule<or_list_id, std::vector<Node>> const or_list = "an operand";
x3::rule<and_expr_id, Node> const and_expr = "an operand";
x3::rule<and_list_id, std::vector<Node>> const and_list = "an operand";
x3::rule<not_expr_id, Node> const not_expr = "an operand";
x3::rule<comparison_id, Node> const comparison = "an operand";
x3::rule<primary_id, Node> const primary = "an operand";
x3::rule<group_id, Node> const group = "a parenthesised expression";
x3::rule<rparen_id> const rparen = "')'";
x3::rule<list_operand_id, Node> const list_operand = "a list";
x3::rule<list_id, Node> const list = "a list";
x3::rule<list_items_id, std::vector<Node>> const list_items = "a list element or ']'";
x3::rule<element_id, Node> const element = "a list element";
x3::rule<list_close_id> const list_close = "']'";
x3::rule<list_end_id> const list_end = "',' or ']'";
x3::rule<call_id, Node> const call = "a call";
x3::rule<call_name_id, std::string> const call_name = "a function name";
x3::rule<call_args_id, std::vector<Node>> const call_args = "an argument or ')'";
x3::rule<argument_id, Node> const argument = "an argument";
x3::rule<args_close_id> const args_close = "')'";
x3::rule<args_end_id> const args_end = "',' or ')'";
x3::rule<path_id, Node> const path = "a path";
x3::rule<number_id, Node> const number = "a number";
x3::rule<string_id, Node> const string_lit = "a string";
x3::rule<constant_id, Node> const constant = "a constant";
x3::rule<end_id> const end = "end of expression";

// Tokens. Keywords end at a word boundary ("android" is an identifier).
// Character sets and ranges rather than x3::space/x3::digit, whose <cctype>
// calls are not meant for the negative chars of non-ASCII bytes.
auto const blank = x3::char_(" \t\n\r\v\f");  // the skipper
auto const digit = x3::char_('0', '9');
auto const ident_start = x3::char_("A-Za-z_");
auto const ident_char = x3::char_("A-Za-z0-9_");
auto kw(const char* word) { return x3::lexeme[x3::lit(word) >> !ident_char]; }
auto const kw_and = kw("and");
auto const kw_or = kw("or");
auto const kw_not = kw("not");
auto const kw_in = kw("in");
auto const kw_true = kw("true");
auto const kw_false = kw("false");
auto const kw_null = kw("null");
auto const keyword = kw_and | kw_or | kw_not | kw_in | kw_true | kw_false | kw_null;
auto const name = x3::lexeme[!keyword >> ident_start >> *ident_char];

auto const or_op = kw_or | x3::lit("||");
auto const and_op = kw_and | x3::lit("&&");
auto const not_op = kw_not | x3::lexeme[x3::lit('!') >> !x3::lit('=')];
auto const not_in_op = kw_not >> kw_in;

struct comparison_ops : x3::symbols<Kind> {
  comparison_ops() {
    add("==", Kind::Eq)("!=", Kind::Ne)("<", Kind::Lt)("<=", Kind::Le)(">", Kind::Gt)(">=",
                                                                                      Kind::Ge);
  }
};
comparison_ops const cmp_op;

auto opener(char c) { return x3::omit[x3::raw[x3::lit(c)][open]]; }
auto const digits = +digit | fail_parser("a digit");

// Grammar, lowest precedence first.
auto const expr_def = or_list[make_chain(Kind::Or)];
auto const or_list_def = and_expr >> *(or_op > and_expr);
auto const and_expr_def = and_list[make_chain(Kind::And)];
auto const and_list_def = not_expr >> *(and_op > not_expr);
auto const not_expr_def =
    (x3::omit[x3::raw[not_op][open_not]] > not_expr)[make_not] | comparison[set];
auto const comparison_def = primary[set] >>
                            -((cmp_op > primary)[make_comparison] |
                              (not_in_op > list_operand)[make_membership(Kind::NotIn)] |
                              (kw_in > list_operand)[make_membership(Kind::In)]) >>
                            -x3::raw[cmp_op | not_in_op | kw_in][chained];
auto const primary_def = string_lit | number | constant | list | group | call | path;
auto const group_def = (opener('(') > expr > rparen)[set];
auto const rparen_def = x3::lit(')')[close];
auto const list_operand_def = list;
auto const list_def = (opener('[') > list_items)[make_list];
auto const list_items_def = list_close | (element > *(',' > element) > list_end);
auto const element_def = expr;
auto const list_close_def = x3::lit(']')[close];
auto const list_end_def = list_close;
auto const call_def = ((call_name >> opener('(')) > call_args)[make_call];
auto const call_name_def = x3::raw[name];
auto const call_args_def = args_close | (argument > *(',' > argument) > args_end);
auto const argument_def = expr;
auto const args_close_def = x3::lit(')')[close];
auto const args_end_def = args_close;
auto const path_def =
    x3::raw[x3::lexeme[name >> *('.' >> (name | fail_parser("an identifier")))]][make_path];
auto const number_def =
    x3::raw[x3::lexeme[((x3::lit('-') >> digits) | +digit) >> -('.' >> digits)]][make_number];
auto const string_lit_def = string_parser{}[make_string];
auto const constant_def = kw_true[make_constant(Kind::Bool, true)] |
                          kw_false[make_constant(Kind::Bool, false)] |
                          kw_null[make_constant(Kind::Null, false)];
auto const end_def = x3::eoi;

BOOST_SPIRIT_DEFINE(expr, or_list, and_expr, and_list, not_expr, comparison, primary, group, rparen,
                    list_operand, list, list_items, element, list_close, list_end, call, call_name,
                    call_args, argument, args_close, args_end, path, number, string_lit, constant,
                    end)

ParseError error_at(Iter base, Iter where, std::string message) {
  return ParseError{static_cast<uint32_t>(where - base), std::move(message)};
}

ParseError expected(Iter base, Iter last, Iter where, const std::string& what) {
  std::string message = "expected " + what;
  if (where != last) {
    message += " but found " + describe(static_cast<unsigned char>(*where));
  }
  return error_at(base, where, std::move(message));
}

}  // namespace

std::variant<ast::Node, ParseError> parse_expression(std::string_view text) {
  if (text.size() > kMaxExpressionLength) {
    return ParseError{
        static_cast<uint32_t>(kMaxExpressionLength),
        "expression is longer than " + std::to_string(kMaxExpressionLength) + " bytes", true};
  }
  if (std::all_of(text.begin(), text.end(), is_blank)) {
    return ParseError{0, "empty expression"};
  }
  const Iter base = text.data();
  const Iter last = base + text.size();
  State st{base};
  Node result;
  try {
    Iter it = base;
    auto const grammar = x3::with<state_tag>(st)[x3::expect[expr] > end];
    if (x3::phrase_parse(it, last, grammar, blank, result)) return result;
    // Unreachable: both parts of the grammar are expectation points.
    return expected(base, last, it, "an operand");
  } catch (const x3::expectation_failure<Iter>& e) {
    // X3 reports where the failing parser started; step over the blanks
    // so the offset is that of the offending character.
    Iter where = e.where();
    while (where != last && is_blank(*where)) ++where;
    return expected(base, last, where, e.which());
  } catch (const Failure& f) {
    if (f.expected) return expected(base, last, f.where, f.what);
    ParseError pe = error_at(base, f.where, f.what);
    pe.limit = f.limit;
    return pe;
  } catch (const std::exception& e) {
    return ParseError{0, std::string("internal parser error: ") + e.what()};
  }
}

}  // namespace casex::detail
