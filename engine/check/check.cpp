// engine/check/check.cpp: resolves the vocabulary and type-checks every
// expression and template of the rule set against it.
#include "engine/check/check.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include "engine/parse/parse.h"

namespace casex::detail {

const char* type_name(Type t) {
  switch (t) {
    case Type::Bool: return "boolean";
    case Type::Text: return "text";
    case Type::Number: return "number";
    case Type::Phase: return "phase";
    case Type::Metaphase: return "metaphase";
    case Type::Null: return "null";
    case Type::Record: return "record";
  }
  return "?";
}

const char* hit_policy_name(HitPolicy p) {
  switch (p) {
    case HitPolicy::First: return "first";
    case HitPolicy::Unique: return "unique";
    case HitPolicy::Priority: return "priority";
    case HitPolicy::Collect: return "collect";
  }
  return "first";
}

int Vocabulary::index_of(const std::vector<std::string>& names, std::string_view name) {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<int>(i);
  return -1;
}

// Linear scans: vocabularies are small, and a scan of string_views allocates nothing.
int Vocabulary::find_phase(std::string_view name) const {
  for (const auto& [k, id] : phase_ids)
    if (k == name) return id;
  return -1;
}

int Vocabulary::find_field(std::string_view name) const {
  for (const auto& [k, id] : field_ids)
    if (k == name) return id;
  return -1;
}

const std::vector<Function>& functions() {
  static const std::vector<Function> all = {
#define CASEX_FUNCTION(op, name, args, result, where) \
  {Op::op, name, args, Type::result, #where[0] == 'O'},
#include "engine/check/functions.def"
#undef CASEX_FUNCTION
  };
  return all;
}

const Function* function_of(Op op) {
  for (const auto& f : functions())
    if (f.op == op) return &f;
  return nullptr;
}

const Function* find_function(std::string_view name) {
  for (const auto& f : functions())
    if (name == f.name) return &f;
  return nullptr;
}

TExpr changed_to_meaning(const TExpr& call) {
  TExpr changed, field, eq, both;
  changed.op = Op::Changed;
  changed.type = Type::Bool;
  changed.slot = call.slot;
  changed.span = call.span;
  field.op = Op::Field;
  field.side = Side::After;
  field.slot = call.slot;
  field.type = call.args[0].type;  // the checker made the value comparable with the field
  field.span = call.span;
  eq.op = Op::Eq;
  eq.type = Type::Bool;
  eq.span = call.span;
  eq.args = {field, call.args[0]};
  both.op = Op::And;
  both.type = Type::Bool;
  both.span = call.span;
  both.args = {std::move(changed), std::move(eq)};
  return both;
}

namespace {

// The help of value-not-in-set: the value meant, and where to declare a new one.
std::string value_help(const std::string& value, const Vocabulary::Field& f) {
  std::string meant = did_you_mean(value, f.values);
  if (f.values_at.empty()) return meant;
  std::string add = fmt::format("to allow \"{}\", add it to the `values:` of {} at {}", value,
                                f.name, f.values_at);
  return meant.empty() ? add : meant + " or, " + add;
}

const std::vector<std::string>& function_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& f : functions()) out.push_back(f.name);
    return out;
  }();
  return names;
}

std::vector<std::string> with_prefix(std::string_view prefix,
                                     const std::vector<Vocabulary::Field>& fields) {
  std::vector<std::string> out;
  for (const auto& f : fields) out.push_back(std::string(prefix) + f.name);
  return out;
}

// Type-checks one expression (or one template placeholder) in a context.
class ExprChecker {
 public:
  ExprChecker(const Vocabulary& v, Context ctx, const SourceText& src, std::size_t base,
              Diagnostics& d)
      : v_(v), ctx_(ctx), src_(src), base_(base), d_(d) {}

  std::optional<TExpr> parse_and_check(std::string_view text, Type want, std::string_view what) {
    auto parsed = parse_expression(text);
    if (auto* err = std::get_if<ParseError>(&parsed)) {
      d_.report(err->limit ? Code::LimitExceeded : Code::ExprSyntax, src_.at(base_ + err->offset),
                fmt::format("{}: {}", what, err->message));
      return std::nullopt;
    }
    const ast::Node& root = std::get<ast::Node>(parsed);
    auto t = check(root);
    if (!t) return std::nullopt;
    if (want != Type::Null && t->type != want && t->type != Type::Null) {
      error(Code::TypeMismatch, root,
            fmt::format("{} must be {}, but this expression is {}", what, type_name(want),
                        type_name(t->type)));
      return std::nullopt;
    }
    return t;
  }

 private:
  void error(Code c, const ast::Node& n, std::string msg, std::string help = {}) {
    d_.report(c, src_.span(base_ + n.span.begin, base_ + n.span.end), std::move(msg),
              std::move(help));
  }

  TExpr make(Op op, Type type, const ast::Node& n) {
    TExpr t;
    t.op = op;
    t.type = type;
    t.span = n.span;
    return t;
  }

  std::vector<std::string> path_candidates() const {
    std::vector<std::string> c;
    if (ctx_ == Context::Outgoing) {
      c = with_prefix("before.", v_.fields);
      auto a = with_prefix("after.", v_.fields);
      c.insert(c.end(), a.begin(), a.end());
      c.insert(c.end(), v_.events.begin(), v_.events.end());
      c.insert(c.end(), {"origin", v_.record});
    } else {
      c = with_prefix(v_.record + ".", v_.fields);
      c.insert(c.end(), {"message.system", "message.id"});
      auto m = with_prefix("message.fields.", v_.fields);
      c.insert(c.end(), m.begin(), m.end());
    }
    c.insert(c.end(), {"external_reference", "external_reference.system", "external_reference.id"});
    return c;
  }

