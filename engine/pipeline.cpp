// engine/pipeline.cpp: the one pipeline driver (engine/pipeline.h).
#include "engine/pipeline.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <new>
#include <tuple>

#include "engine/check/check.h"
#include "engine/common/diagnostics.h"
#include "engine/compile/compile.h"
#include "engine/load/load.h"

namespace casex::detail {

// The rule set version: the first 16 hex digits of the SHA-256 (OpenSSL's
// libcrypto) of the rule files in load order, each framed as
//   u64be(size of base name) | base name | u64be(size of text) | text
// (u64be: the size as 8 bytes, most significant first), so that no two lists
// of files give the same bytes however their names and texts are split.
std::string rules_version(const std::vector<SourceFile>& files) {
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  bool ok = ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1;
  auto frame = [&](std::string_view s) {
    unsigned char size[8];
    for (int i = 0; i < 8; ++i)
      size[i] = static_cast<unsigned char>(static_cast<uint64_t>(s.size()) >> (56 - 8 * i));
    ok = ok && EVP_DigestUpdate(ctx.get(), size, sizeof size) == 1 &&
         EVP_DigestUpdate(ctx.get(), s.data(), s.size()) == 1;
  };
  for (const auto& f : files) {
    frame(std::filesystem::path(f.name).filename().string());
    frame(f.text);
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!ok || EVP_DigestFinal_ex(ctx.get(), md, &len) != 1 || len < 8)
    throw std::bad_alloc();  // libcrypto out of memory
  std::string hex;
  for (unsigned int i = 0; i < 8; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

Pipeline run_pipeline(std::vector<SourceFile> files) {
  Pipeline p;
  p.sources = std::move(files);
  Diagnostics diags;
  p.raw = load_rule_files(p.sources, diags);
  p.compiled = std::make_shared<CompiledRules>(compile_rules(check_rules(p.raw, diags), diags));
  p.compiled->version = rules_version(p.sources);
  p.has_errors = diags.has_errors();
  if (!p.has_errors) p.compiled->sources = p.sources;
  p.diagnostics = std::move(diags.items());
  std::stable_sort(p.diagnostics.begin(), p.diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
                   });
  return p;
}

LoadResult load_result(Pipeline&& p) {
  LoadResult result;
  result.diagnostics = std::move(p.diagnostics);
  if (!p.has_errors) result.rules = RuleSet(std::move(p.compiled));
  result.sources = std::move(p.sources);
  return result;
}

}  // namespace casex::detail
