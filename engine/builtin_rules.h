// engine/builtin_rules.h: the default rule files, embedded at build time from
// rules/*.yaml by cmake/embed_rules.cmake.
#pragma once

#include <cstddef>

namespace casex::detail {

/// One embedded rule file.
struct BuiltinFile {
  const char* name;  // e.g. "rules/resolution.yaml"
  const char* text;
  std::size_t size;
};

extern const BuiltinFile kBuiltinRules[];
extern const std::size_t kBuiltinRuleCount;

}  // namespace casex::detail