  std::optional<TExpr> path(const ast::Node& n) {
    const std::string& p = n.text;
    auto dot = p.find('.');
    std::string head = p.substr(0, dot);
    std::string rest = dot == std::string::npos ? std::string() : p.substr(dot + 1);
    auto field = [&](Side side) -> std::optional<TExpr> {
      if (side == Side::Message) rest = rest.substr(std::strlen("fields."));
      int slot = v_.find_field(rest);
      if (slot < 0) {
        error(Code::UnknownField, n, fmt::format("unknown field \"{}\"", p),
              did_you_mean(p, path_candidates()));
        return std::nullopt;
      }
      TExpr t = make(Op::Field, v_.fields[slot].type, n);
      t.side = side;
      t.slot = slot;
      return t;
    };
    if (ctx_ == Context::Outgoing && (head == "before" || head == "after") && !rest.empty())
      return field(head == "before" ? Side::Before : Side::After);
    if (ctx_ == Context::Incoming && head == v_.record && !rest.empty()) return field(Side::Record);
    if (ctx_ == Context::Incoming && head == "message" && rest.rfind("fields.", 0) == 0 &&
        rest.size() > std::strlen("fields."))
      return field(Side::Message);
    if (p == "external_reference") return make(Op::RefExists, Type::Record, n);
    if (p == "external_reference.system") return make(Op::RefSystem, Type::Text, n);
    if (p == "external_reference.id") return make(Op::RefId, Type::Text, n);
    if (ctx_ == Context::Outgoing) {
      if (p == "origin") return make(Op::Origin, Type::Text, n);
      if (p == v_.record) return make(Op::RecordId, Type::Text, n);
      int e = Vocabulary::index_of(v_.events, p);
      if (e >= 0) {
        TExpr t = make(Op::Event, Type::Bool, n);
        t.slot = e;
        return t;
      }
    } else {
      if (p == "message.system") return make(Op::MessageSystem, Type::Text, n);
      if (p == "message.id") return make(Op::MessageId, Type::Text, n);
    }
    error(Code::UnknownField, n, fmt::format("unknown field \"{}\"", p),
          did_you_mean(p, path_candidates()));
    return std::nullopt;
  }

  bool arity(const ast::Node& n, std::size_t want) {
    if (n.children.size() == want) return true;
    error(Code::WrongArity, n,
          fmt::format("{}() takes {} argument{}, {} given", n.text, want, want == 1 ? "" : "s",
                      n.children.size()));
    return false;
  }

  bool expect_type(const ast::Node& n, const TExpr& t, Type want, std::string_view fn) {
    if (t.type == want || t.type == Type::Null) return true;
    error(Code::TypeMismatch, n,
          fmt::format("{}() expects {}, but its argument is {}", fn, type_name(want),
                      type_name(t.type)));
    return false;
  }

  bool outgoing_only(const ast::Node& n) {
    if (ctx_ == Context::Outgoing) return true;
    error(Code::UnknownFunction, n,
          fmt::format("{}() applies to changes, not to incoming operations", n.text));
    return false;
  }

  // A call, checked argument by argument as functions.def declares them.
  std::optional<TExpr> call(const ast::Node& n) {
    const Function* fn = find_function(n.text);
    if (!fn) {
      error(Code::UnknownFunction, n, fmt::format("unknown function \"{}\"", n.text),
            did_you_mean(n.text, function_names()));
      return std::nullopt;
    }
    const std::string f = fn->name;
    const std::string letters = fn->args;
    const std::size_t most = letters.size() - std::count(letters.begin(), letters.end(), '?');
    const std::size_t least = std::min(letters.find('?'), most);
    if (least == most ? !arity(n, most) : n.children.size() < least || n.children.size() > most) {
      if (least != most)
        error(Code::WrongArity, n,
              fmt::format("{}() takes {} to {} arguments, {} given", n.text, least, most,
                          n.children.size()));
      return std::nullopt;
    }
    if (fn->outgoing_only && !outgoing_only(n)) return std::nullopt;
    TExpr t = make(fn->op, fn->result, n);
    for (std::size_t i = 0, k = 0; k < n.children.size(); ++i) {
      if (letters[i] == '?') continue;
      const ast::Node& a = n.children[k++];
      switch (letters[i]) {
        case 'o': {  // an outgoing operation name in quotes
          if (a.kind != ast::Kind::String) {
            error(Code::TypeMismatch, a,
                  v_.outgoing.empty()
                      ? fmt::format("{}() takes an operation name in quotes", f)
                      : fmt::format("{}() takes an operation name in quotes, e.g. {}(\"{}\")", f, f,
                                    v_.outgoing[0]));
            return std::nullopt;
          }
          if (Vocabulary::index_of(v_.outgoing, a.text) < 0) {
            error(Code::UnknownOperation, a,
                  fmt::format("unknown outgoing operation \"{}\"", a.text),
                  did_you_mean(a.text, v_.outgoing));
            return std::nullopt;
          }
          TExpr op = make(Op::Const, Type::Text, a);
          op.kind = ConstKind::Text;
          op.text = a.text;
          t.args.push_back(std::move(op));
          break;
        }
        case 'f': {  // a field name
          t.slot = a.kind == ast::Kind::Path ? v_.find_field(a.text) : -1;
          if (t.slot < 0) {
            std::vector<std::string> names;
            for (const auto& fl : v_.fields) names.push_back(fl.name);
            bool name = a.kind == ast::Kind::Path && a.text.find('.') == std::string::npos;
            error(Code::UnknownField, a,
                  name ? fmt::format("unknown field \"{}\"; {}() takes the name of a field", a.text,
                                     f)
                       : fmt::format("{}() takes the name of a field, e.g. {}(solution{})", f, f,
                                     std::strlen(fn->args) > 1 ? ", ..." : ""),
                  a.kind == ast::Kind::Path ? did_you_mean(a.text, names) : std::string());
            return std::nullopt;
          }
          break;
        }
        case 'p': {  // a phase name in quotes
          if (a.kind != ast::Kind::String) {
            error(Code::TypeMismatch, a,
                  fmt::format("{}() takes a phase name in quotes, e.g. {}(\"Review\")", f, f));
            return std::nullopt;
          }
          t.slot = v_.find_phase(a.text);
          if (t.slot < 0) {
            error(Code::UnknownPhase, a, fmt::format("unknown phase \"{}\"", a.text),
                  did_you_mean(a.text, v_.phases));
            return std::nullopt;
          }
          break;
        }
        case 'v': {  // a value of the field named before it, as `after.field == value` reads it
          auto arg = check(a);
          if (!arg) return std::nullopt;
          TExpr field = make(Op::Field, v_.fields[t.slot].type, n);
          field.slot = t.slot;
          if (!coerce(*arg, field, a) || !comparable(Op::Eq, field, *arg, a)) return std::nullopt;
          t.args.push_back(std::move(*arg));
          break;
        }
        default: {  // an expression: t, h or a
          auto arg = check(a);
          if (!arg) return std::nullopt;
          if (letters[i] == 't' && !expect_type(a, *arg, Type::Text, f)) return std::nullopt;
          if (letters[i] == 'h' && !expect_type(a, *arg, Type::Phase, f)) return std::nullopt;
          t.args.push_back(std::move(*arg));
        }
      }
    }
    // has_value(external_reference) asks whether the change has the record
    if (fn->op == Op::HasValue && t.args[0].type == Type::Record)
      return make(Op::RefExists, Type::Bool, n);
    return t;
  }

