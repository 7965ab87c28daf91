// tests/fuzz/fuzz_serve_router.cpp: libFuzzer target: any bytes as what a
// client sends `casex serve`: parsed by Beast's request parser with the
// server's header limit, then answered by the router (tools/serve/service.cpp)
// on the built-in rules, whole and, for POST /v1/eval/lines, in two pieces
// split where the last byte says. Must never crash, hang or leak; every
// answer carries the rules version and a valid status, and the lines answered
// in pieces are the lines answered whole.
#include <boost/beast/http.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tools/serve/service.h"

namespace http = boost::beast::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static casex::serve::Service* service = [] {
    casex::serve::ServiceOptions o;
    o.token = "fuzz-token";
    std::string error;
    return casex::serve::Service::open(o, error).release();
  }();
  if (size == 0) return 0;
  std::string_view bytes(reinterpret_cast<const char*>(data), size - 1);
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(1 << 20);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
  if (ec || !parser.is_done()) return 0;
  const auto& request = parser.get();
  casex::serve::Response answer = service->handle(request);
  if (answer["X-Casex-Rules-Version"].empty() || answer.result_int() < 200 ||
      answer.result_int() > 599)
    __builtin_trap();
  if (casex::serve::Service::endpoint(request.target()) == casex::serve::Endpoint::EvalLines &&
      request.method() == http::verb::post) {
    const std::string& body = request.body();
    std::size_t split = body.empty() ? 0 : data[size - 1] % body.size();
    casex::serve::LinesRun run = service->start_lines(request);
    std::string out;
    service->feed_lines(run, std::string_view(body).substr(0, split), out);
    service->feed_lines(run, std::string_view(body).substr(split), out);
    service->finish_lines(run, out);
    if (out != answer.body()) __builtin_trap();
  }
  return 0;
}
