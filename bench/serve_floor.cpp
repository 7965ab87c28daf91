// bench/serve_floor.cpp: the HTTP floor of bench/serve.sh: a minimal
// Boost.Beast HTTP/1.1 server that reads every request whole and answers it
// with one fixed JSON body (keep-alive, as `casex serve` does), with no
// evaluation at all. casex serve's requests/s as a fraction of this server's,
// driven the same way by wrk, is what evaluating a change costs beside HTTP.
//
//   casex_serve_floor HOST:PORT [THREADS]     (THREADS default: one per processor)
//
// Writes "casex_serve_floor: listening on HOST:PORT" on standard error when
// ready; runs until SIGTERM or SIGINT.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// A typical answer of POST /v1/eval for the peers' workload (one operation).
const std::string kBody =
    R"({"incident":"INC-1042","phase":"Review","operations":[{"operation":"Update","system":"SM",)"
    R"("phase":"InitialSupport","rule":"resolution.update"}],"suppressed":[]})";

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket socket) : stream_(std::move(socket)) {}
  void start() { read(); }

 private:
  void read() {
    req_ = {};
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, req_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return self->close();
                       self->answer();
                     });
  }

  void answer() {
    res_ = {http::status::ok, req_.version()};
    res_.set(http::field::content_type, "application/json");
    res_.body() = kBody;
    res_.keep_alive(req_.keep_alive());
    res_.prepare_payload();
    http::async_write(stream_, res_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec || !self->res_.keep_alive()) return self->close();
                        self->read();
                      });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

void accept(tcp::acceptor& acceptor, net::io_context& ioc) {
  acceptor.async_accept(net::make_strand(ioc), [&](beast::error_code ec, tcp::socket socket) {
    if (!ec) std::make_shared<Session>(std::move(socket))->start();
    if (acceptor.is_open()) accept(acceptor, ioc);
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: casex_serve_floor HOST:PORT [THREADS]\n");
    return 2;
  }
  std::string listen = argv[1];
  auto colon = listen.rfind(':');
  unsigned threads = argc == 3 ? static_cast<unsigned>(std::atoi(argv[2]))
                               : std::max(1u, std::thread::hardware_concurrency());
  beast::error_code ec;
  auto address = net::ip::make_address(listen.substr(0, colon), ec);
  if (colon == std::string::npos || ec || threads == 0) {
    std::fprintf(stderr, "casex_serve_floor: expected HOST:PORT [THREADS], got %s\n", argv[1]);
    return 2;
  }
  net::io_context ioc;
  tcp::acceptor acceptor(ioc);
  tcp::endpoint at(address, static_cast<unsigned short>(std::atoi(listen.c_str() + colon + 1)));
  acceptor.open(at.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(at, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    std::fprintf(stderr, "casex_serve_floor: cannot listen on %s: %s\n", argv[1],
                 ec.message().c_str());
    return 2;
  }
  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int) { ioc.stop(); });
  accept(acceptor, ioc);
  std::fprintf(stderr, "casex_serve_floor: listening on %s (%u thread%s)\n", argv[1], threads,
               threads == 1 ? "" : "s");
  std::fflush(stderr);
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  return 0;
}