  // Gives a text constant the meaning of the value it is compared with.
  bool coerce(TExpr& k, const TExpr& other, const ast::Node& kn) {
    if (k.op != Op::Const || k.kind != ConstKind::Text) return true;
    if (other.type == Type::Phase) {
      int ph = v_.find_phase(k.text);
      if (ph < 0) {
        error(Code::UnknownPhase, kn, fmt::format("unknown phase \"{}\"", k.text),
              did_you_mean(k.text, v_.phases));
        return false;
      }
      k.kind = ConstKind::Sym;
      k.type = Type::Phase;
      k.slot = ph;
      k.text = v_.phases[ph];
      return true;
    }
    if (other.type == Type::Metaphase) {
      int m = Vocabulary::index_of(v_.metaphases, k.text);
      if (m < 0) {
        error(Code::UnknownMetaphase, kn, fmt::format("unknown metaphase \"{}\"", k.text),
              did_you_mean(k.text, v_.metaphases));
        return false;
      }
      k.kind = ConstKind::Sym;
      k.type = Type::Metaphase;
      k.slot = m;
      return true;
    }
    if (other.op == Op::Field && other.type == Type::Text) {
      const auto& f = v_.fields[other.slot];
      if (auto it = f.value_aliases.find(k.text); it != f.value_aliases.end()) k.text = it->second;
      if (!f.values.empty() &&
          std::find(f.values.begin(), f.values.end(), k.text) == f.values.end()) {
        error(Code::ValueNotInSet, kn,
              fmt::format("\"{}\" is not a value of {} (its values: {})", k.text, f.name,
                          fmt::join(f.values, ", ")),
              value_help(k.text, f));
        return false;
      }
    }
    return true;
  }

  bool comparable(Op op, const TExpr& a, const TExpr& b, const ast::Node& n) {
    if (a.type == Type::Record || b.type == Type::Record) {
      // falls through to the error below
    } else if (a.type == Type::Null || b.type == Type::Null) {
      if (op == Op::Eq || op == Op::Ne || op == Op::In || op == Op::NotIn) return true;
    } else if (a.type == b.type && a.type != Type::Record) {
      if (op == Op::Eq || op == Op::Ne || op == Op::In || op == Op::NotIn) return true;
      if (a.type == Type::Number || a.type == Type::Text) return true;
    }
    error(Code::TypeMismatch, n,
          fmt::format("cannot compare {} with {}", type_name(a.type), type_name(b.type)),
          a.type == Type::Record || b.type == Type::Record
              ? "use has_value(external_reference) or external_reference.system"
              : std::string());
    return false;
  }

  std::optional<TExpr> compare(const ast::Node& n) {
    static const std::pair<ast::Kind, Op> kOps[] = {
        {ast::Kind::Eq, Op::Eq}, {ast::Kind::Ne, Op::Ne},      {ast::Kind::Lt, Op::Lt},
        {ast::Kind::Le, Op::Le}, {ast::Kind::Gt, Op::Gt},      {ast::Kind::Ge, Op::Ge},
        {ast::Kind::In, Op::In}, {ast::Kind::NotIn, Op::NotIn}};
    Op op = Op::Eq;
    for (auto [k, o] : kOps)
      if (k == n.kind) op = o;
    auto lhs = check(n.children.at(0));
    if (!lhs) return std::nullopt;
    TExpr t = make(op, Type::Bool, n);
    if (op == Op::In || op == Op::NotIn) {
      const ast::Node& list = n.children.at(1);
      bool ok = true;
      std::vector<TExpr> items;
      for (const auto& e : list.children) {
        auto it = check(e);
        if (!it) {
          ok = false;
          continue;
        }
        if (it->op != Op::Const) {
          error(Code::TypeMismatch, e, "the list of `in` holds constants only");
          ok = false;
          continue;
        }
        if (!coerce(*it, *lhs, e) || !comparable(op, *lhs, *it, e)) {
          ok = false;
          continue;
        }
        items.push_back(std::move(*it));
      }
      if (!ok) return std::nullopt;
      t.args.push_back(std::move(*lhs));
      for (auto& i : items) t.args.push_back(std::move(i));
      return t;
    }
    auto rhs = check(n.children.at(1));
    if (!rhs) return std::nullopt;
    if (!coerce(*rhs, *lhs, n.children[1]) || !coerce(*lhs, *rhs, n.children[0]))
      return std::nullopt;
    if (!comparable(op, *lhs, *rhs, n)) return std::nullopt;
    t.args.push_back(std::move(*lhs));
    t.args.push_back(std::move(*rhs));
    return t;
  }

