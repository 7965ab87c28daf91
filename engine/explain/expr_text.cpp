// engine/explain/expr_text.cpp: typed expressions and runtime values back to
// text and JSON, for explanations and the rendered rule page.
#include <fmt/format.h>

#include "engine/explain/explain.h"

namespace casex::detail {

namespace {

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

int precedence(Op op) {
  switch (op) {
    case Op::Or: return 1;
    case Op::And: return 2;
    case Op::Not: return 3;
    case Op::Eq:
    case Op::Ne:
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge:
    case Op::In:
    case Op::NotIn: return 4;
    default: return 5;
  }
}

const char* infix(Op op) {
  switch (op) {
    case Op::Eq: return " == ";
    case Op::Ne: return " != ";
    case Op::Lt: return " < ";
    case Op::Le: return " <= ";
    case Op::Gt: return " > ";
    case Op::Ge: return " >= ";
    case Op::And: return " and ";
    case Op::Or: return " or ";
    default: return " ? ";
  }
}

std::string side_name(Side s, const Vocabulary& v) {
  return s == Side::Before ? "before" : s == Side::After ? "after" : v.record;
}

}  // namespace

std::string expr_text(const TExpr& e, const Vocabulary& v) {
  auto sub = [&](const TExpr& a, int min) {
    std::string t = expr_text(a, v);
    return precedence(a.op) < min ? "(" + t + ")" : t;
  };
  switch (e.op) {
    case Op::Const:
      switch (e.kind) {
        case ConstKind::None: return "null";
        case ConstKind::Text: return quoted(e.text);
        case ConstKind::Number: return fmt::format("{}", e.number);
        case ConstKind::Bool: return e.boolean ? "true" : "false";
        case ConstKind::Sym:
          return quoted(e.type == Type::Metaphase ? v.metaphases.at(e.slot) : v.phases.at(e.slot));
      }
      return "null";
    case Op::Field: return side_name(e.side, v) + "." + v.fields.at(e.slot).name;
    case Op::Event: return v.events.at(e.slot);
    case Op::RefSystem: return "external_reference.system";
    case Op::RefId: return "external_reference.id";
    case Op::RefExists:
      return e.type == Type::Bool ? "has_value(external_reference)" : "external_reference";
    case Op::Origin: return "origin";
    case Op::RecordId: return v.record;
    case Op::MessageSystem: return "message.system";
    case Op::MessageId: return "message.id";
#define CASEX_FUNCTION(op, name, args, result, where) case Op::op:
#include "engine/check/functions.def"
#undef CASEX_FUNCTION
      {
        const Function& fn = *function_of(e.op);
        std::string out = std::string(fn.name) + "(";
        for (std::size_t i = 0, arg = 0, n = 0; fn.args[i]; ++i) {
          if (fn.args[i] == '?') {
            if (arg >= e.args.size()) break;  // the optional arguments are left out
            continue;
          }
          if (n++) out += ", ";
          if (fn.args[i] == 'f')
            out += v.fields.at(e.slot).name;
          else if (fn.args[i] == 'p')
            out += quoted(v.phases.at(e.slot));
          else
            out += expr_text(e.args.at(arg++), v);
        }
        return out + ")";
      }
    case Op::Not: return "not " + sub(e.args[0], 4);
    case Op::And:
    case Op::Or: {
      std::string out;
      for (std::size_t i = 0; i < e.args.size(); ++i) {
        if (i) out += infix(e.op);
        out += sub(e.args[i], precedence(e.op) + 1);
      }
      return out;
    }
    case Op::In:
    case Op::NotIn: {
      std::string out = sub(e.args[0], 5) + (e.op == Op::In ? " in [" : " not in [");
      for (std::size_t i = 1; i < e.args.size(); ++i)
        out += (i > 1 ? ", " : "") + expr_text(e.args[i], v);
      return out + "]";
    }
    default: return sub(e.args[0], 5) + infix(e.op) + sub(e.args[1], 5);
  }
}

boost::json::value value_json(const Value& value, Type type, const Vocabulary& v) {
  switch (value.kind) {
    case ConstKind::None: return nullptr;
    case ConstKind::Text: return boost::json::string(value.text);
    case ConstKind::Number: return value.number;
    case ConstKind::Bool: return value.boolean;
    case ConstKind::Sym: {
      const auto& names = type == Type::Metaphase ? v.metaphases : v.phases;
      if (value.sym >= 0 && static_cast<std::size_t>(value.sym) < names.size())
        return boost::json::string(names[value.sym]);
      return nullptr;
    }
  }
  return nullptr;
}

}  // namespace casex::detail
