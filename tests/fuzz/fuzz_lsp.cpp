// tests/fuzz/fuzz_lsp.cpp: libFuzzer target: any bytes as what an editor sends
// `casex lsp`, through the server's message loop (tools/lsp/server.cpp) with
// the analysis on the loop (synchronous). An input that starts with
// "Content-Length" is read as the framed stream itself; any other is one
// message body per line. "${URI}" in the input is the file URI of a copy of
// the built-in rules (written once, in a temporary directory), so that
// didOpen and didChange edit real rule sets (each edit is analysed: the seeds
// open validation.yaml). Before the input, the harness initializes the
// server. Must never crash, hang or leak, and every message the server sends
// is a JSON-RPC 2.0 object.
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "casex/casex.hpp"
#include "tools/lsp/jsonrpc.h"
#include "tools/lsp/server.h"
#include "tools/lsp/text.h"

namespace {

std::string rules_uri() {
  static const std::string uri = [] {
    char tmpl[] = "/tmp/casex-fuzz-lsp-XXXXXX";
    const char* dir = mkdtemp(tmpl);
    if (!dir) std::abort();
    for (const auto& f : casex::RuleSet::builtin_sources()) {
      std::string name = std::filesystem::path(f.name).filename().string();
      std::ofstream(std::string(dir) + "/" + name) << f.text;
    }
    return casex::lsp::path_to_uri(dir);
  }();
  return uri;
}

void check(const std::string& message) {
  boost::json::error_code ec;
  boost::json::value v = boost::json::parse(message, ec);
  if (ec || !v.is_object()) __builtin_trap();
  const auto* version = v.get_object().if_contains("jsonrpc");
  if (!version || !version->is_string() || version->get_string() != "2.0") __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& uri = rules_uri();
  std::string input(reinterpret_cast<const char*>(data), size);
  for (std::size_t at = input.find("${URI}"); at != std::string::npos;
       at = input.find("${URI}", at + uri.size()))
    input.replace(at, 6, uri);
  casex::lsp::ServerOptions options;
  options.synchronous = true;
  options.docs_url = "https://casex.example/docs/lint.md";
  casex::lsp::Server server(options, check);
  server.handle(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"capabilities":{}}})");
  if (input.rfind("Content-Length", 0) == 0) {
    std::istringstream in(input);
    while (!server.exited()) {
      auto f = casex::lsp::read_frame(in);
      if (!f) break;
      if (f->error.empty())
        server.handle(f->body);
      else
        server.framing_error(f->error);
    }
  } else {
    std::size_t start = 0;
    while (start <= input.size() && !server.exited()) {
      std::size_t nl = input.find('\n', start);
      if (nl == std::string::npos) nl = input.size();
      server.handle(std::string_view(input).substr(start, nl - start));
      start = nl + 1;
    }
  }
  return 0;
}