  std::optional<TExpr> check(const ast::Node& n) {
    switch (n.kind) {
      case ast::Kind::Null: return make(Op::Const, Type::Null, n);
      case ast::Kind::Bool: {
        TExpr t = make(Op::Const, Type::Bool, n);
        t.kind = ConstKind::Bool;
        t.boolean = n.boolean;
        return t;
      }
      case ast::Kind::Number: {
        TExpr t = make(Op::Const, Type::Number, n);
        t.kind = ConstKind::Number;
        t.number = n.number;
        return t;
      }
      case ast::Kind::String: {
        TExpr t = make(Op::Const, Type::Text, n);
        t.kind = n.text.empty() ? ConstKind::None : ConstKind::Text;  // "" is no value
        t.text = n.text;
        return t;
      }
      case ast::Kind::Path: return path(n);
      case ast::Kind::Call: return call(n);
      case ast::Kind::List:
        error(Code::TypeMismatch, n, "a list may stand only on the right of `in`");
        return std::nullopt;
      case ast::Kind::Not:
      case ast::Kind::And:
      case ast::Kind::Or: {
        Op op = n.kind == ast::Kind::Not ? Op::Not : n.kind == ast::Kind::And ? Op::And : Op::Or;
        TExpr t = make(op, Type::Bool, n);
        bool ok = true;
        for (const auto& c : n.children) {
          auto a = check(c);
          if (!a) {
            ok = false;
            continue;
          }
          if (a->type != Type::Bool) {
            error(Code::TypeMismatch, c,
                  fmt::format("`{}` needs a boolean operand, but this is {}",
                              ast::kind_name(n.kind), type_name(a->type)),
                  a->type == Type::Text ? "use has_value(...) to test whether a field has a value"
                                        : "");
            ok = false;
            continue;
          }
          t.args.push_back(std::move(*a));
        }
        if (!ok) return std::nullopt;
        return t;
      }
      default: return compare(n);
    }
  }

  const Vocabulary& v_;
  Context ctx_;
  const SourceText& src_;
  std::size_t base_;
  Diagnostics& d_;
};

std::optional<TExpr> check_expr(const Vocabulary& v, Context ctx, const SourceText& src, Type want,
                                std::string_view what, Diagnostics& d) {
  return ExprChecker(v, ctx, src, 0, d).parse_and_check(src.text, want, what);
}

// Parses a template: literal text with {expression} placeholders; {{ and }} are braces.
std::optional<Template> check_template(const Vocabulary& v, Context ctx, const SourceText& src,
                                       Diagnostics& d) {
  Template t;
  std::string lit;
  const std::string& s = src.text;
  bool ok = true;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '{' && i + 1 < s.size() && s[i + 1] == '{') {
      lit.push_back('{');
      ++i;
    } else if (c == '}' && i + 1 < s.size() && s[i + 1] == '}') {
      lit.push_back('}');
      ++i;
    } else if (c == '}') {
      d.report(Code::UnknownPlaceholder, src.at(i), "a '}' without its '{'",
               "write }} for a literal brace");
      ok = false;
    } else if (c == '{') {
      std::size_t close = s.find('}', i + 1);
      if (close == std::string::npos) {
        d.report(Code::UnknownPlaceholder, src.at(i), "a '{' without its '}'",
                 "write {{ for a literal brace");
        ok = false;
        break;
      }
      if (!lit.empty()) t.pieces.push_back({std::move(lit), std::nullopt});
      lit.clear();
      std::string_view inner(s.data() + i + 1, close - i - 1);
      auto e =
          ExprChecker(v, ctx, src, i + 1, d).parse_and_check(inner, Type::Null, "a placeholder");
      if (!e)
        ok = false;
      else if (e->type == Type::Bool || e->type == Type::Record) {
        d.report(
            Code::UnknownPlaceholder, src.at(i + 1),
            fmt::format("a placeholder must be a value, but this one is {}", type_name(e->type)));
        ok = false;
      } else {
        t.pieces.push_back({{}, std::move(*e)});
      }
      i = close;
    } else {
      lit.push_back(c);
    }
  }
  if (!lit.empty()) t.pieces.push_back({std::move(lit), std::nullopt});
  if (!ok) return std::nullopt;
  return t;
}

class RuleChecker {
 public:
  RuleChecker(const RawRuleSet& raw, Diagnostics& d) : raw_(raw), d_(d) {}

  CheckedRuleSet run() {
    if (!raw_.vocabulary.present) {
      d_.report(Code::MissingSection, {}, "the rule set has no vocabulary section",
                "add a file with a top-level `vocabulary:` key");
      return std::move(out_);
    }
    vocabulary();
    workflow();
    tables();
    incoming();
    return std::move(out_);
  }

 private:
  Vocabulary& v() { return out_.vocabulary; }

  void unique_name(std::set<std::string>& seen, const Text& t, std::string_view what) {
    if (!seen.insert(t.value).second)
      d_.report(Code::DuplicateId, t.loc,
                fmt::format("{} \"{}\" is declared twice", what, t.value));
  }

  void vocabulary() {
    const auto& rv = raw_.vocabulary;
    if (rv.metaphases.size() > kMaxPhases)
      d_.report(Code::LimitExceeded, rv.metaphases[kMaxPhases].loc,
                fmt::format("the vocabulary declares {} metaphases; the limit is {}",
                            rv.metaphases.size(), kMaxPhases));
    if (rv.phases.size() > kMaxPhases)
      d_.report(Code::LimitExceeded, rv.phases[kMaxPhases].name.loc,
                fmt::format("the vocabulary declares {} phases; the limit is {}", rv.phases.size(),
                            kMaxPhases),
                "merge phases, or name the others as aliases of a phase");
    std::set<std::string> seen;
    for (const auto& m : rv.metaphases) {
      unique_name(seen, m, "metaphase");
      v().metaphases.push_back(m.value);
    }
    seen.clear();
    for (const auto& p : rv.phases) {
      unique_name(seen, p.name, "phase");
      int id = static_cast<int>(v().phases.size());
      v().phases.push_back(p.name.value);
      int meta = -1;
      if (!p.metaphase) {
        d_.report(Code::PhaseWithoutMetaphase, p.name.loc,
                  fmt::format("phase \"{}\" belongs to no metaphase", p.name.value),
                  "add `metaphase:` naming one of the vocabulary's metaphases");
      } else {
        meta = Vocabulary::index_of(v().metaphases, p.metaphase->value);
        if (meta < 0)
          d_.report(Code::UnknownMetaphase, p.metaphase->loc,
                    fmt::format("unknown metaphase \"{}\"", p.metaphase->value),
                    did_you_mean(p.metaphase->value, v().metaphases));
      }
      v().phase_metaphase.push_back(meta);
      v().phase_ids.emplace(p.name.value, id);
    }
    for (const auto& p : rv.phases)
      for (const auto& a : p.aliases) {
        if (!v().phase_ids.emplace(a.value, v().phase_ids[p.name.value]).second)
          d_.report(Code::DuplicateId, a.loc,
                    fmt::format("alias \"{}\" already names a phase", a.value));
      }
    seen.clear();
    static const std::vector<std::string> kTypes = {"text", "phase", "number", "boolean"};
    for (const auto& f : rv.fields) {
      unique_name(seen, f.name, "field");
      Vocabulary::Field vf;
      vf.name = f.name.value;
      int ti = Vocabulary::index_of(kTypes, f.type.value);
      if (ti < 0)
        d_.report(Code::WrongType, f.type.loc,
                  fmt::format("unknown field type \"{}\"", f.type.value),
                  did_you_mean(f.type.value, kTypes));
      vf.type = ti == 1 ? Type::Phase : ti == 2 ? Type::Number : ti == 3 ? Type::Bool : Type::Text;
      for (const auto& val : f.values) vf.values.push_back(val.value);
      if (f.values_loc.line > 0)
        vf.values_at = fmt::format("{}:{}", f.values_loc.file, f.values_loc.line);
      for (const auto& [a, c] : f.value_aliases) {
        if (!vf.values.empty() && Vocabulary::index_of(vf.values, c.value) < 0)
          d_.report(Code::ValueNotInSet, c.loc,
                    fmt::format("\"{}\" is not a value of {}", c.value, vf.name),
                    value_help(c.value, vf));
        vf.value_aliases.emplace(a.value, c.value);
      }
      if (f.case_variants) {
        static const std::vector<std::string> kCaseVariants = {"refuse", "accept"};
        const Text& cv = *f.case_variants;
        if (Vocabulary::index_of(kCaseVariants, cv.value) < 0)
          d_.report(Code::WrongType, cv.loc,
                    fmt::format("case_variants is refuse or accept, not \"{}\"", cv.value),
                    did_you_mean(cv.value, kCaseVariants));
        else if (vf.values.empty())
          d_.report(
              Code::WrongType, cv.loc,
              fmt::format("case_variants of {} needs a value set: the field declares no values",
                          vf.name),
              "add `values: [...]` or remove case_variants");
        vf.refuse_case_variants = cv.value == "refuse";
        vf.accept_case_variants = cv.value == "accept";
      }
      vf.open = f.open;
      int slot = static_cast<int>(v().fields.size());
      if (vf.type == Type::Phase) {
        if (v().phase_field >= 0)
          d_.report(Code::DuplicateId, f.type.loc, "a second field of type phase");
        else
          v().phase_field = slot;
      }
      v().field_ids.emplace(vf.name, slot);
      for (const auto& a : f.aliases)
        if (!v().field_ids.emplace(a.value, slot).second)
          d_.report(Code::DuplicateId, a.loc,
                    fmt::format("alias \"{}\" already names a field", a.value));
      v().fields.push_back(std::move(vf));
    }
    if (v().phase_field < 0)
      d_.report(Code::MissingSection, rv.loc, "the vocabulary declares no field of type phase",
                "add `- {name: phase, type: phase}` under fields");
    seen.clear();
    for (const auto& e : rv.events) {
      unique_name(seen, e, "event");
      v().events.push_back(e.value);
    }
    if (rv.record) record_name(*rv.record);
    // An event is a top-level key of the change document: it may not be one
    // the document already uses (the record's id, the snapshots, the history).
    for (const auto& e : rv.events) {
      const std::vector<std::string> keys = {v().record, "before", "after", "external_reference",
                                             "groups",   "origin", "sent",  "incoming"};
      if (Vocabulary::index_of(keys, e.value) >= 0)
        d_.report(Code::DuplicateId, e.loc,
                  fmt::format("event \"{}\" is already a key of the change document", e.value),
                  fmt::format("choose another name; taken: {}", fmt::join(keys, ", ")));
    }
    if (rv.transitions_present) {
      const std::size_t n = v().phases.size();
      v().transitions.assign(n * n, false);
      for (const auto& [from, to] : rv.transitions)
        for (const auto& a : from)
          for (const auto& b : to) {
            int pa = phase(a), pb = phase(b);
            if (pa >= 0 && pb >= 0) v().transitions[pa * n + pb] = true;
          }
    }
    seen.clear();
    for (const auto& o : rv.outgoing) {
      unique_name(seen, o, "outgoing operation");
      v().outgoing.push_back(o.value);
    }
    seen.clear();
    for (const auto& o : rv.incoming) {
      unique_name(seen, o, "incoming operation");
      v().incoming.push_back(o.value);
    }
  }

  // `record:` names the record: a word of lower-case letters, digits and
  // underscores that no other key of a change, incoming or result document uses.
  void record_name(const Text& r) {
    static const std::vector<std::string> kReserved = {
        "before",     "after",        "external_reference",
        "groups",     "origin",       "incoming",
        "system",     "id",           "phase",
        "operations", "suppressed",   "comments",
        "rule",       "message",      "sent",
        "error",      "kind",         "time",
        "request_id", "input_sha256", "rules_version",
        "rules_fired"};
    const std::string& s = r.value;
    bool word = !s.empty() && s.size() <= 64 && s[0] >= 'a' && s[0] <= 'z';
    for (char ch : s)
      word = word && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_');
    if (!word) {
      d_.report(Code::WrongType, r.loc, fmt::format("record name \"{}\" is not a word", s),
                "write lower-case letters, digits and _, starting with a letter (e.g. request)");
      return;
    }
    if (Vocabulary::index_of(kReserved, s) >= 0 || Vocabulary::index_of(v().events, s) >= 0) {
      d_.report(Code::DuplicateId, r.loc,
                fmt::format("record name \"{}\" is already a key of the documents", s),
                fmt::format("choose another name; taken: {}, and the events",
                            fmt::join(kReserved, ", ")));
      return;
    }
    v().record = s;
  }

  // The phases one side of a transition scope names (-1 entries dropped: reported).
  std::vector<int> phase_set(const RawPhaseSet& s, std::string& text) {
    std::vector<int> out;
    if (s.metaphase) {
      int m = Vocabulary::index_of(v().metaphases, s.metaphase->value);
      text = "metaphase " + s.metaphase->value;
      if (m < 0) {
        d_.report(Code::UnknownMetaphase, s.metaphase->loc,
                  fmt::format("unknown metaphase \"{}\"", s.metaphase->value),
                  did_you_mean(s.metaphase->value, v().metaphases));
        return out;
      }
      for (std::size_t p = 0; p < v().phases.size(); ++p)
        if (v().phase_metaphase[p] == m) out.push_back(static_cast<int>(p));
      if (out.empty())
        d_.report(Code::UnknownPhase, s.metaphase->loc,
                  fmt::format("metaphase \"{}\" has no phase", s.metaphase->value));
      return out;
    }
    std::vector<std::string> names;
    bool unknown = false;
    for (const auto& t : s.phases) {
      names.push_back(t.value);
      int p = phase(t);
      unknown = unknown || p < 0;
      if (p >= 0 && std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
    }
    text = s.single ? names[0] : "[" + fmt::format("{}", fmt::join(names, ", ")) + "]";
    if (unknown) out.clear();  // reported: the table has no scope
    return out;
  }

  // Every pair of phases a transition scope covers. A pair of one phase with
  // itself is covered only when both sides name that one phase.
  void transition_pairs(const std::pair<RawPhaseSet, RawPhaseSet>& tr, CheckedTable& ct) {
    std::string from_text, to_text;
    std::vector<int> from = phase_set(tr.first, from_text), to = phase_set(tr.second, to_text);
    ct.scope_text = from_text + " -> " + to_text;
    if (from.empty() || to.empty()) return;
    const bool single = tr.first.single && tr.second.single;
    for (int a : from)
      for (int b : to)
        if (a != b || single) ct.pairs.emplace_back(a, b);
    if (single) {
      ct.from = from[0];
      ct.to = to[0];
    }
    if (ct.pairs.empty())
      d_.report(Code::UnknownPhase, tr.first.loc,
                fmt::format("the transition {} covers no pair of different phases", ct.scope_text));
  }

  int phase(const Text& t) {
    int p = v().find_phase(t.value);
    if (p < 0)
      d_.report(Code::UnknownPhase, t.loc, fmt::format("unknown phase \"{}\"", t.value),
                did_you_mean(t.value, v().phases));
    return p;
  }

  int operation(const Text& t, const std::vector<std::string>& ops, std::string_view dir) {
    int o = Vocabulary::index_of(ops, t.value);
    if (o < 0)
      d_.report(Code::UnknownOperation, t.loc,
                fmt::format("unknown {} operation \"{}\"", dir, t.value),
                did_you_mean(t.value, ops));
    return o;
  }

  void rule_id(const Text& id) { unique_name(rule_ids_, id, "rule id"); }

  void workflow() {
    const auto& w = raw_.workflow;
    out_.deduplicate = w.deduplicate;
    out_.suppress_origin = w.suppress_origin;
    for (const auto& m : w.moves) {
      rule_id(m.id);
      CheckedMove cm;
      cm.id = m.id.value;
      cm.description = m.description.value;
      auto when = check_expr(v(), Context::Outgoing, m.when, Type::Bool, "a move's condition", d_);
      cm.to = phase(m.to);
      if (!when || cm.to < 0) continue;
      cm.when = std::move(*when);
      out_.moves.push_back(std::move(cm));
    }
    for (const auto& t : w.targets) {
      CheckedTarget ct;
      bool ok = true;
      for (const auto& o : t.operations) {
        int id = operation(o, v().outgoing, "outgoing");
        ok &= id >= 0;
        ct.operations.push_back(id);
      }
      if (t.when) {
        ct.when =
            check_expr(v(), Context::Outgoing, *t.when, Type::Bool, "a target's condition", d_);
        ok &= ct.when.has_value();
      }
      auto sys = check_expr(v(), Context::Outgoing, t.system, Type::Text, "a target system", d_);
      if (!sys || !ok) continue;
      ct.system = std::move(*sys);
      out_.targets.push_back(std::move(ct));
    }
  }

  void tables() {
    std::map<std::pair<int, int>, const RawTable*>
        scopes;  // (metaphase, -1) or (from, to) + offset
    std::set<std::string> ids;
    static const std::vector<std::string> kPolicies = {"first", "unique", "priority", "collect"};
    for (const auto& t : raw_.tables) {
      unique_name(ids, t.id, "table id");
      CheckedTable ct;
      ct.id = t.id.value;
      ct.loc = t.loc;
      ct.complete = t.complete;
      int pi = Vocabulary::index_of(kPolicies, t.hit_policy.value);
      if (pi < 0)
        d_.report(Code::UnknownHitPolicy, t.hit_policy.loc,
                  fmt::format("unknown hit policy \"{}\"", t.hit_policy.value),
                  did_you_mean(t.hit_policy.value, kPolicies).empty()
                      ? "use first, unique, priority or collect"
                      : did_you_mean(t.hit_policy.value, kPolicies));
      ct.policy = static_cast<HitPolicy>(pi < 0 ? 0 : pi);
      std::pair<int, int> key;
      if (t.metaphase) {
        ct.metaphase = Vocabulary::index_of(v().metaphases, t.metaphase->value);
        if (ct.metaphase < 0)
          d_.report(Code::UnknownMetaphase, t.metaphase->loc,
                    fmt::format("unknown metaphase \"{}\"", t.metaphase->value),
                    did_you_mean(t.metaphase->value, v().metaphases));
        key = {-2, ct.metaphase};  // -2: apart from every transition's from
      } else {
        transition_pairs(*t.transition, ct);
      }
      bool resolved = t.metaphase ? ct.metaphase >= 0 : !ct.pairs.empty();
      if (!resolved) {
        // an unknown phase or metaphase is reported already; it cannot clash with another scope
      } else if (t.metaphase) {
        if (auto [it, fresh] = scopes.emplace(key, &t); !fresh)
          d_.report(Code::DuplicateScope, t.loc,
                    fmt::format("table \"{}\" has the same scope as table \"{}\"", t.id.value,
                                it->second->id.value),
                    fmt::format("the other table is at {}:{}", it->second->loc.file,
                                it->second->loc.line))
              .related.push_back(related_place("table", it->second->id.value, it->second->id.loc));
      } else {
        // Two transition scopes may not cover one pair of phases: which table
        // a change consults is never a matter of precedence.
        for (const auto& pair : ct.pairs) {
          auto [it, fresh] = scopes.emplace(pair, &t);
          if (fresh) continue;
          const bool same = ct.from >= 0 && it->second->transition &&
                            it->second->transition->first.single &&
                            it->second->transition->second.single;
          if (same)
            d_.report(Code::DuplicateScope, t.loc,
                      fmt::format("table \"{}\" has the same scope as table \"{}\"", t.id.value,
                                  it->second->id.value),
                      fmt::format("the other table is at {}:{}", it->second->loc.file,
                                  it->second->loc.line))
                .related.push_back(
                    related_place("table", it->second->id.value, it->second->id.loc));
          else
            d_.report(Code::DuplicateScope, t.loc,
                      fmt::format("the transition scopes of tables \"{}\" and \"{}\" both cover "
                                  "the transition {} -> {}",
                                  it->second->id.value, t.id.value, v().phases[pair.first],
                                  v().phases[pair.second]),
                      fmt::format("a pair of phases has at most one transition table; the other "
                                  "table is at {}:{}",
                                  it->second->loc.file, it->second->loc.line))
                .related.push_back(
                    related_place("table", it->second->id.value, it->second->id.loc));
          break;
        }
      }
      for (const auto& r : t.rules) {
        rule_id(r.id);
        CheckedRule cr;
        cr.id = r.id.value;
        cr.description = r.description.value;
        cr.scenario = r.when.text;
        cr.loc = r.loc;
        cr.priority = r.priority;
        auto when = check_expr(v(), Context::Outgoing, r.when, Type::Bool, "a scenario", d_);
        cr.operation = operation(r.then, v().outgoing, "outgoing");
        if (r.system)
          cr.system =
              check_expr(v(), Context::Outgoing, *r.system, Type::Text, "a rule's system", d_);
        if (!when || cr.operation < 0 || (r.system && !cr.system)) continue;
        cr.when = std::move(*when);
        ct.rules.push_back(std::move(cr));
      }
      out_.tables.push_back(std::move(ct));
    }
  }

  void incoming() {
    std::map<int, const RawIncoming*> covered;
    for (const auto& in : raw_.incoming) {
      rule_id(in.id);
      CheckedIncoming ci;
      ci.id = in.id.value;
      ci.description = in.description.value;
      for (const auto& o : in.operations) {
        int id = operation(o, v().incoming, "incoming");
        if (id < 0) continue;
        if (auto [it, fresh] = covered.emplace(id, &in); !fresh)
          d_.report(Code::DuplicateScope, o.loc,
                    fmt::format("incoming operation \"{}\" already has rule \"{}\"", o.value,
                                it->second->id.value))
              .related.push_back(
                  related_place("incoming rule", it->second->id.value, it->second->id.loc));
        ci.operations.push_back(id);
      }
      bool ok = true;
      for (const auto& a : in.actions) {
        CheckedAction ca;
        ca.kind = static_cast<ActionKind>(Vocabulary::index_of(kActionKinds, a.kind.value));
        if (ca.kind == ActionKind::SetFromMessage && a.field.value == "all" &&
            v().find_field("all") < 0) {
          ca.field = -1;  // every field the message carries
        } else if (ca.kind == ActionKind::Set || ca.kind == ActionKind::SetIfNoValue ||
                   ca.kind == ActionKind::Clear || ca.kind == ActionKind::SetFromMessage) {
          ca.field = v().find_field(a.field.value);
          if (ca.field < 0) {
            std::vector<std::string> names;
            for (const auto& f : v().fields) names.push_back(f.name);
            d_.report(Code::UnknownField, a.field.loc,
                      fmt::format("unknown field \"{}\"", a.field.value),
                      did_you_mean(a.field.value, names));
            ok = false;
          }
        }
        if (a.value) {
          auto t = check_template(v(), Context::Incoming, *a.value, d_);
          if (t)
            ca.value = std::move(*t);
          else
            ok = false;
          if (t && ca.field >= 0 &&
              (ca.kind == ActionKind::Set || ca.kind == ActionKind::SetIfNoValue))
            ok &= set_value(a, ca);
        }
        if (a.system && a.id) {
          auto s = check_template(v(), Context::Incoming, *a.system, d_);
          auto i = check_template(v(), Context::Incoming, *a.id, d_);
          if (s && i) {
            ca.system = std::move(*s);
            ca.id = std::move(*i);
            ca.system_text = a.system->text;
            ca.id_text = a.id->text;
          } else {
            ok = false;
          }
        }
        if (a.when) {
          ca.when =
              check_expr(v(), Context::Incoming, *a.when, Type::Bool, "an action's condition", d_);
          ok &= ca.when.has_value();
        }
        ci.actions.push_back(std::move(ca));
      }
      if (ok) out_.incoming.push_back(std::move(ci));
    }
    for (std::size_t i = 0; i < v().incoming.size(); ++i)
      if (!covered.count(static_cast<int>(i)))
        d_.report(Code::IncomingWithoutActions, raw_.vocabulary.loc,
                  fmt::format("incoming operation \"{}\" has no rule", v().incoming[i]),
                  "add an entry under `incoming:` with its actions");
  }

  // The value a `set`/`set_if_no_value` action writes, checked against its field
  // as a scenario's constant is: the field's type, its phases, its value set
  // (an alias becomes the canonical value). A number field takes a number
  // (finite; an integer within ±2^53, as inputs), a boolean field true or
  // false, or one placeholder of the field's type. False (with a diagnostic at
  // the value) when the value does not fit.
  bool set_value(const RawAction& a, CheckedAction& ca) {
    const Vocabulary::Field& f = v().fields[ca.field];
    const SourceText& src = *a.value;
    const auto& pieces = ca.value.pieces;
    const std::string action = fmt::format("`{}: {}`", a.kind.value, a.field.value);
    if (f.type == Type::Number || f.type == Type::Bool) {
      if (pieces.empty()) return true;  // "": the field loses its value
      bool fits = false;
      if (pieces.size() == 1 && pieces[0].value) {
        fits = pieces[0].value->type == f.type;
      } else if (pieces.size() == 1) {
        const std::string& text = pieces[0].literal;
        if (f.type == Type::Bool) {
          fits = text == "true" || text == "false";
        } else {
          char* end = nullptr;
          double d = std::strtod(text.c_str(), &end);
          fits = !text.empty() && end == text.c_str() + text.size() && std::isfinite(d) &&
                 (text.find_first_of(".eE") != std::string::npos ||
                  std::fabs(d) <= static_cast<double>(int64_t{1} << 53));
        }
      }
      if (fits) return true;
      d_.report(Code::TypeMismatch, src.span(0, src.text.size()),
                fmt::format("{} writes \"{}\", but field \"{}\" is a {}", action, src.text, f.name,
                            type_name(f.type)),
                f.type == Type::Bool ? "write true or false" : "write a number, e.g. 5 or 2.5");
      return false;
    }
    if (pieces.empty()) return true;  // "": the field loses its value
    // A template with placeholders: the value is known only at run time; it fits
    // when it is one placeholder whose values are the field's own.
    bool literal = pieces.size() == 1 && !pieces[0].value;
    if (!literal) {
      const TExpr* e = pieces.size() == 1 ? &*pieces[0].value : nullptr;
      bool fits = false;
      if (f.type == Type::Phase)
        fits = e && e->type == Type::Phase;
      else if (f.values.empty())
        fits = true;
      else
        fits = e && e->op == Op::Field && v().fields[e->slot].values == f.values;
      if (fits) return true;
      d_.report(
          f.type == Type::Phase ? Code::TypeMismatch : Code::ValueNotInSet,
          src.span(0, src.text.size()),
          f.type == Type::Phase
              ? fmt::format("{} needs a phase name, but \"{}\" may make any text", action, src.text)
              : fmt::format("{} needs one of the values of {} ({}), but \"{}\" may make any text",
                            action, f.name, fmt::join(f.values, ", "), src.text),
          f.type == Type::Phase ? "write a phase name, or {" + v().record + "." + f.name + "}"
                                : "write one of the values");
      return false;
    }
    std::string& text = ca.value.pieces[0].literal;
    if (f.type == Type::Phase) {
      if (v().find_phase(text) >= 0) return true;
      d_.report(Code::UnknownPhase, src.span(0, src.text.size()),
                fmt::format("{}: unknown phase \"{}\"", action, text),
                did_you_mean(text, v().phases));
      return false;
    }
    if (f.values.empty()) return true;
    if (auto it = f.value_aliases.find(text); it != f.value_aliases.end()) text = it->second;
    if (std::find(f.values.begin(), f.values.end(), text) != f.values.end()) return true;
    d_.report(Code::ValueNotInSet, src.span(0, src.text.size()),
              fmt::format("{}: \"{}\" is not a value of {} (its values: {})", action, text, f.name,
                          fmt::join(f.values, ", ")),
              value_help(text, f));
    return false;
  }

  const RawRuleSet& raw_;
  Diagnostics& d_;
  CheckedRuleSet out_;
  std::set<std::string> rule_ids_;
};

}  // namespace

CheckedRuleSet check_rules(const RawRuleSet& raw, Diagnostics& diags) {
  return RuleChecker(raw, diags).run();
}

}  // namespace casex::detail
