// tools/serve/server.cpp: connections of `casex serve`. One Session per
// connection on its own strand: it reads a request's header (header limit,
// read timeout), checks the body's size against the endpoint's limit, reads
// the body (POST /v1/eval/lines: in pieces, answered as lines complete),
// writes the answer, and waits for the next request (idle timeout).
// Requests of one connection are answered in order (pipelining included).
#include "tools/serve/server.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <array>
#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "tools/commands.h"
#include "tools/io.h"
#include "tools/serve/access_log.h"

namespace casex::serve {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

class Server;

class SessionBase : public std::enable_shared_from_this<SessionBase> {
 public:
  virtual ~SessionBase() = default;
  virtual void start() = 0;
  /// When the server drains (posted to the session's strand): an idle
  /// connection closes now, a busy one after its answer.
  virtual void drain() = 0;
  std::list<std::weak_ptr<SessionBase>>::iterator registered;
};

class Server {
 public:
  Server(Service& service, const ServerOptions& o)
      : service_(service), o_(o), ioc_(1), acceptor_(ioc_), signals_(ioc_), poll_(ioc_) {}

  int run();
  Service& service() { return service_; }
  const ServerOptions& options() const { return o_; }
  bool stopping() const { return stopping_; }
  AccessLog* access_log() { return access_log_.get(); }
  void unregister(SessionBase& s) {
    std::lock_guard<std::mutex> lock(m_);
    sessions_.erase(s.registered);
  }

 private:
  void accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void wait_signal();
  void stop();
  void watch_drain(Clock::time_point deadline);

  // The next connection's context: each thread runs its own io_context (one
  // thread each: no strand, no lock between threads on a request's path), and
  // connections are dealt to them in turn.
  net::io_context& next_context() {
    std::size_t i = next_++ % (contexts_.size() + 1);
    return i == 0 ? ioc_ : *contexts_[i - 1];
  }

  Service& service_;
  ServerOptions o_;
  // Before the contexts: the sessions they still hold when the server ends
  // (after a drain timeout) unregister from it as they are destroyed.
  std::mutex m_;
  std::list<std::weak_ptr<SessionBase>> sessions_;
  std::optional<ssl::context> tls_;
  std::unique_ptr<AccessLog> access_log_;
  std::atomic<bool> stopping_{false};
  // Before ioc_, so destroyed after it: an accept cancelled by stop() can
  // still be pending in ioc_ when it is destroyed, holding a socket of one of
  // these contexts.
  std::vector<std::unique_ptr<net::io_context>> contexts_;  // those of the other threads
  net::io_context ioc_;  // the acceptor, the signals, and connections in turn
  tcp::acceptor acceptor_;
  net::signal_set signals_;
  net::steady_timer poll_;
  std::size_t next_ = 0;  // on ioc_'s thread only
};

template <class Stream>
class Session : public SessionBase {
 public:
  template <class... Args>
  Session(Server& server, bool refuse, Args&&... args)
      : server_(server),
        service_(server.service()),
        refuse_(refuse),
        stream_(std::forward<Args>(args)...) {
    service_.metrics().connection_opened();
  }
  ~Session() override {
    service_.metrics().connection_closed();
    server_.unregister(*this);
  }

  void start() override {
    if (server_.access_log()) {
      beast::error_code ec;
      auto at = lowest().socket().remote_endpoint(ec);
      if (!ec) remote_ = fmt::format("{}:{}", at.address().to_string(), at.port());
    }
    if constexpr (!kTls) {
      // Writes that would wait say so (write()); asynchronous operations are unaffected.
      beast::error_code ec;
      lowest().socket().non_blocking(true, ec);
      if (ec) return close();
    }
    if (refuse_) {
      // Over --max-connections: refused before anything is spent on it. Over
      // HTTP, the 503 goes out at once, without reading the request; over
      // TLS, the connection is closed before the handshake (a 503 could only
      // be read after one, and the handshake is the costly part of TLS).
      service_.metrics().connection_refused();
      if constexpr (kTls) return close();
      return fail(http::status::service_unavailable,
                  fmt::format("too many connections (the limit is {}); retry later",
                              server_.options().max_connections));
    }
    if constexpr (kTls) {
      lowest().expires_after(server_.options().read_timeout);
      stream_.async_handshake(ssl::stream_base::server, [self = self()](beast::error_code ec) {
        if (ec) return self->close();
        self->read_request();
      });
    } else {
      read_request();
    }
  }

  void drain() override {
    net::post(lowest().get_executor(), [self = self()] {
      self->closing_ = true;
      if (self->idle_) self->lowest().cancel();  // the wait for the next request ends: closed
    });
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  std::shared_ptr<Session> self() { return std::static_pointer_cast<Session>(shared_from_this()); }
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  // Between two requests of a keep-alive connection: wait for the next
  // request's first byte for the idle timeout, then read it within the read timeout.
  void read_request() {
    if (closing_ || server_.stopping()) return close();
    if (buffer_.size() > 0 || first_) return read_header();
    idle_ = true;
    lowest().expires_after(server_.options().idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = self()](beast::error_code ec, std::size_t n) {
                              self->idle_ = false;
                              if (ec || self->closing_) return self->close();
                              self->buffer_.commit(n);
                              self->read_header();
                            });
  }

  void read_header() {
    first_ = false;
    header_.emplace();
    header_->header_limit(static_cast<std::uint32_t>(server_.options().header_limit));
    header_->body_limit(boost::none);  // each endpoint's limit is checked once the header is read
    if (buffer_.size() > 0) {
      // What is read already is parsed at once (as async_read_header would,
      // without its round through the executor); it reads on if that is not all.
      beast::error_code ec;
      buffer_.consume(header_->put(buffer_.data(), ec));
      if (ec != http::error::need_more && (ec || header_->is_header_done())) return on_header(ec);
    }
    lowest().expires_after(server_.options().read_timeout);
    http::async_read_header(
        stream_, buffer_, *header_,
        [self = self()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    endpoint_ = Endpoint::Other;
    if (ec == http::error::header_limit)
      return fail(http::status::request_header_fields_too_large,
                  fmt::format("the request header is larger than the limit of {} bytes",
                              server_.options().header_limit));
    if (ec &&
        (ec == http::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
         ec == net::error::operation_aborted ||
         ec.category() == net::error::get_system_category() ||
         ec.category() == net::error::get_ssl_category() || ec == ssl::error::stream_truncated))
      return close();  // gone, too slow (a slowloris) or draining: nothing to answer
    if (ec) return fail(http::status::bad_request, "malformed request: " + ec.message());
    started_ = Clock::now();
    const auto& req = header_->get();
    endpoint_ = Service::endpoint(req.target());
    if (server_.access_log()) {
      method_ = req.method_string();
      target_ = req.target();
    }
    std::size_t limit = service_.body_limit(endpoint_);
    if (auto length = header_->content_length(); length && *length > limit)
      return fail(http::status::payload_too_large,
                  fmt::format("the body is {} bytes; the limit is {} bytes", *length, limit));
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                     req.version());
      return http::async_write(stream_, *cont,
                               [self = self(), cont](beast::error_code ec, std::size_t) {
                                 if (ec) return self->close();
                                 self->read_body();
                               });
    }
    read_body();
  }

  void read_body() {
    std::size_t limit = service_.body_limit(endpoint_);
    lowest().expires_after(server_.options().read_timeout);
    if (endpoint_ == Endpoint::EvalLines && header_->get().method() == http::verb::post) {
      lines_.emplace(std::move(*header_));
      lines_->body_limit(limit);
      run_.emplace(service_.start_lines(lines_->get()));
      run_->request_id = service_.request_id(lines_->get());
      out_.clear();
      return read_lines();
    }
    body_.emplace(std::move(*header_));
    body_->body_limit(limit);
    // A body read already with its header (the usual small request) is taken
    // from the buffer at once; the rest of a longer one is read.
    beast::error_code ec;
    for (std::size_t n = 1; n > 0 && !ec && !body_->is_done() && buffer_.size() > 0;) {
      n = body_->put(buffer_.data(), ec);
      buffer_.consume(n);
    }
    if (ec == http::error::need_more) ec = {};
    if (body_failed(ec)) return;
    if (body_->is_done()) return answer(service_.handle(body_->get()), body_->get().keep_alive());
    http::async_read(stream_, buffer_, *body_, [self = self()](beast::error_code ec, std::size_t) {
      if (self->body_failed(ec)) return;
      self->answer(self->service_.handle(self->body_->get()), self->body_->get().keep_alive());
    });
  }

  // A body that cannot be read: too large (413), else the client is gone,
  // too slow or sent a malformed body (closed; a malformed chunk: 400).
  bool body_failed(beast::error_code ec) {
    if (!ec) return false;
    if (ec == http::error::body_limit)
      fail(http::status::payload_too_large,
           fmt::format("the body is longer than the limit of {} bytes",
                       service_.body_limit(endpoint_)));
    else if (ec.category() == http::make_error_code(http::error::end_of_stream).category() &&
             ec != http::error::end_of_stream && ec != http::error::partial_message)
      fail(http::status::bad_request, "malformed request body: " + ec.message());
    else
      close();
    return true;
  }

  void read_lines() {
    if (lines_->is_done()) return on_lines({});  // an empty body: done with the header
    // A long body may take long: the read timeout applies to each piece.
    lowest().expires_after(server_.options().read_timeout);
    http::async_read_some(
        stream_, buffer_, *lines_,
        [self = self()](beast::error_code ec, std::size_t) { self->on_lines(ec); });
  }

  // The lines are answered as they complete. The answer is sent whole (with
  // Content-Length and the X-Casex-Lines/-Errors counts) when the body ends
  // before kStreamAt bytes of results; past that, it is streamed: its header
  // (Transfer-Encoding: chunked), then a chunk of results each time kStreamAt
  // bytes are ready, read in turn with the body, so that memory stays bounded.
  static constexpr std::size_t kStreamAt = std::size_t{1} << 20;

  void on_lines(beast::error_code ec) {
    if (ec && streaming_) return close();  // the answer has begun: nothing else to say
    if (body_failed(ec)) return;
    auto& body = lines_->get().body();
    for (auto b : body.data())
      service_.feed_lines(*run_, std::string_view(static_cast<const char*>(b.data()), b.size()),
                          out_);
    body.consume(body.size());
    if (!lines_->is_done()) return out_.size() >= kStreamAt ? stream_lines(false) : read_lines();
    service_.finish_lines(*run_, out_);
    if (streaming_) return stream_lines(true);
    bool keep = lines_->get().keep_alive();
    answer(service_.lines_response(lines_->get(), *run_, std::move(out_)), keep);
  }

  void stream_lines(bool last) {
    lowest().expires_after(server_.options().read_timeout);
    if (streaming_) return write_chunk(last);
    streaming_ = true;
    Response whole = service_.lines_response(lines_->get(), *run_, {});
    head_.emplace(http::status::ok, lines_->get().version());
    for (const auto& field : whole)
      if (field.name() != http::field::content_length &&
          !beast::iequals(field.name_string(), "X-Casex-Lines") &&
          !beast::iequals(field.name_string(), "X-Casex-Errors"))
        head_->set(field.name_string(), field.value());
    head_->chunked(true);
    head_->keep_alive(lines_->get().keep_alive() && !closing_ && !server_.stopping());
    head_writer_.emplace(*head_);
    http::async_write_header(stream_, *head_writer_,
                             [self = self(), last](beast::error_code ec, std::size_t) {
                               if (ec) return self->close();
                               self->write_chunk(last);
                             });
  }

  void write_chunk(bool last) {
    chunk_.swap(out_);
    out_.clear();
    streamed_bytes_ += chunk_.size();
    // The whole answer is known before its last bytes go out: recorded now, so
    // that a client which has read the answer finds its access-log line.
    if (last) answered(200, streamed_bytes_, (*head_)["X-Request-Id"]);
    auto then = [self = self(), last](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      if (!last) return self->read_lines();
      net::async_write(self->stream_, http::make_chunk_last(),
                       [self](beast::error_code ec, std::size_t) {
                         if (ec) return self->close();
                         self->streamed();
                       });
    };
    if (chunk_.empty()) return then({}, 0);
    net::async_write(stream_, http::make_chunk(net::buffer(chunk_)), std::move(then));
  }

  // The end of a streamed answer (recorded before its last chunk): as after any answer.
  void streamed() {
    streamed_bytes_ = 0;
    bool keep = head_->keep_alive();
    streaming_ = false;
    head_writer_.reset();
    head_.reset();
    chunk_ = {};
    header_reset(*this);
    if (!keep) return linger();
    read_request();
  }

  void answer(Response res, bool keep_alive) {
    res_ = std::move(res);
    res_.keep_alive(keep_alive && !closing_ && !server_.stopping());
    write();
  }

  // An error that ends the connection: its answer, then a lingering close.
  void fail(http::status status, const std::string& message) {
    started_ = Clock::now();
    unsigned version = header_ && header_->is_header_done() ? header_->get().version() : 11;
    res_ = service_.error(status, message, version);
    res_.keep_alive(false);
    closing_ = true;
    write();
  }

  // The answer is recorded (metrics, access log) before it is written: a
  // client that has read it finds it counted and its access-log line in the
  // file, and lines follow the order in which answers were sent.
  //
  // The answer goes out as two buffers: its header, as Beast's serializer
  // writes it (every answer has a Content-Length: prepare_payload), then its
  // body. Over plain TCP they are first written at once, as far as the socket
  // takes them without waiting (the usual answer: whole, with no timer and no
  // round through the executor); what is left is written asynchronously,
  // within the read timeout.
  void write() {
    answered(res_.result_int(), res_.body().size(), res_["X-Request-Id"]);
    http::fields::writer writer{res_, res_.version(), res_.result_int()};
    auto header = writer.get();
    head_bytes_.resize(net::buffer_size(header));
    net::buffer_copy(net::buffer(head_bytes_), header);
    std::array<net::const_buffer, 2> whole{net::buffer(head_bytes_), net::buffer(res_.body())};
    beast::buffers_suffix<std::array<net::const_buffer, 2>> rest(whole);
    if constexpr (!kTls) {
      beast::error_code ec;
      rest.consume(net::write(lowest().socket(), whole, ec));
      if (!ec) return written(true);
      if (ec != net::error::would_block && ec != net::error::try_again) return close();
    }
    lowest().expires_after(server_.options().read_timeout);
    net::async_write(stream_, rest, [self = self()](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      self->written(false);
    });
  }

  // An answer written: the connection closes or waits for the next request.
  void written(bool at_once) {
    bool keep = res_.keep_alive();
    res_ = {};
    header_reset(*this);
    if (!keep) return linger();
    // A request read already (pipelined) is taken through the executor, not
    // by recursion, when this answer was written at once.
    if (at_once && buffer_.size() > 0)
      return net::post(lowest().get_executor(), [self = self()] { self->read_request(); });
    read_request();
  }

  // An answer ready to be written: the metrics and the access log (the
  // duration runs from the header read to now).
  void answered(unsigned status, std::size_t bytes, std::string_view id) {
    auto took = Clock::now() - started_;
    service_.record(endpoint_, status, std::chrono::duration<double>(took).count());
    if (auto* log = server_.access_log()) {
      AccessEntry e;
      e.time = std::chrono::system_clock::now() -
               std::chrono::duration_cast<std::chrono::system_clock::duration>(took);
      e.remote = remote_;
      e.method = method_;
      e.target = target_;
      e.status = status;
      e.bytes = bytes;
      e.duration = std::chrono::duration_cast<std::chrono::microseconds>(took);
      e.request_id = id;
      log->write(e);
      method_.clear();
      target_.clear();
    }
  }

  static void header_reset(Session& s) {
    s.header_.reset();
    s.body_.reset();
    s.lines_.reset();
    s.run_.reset();
  }

  // After an answer with Connection: close: shut our side and read what the
  // client still sends (at most 1 s), so that it reads the answer before the close.
  void linger() {
    if constexpr (kTls) {
      lowest().expires_after(std::chrono::seconds(1));
      stream_.async_shutdown([self = self()](beast::error_code) { self->close(); });
    } else {
      beast::error_code ec;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
      if (ec) return close();
      lowest().expires_after(std::chrono::seconds(1));
      drain_input();
    }
  }

  void drain_input() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(64 * 1024),
                            [self = self()](beast::error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->drain_input();
                            });
  }

  void close() {
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    lowest().close();
  }

  Server& server_;
  Service& service_;
  bool refuse_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> header_;
  std::optional<http::request_parser<http::string_body>> body_;
  std::optional<http::request_parser<http::dynamic_body>> lines_;
  std::optional<LinesRun> run_;
  std::string out_, chunk_;
  bool streaming_ = false;
  std::optional<http::response<http::empty_body>> head_;
  std::optional<http::response_serializer<http::empty_body>> head_writer_;
  Response res_;
  std::string head_bytes_;  // res_'s header, as written
  Endpoint endpoint_ = Endpoint::Other;
  Clock::time_point started_ = Clock::now();
  std::size_t streamed_bytes_ = 0;
  std::string remote_, method_, target_;  // for the access log only
  bool first_ = true, idle_ = false, closing_ = false;
};

// "HOST:PORT" or "[IPv6]:PORT" as an endpoint; false with `error`.
bool parse_listen(const std::string& text, tcp::endpoint& out, std::string& error) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    error = fmt::format("--listen {}: expected HOST:PORT, e.g. 127.0.0.1:8181", text);
    return false;
  }
  std::string host = text.substr(0, colon), port = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  unsigned long p = 0;
  for (char c : port) {
    if (c < '0' || c > '9' || (p = p * 10 + static_cast<unsigned long>(c - '0')) > 65535) {
      error = fmt::format("--listen {}: the port is not a number from 0 to 65535", text);
      return false;
    }
  }
  beast::error_code ec;
  auto address = net::ip::make_address(host, ec);
  if (ec) {
    error = fmt::format("--listen {}: \"{}\" is not an IP address", text, host);
    return false;
  }
  out = tcp::endpoint(address, static_cast<unsigned short>(p));
  return true;
}

int Server::run() {
  tcp::endpoint at;
  std::string error;
  if (!parse_listen(o_.listen, at, error)) {
    cli::io::errf("casex serve: {}\n", error);
    return 2;
  }
  if (!o_.tls_cert.empty()) {
    tls_.emplace(ssl::context::tls_server);
    tls_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                      ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                      ssl::context::single_dh_use);
    beast::error_code ec;
    tls_->use_certificate_chain_file(o_.tls_cert, ec);
    if (ec) {
      cli::io::errf("casex serve: --tls-cert {}: {}\n", o_.tls_cert, ec.message());
      return 2;
    }
    tls_->use_private_key_file(o_.tls_key, ssl::context::pem, ec);
    if (ec) {
      cli::io::errf("casex serve: --tls-key {}: {}\n", o_.tls_key, ec.message());
      return 2;
    }
  }
  if (!o_.access_log.empty()) {
    access_log_ = AccessLog::open(o_.access_log, error);
    if (!access_log_) {
      cli::io::errf("casex serve: --access-log {}\n", error);
      return 2;
    }
  }
  beast::error_code ec;
  acceptor_.open(at.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(at, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    cli::io::errf("casex serve: cannot listen on {}: {}\n", o_.listen, ec.message());
    return 2;
  }
  if (o_.watch && !service_.watch(error)) {
    cli::io::errf("casex serve: --watch: {}\n", error);
    return 2;
  }
  // Room for every connection allowed (and a margin for refusals and files).
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  unsigned threads = o_.threads ? o_.threads : std::max(1u, std::thread::hardware_concurrency());
  auto local = acceptor_.local_endpoint();
  std::string host = local.address().to_string();
  if (local.address().is_v6()) host = "[" + host + "]";
  cli::io::errf("casex serve: listening on {}://{}:{} (rules {}, {}; {} thread{})\n",
                tls_ ? "https" : "http", host, local.port(), service_.version(),
                cli::rules_name(service_.directory()), threads, threads == 1 ? "" : "s");
  std::fflush(stderr);
  signals_.add(SIGINT);
  signals_.add(SIGTERM);
  signals_.add(SIGHUP);
  wait_signal();
  accept();
  std::vector<net::executor_work_guard<net::io_context::executor_type>> busy;
  for (unsigned i = 1; i < threads; ++i) {
    contexts_.push_back(std::make_unique<net::io_context>(1));
    busy.push_back(net::make_work_guard(*contexts_.back()));
  }
  std::vector<std::thread> pool;
  for (auto& c : contexts_) pool.emplace_back([&c] { c->run(); });
  ioc_.run();
  for (auto& c : contexts_) c->stop();
  for (auto& t : pool) t.join();
  service_.unwatch();
  cli::io::err("casex serve: stopped\n");
  return 0;
}

void Server::accept() {
  acceptor_.async_accept(
      next_context(), [this](beast::error_code ec, tcp::socket s) { on_accept(ec, std::move(s)); });
}

void Server::on_accept(beast::error_code ec, tcp::socket socket) {
  if (stopping_) return;
  auto context = socket.get_executor();
  if (ec) {
    // Out of descriptors (or another transient failure): try again shortly, never spin.
    auto timer = std::make_shared<net::steady_timer>(ioc_, std::chrono::milliseconds(50));
    timer->async_wait([this, timer](beast::error_code) {
      if (!stopping_) accept();
    });
    return;
  }
  std::shared_ptr<SessionBase> session;
  bool refuse = false;
  {
    std::lock_guard<std::mutex> lock(m_);
    // Over the limit, a connection is answered 503 (a small reserve of them),
    // beyond that closed at once.
    refuse = sessions_.size() >= o_.max_connections;
    if (sessions_.size() >= o_.max_connections + 64) {
      service_.metrics().connection_refused();
      beast::error_code ignored;
      socket.close(ignored);
      accept();
      return;
    }
  }
  if (tls_)
    session = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
        *this, refuse, std::move(socket), *tls_);
  else
    session = std::make_shared<Session<beast::tcp_stream>>(*this, refuse, std::move(socket));
  {
    std::lock_guard<std::mutex> lock(m_);
    session->registered = sessions_.insert(sessions_.end(), session);
  }
  // The session runs on its socket's context (its thread) from the start.
  net::post(context, [session] { session->start(); });
  accept();
}

void Server::wait_signal() {
  signals_.async_wait([this](beast::error_code ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      ReloadResult r = service_.reload();
      if (r.ok)
        cli::io::errf("casex serve: rules {} in effect (SIGHUP)\n", r.version);
      else
        cli::io::errf("casex serve: new rules refused, {} still in effect (SIGHUP):\n{}", r.version,
                      format_diagnostics(r.diagnostics, r.sources));
      return wait_signal();
    }
    stop();
  });
}

// SIGTERM/SIGINT: no new connection; idle ones close, busy ones after their
// answer; the process ends when none is left or the drain timeout passes.
void Server::stop() {
  stopping_ = true;
  service_.set_draining();
  beast::error_code ec;
  acceptor_.close(ec);
  signals_.cancel(ec);
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard<std::mutex> lock(m_);
    for (auto& w : sessions_)
      if (auto s = w.lock()) live.push_back(std::move(s));
  }
  cli::io::errf("casex serve: draining {} connection{}\n", live.size(),
                live.size() == 1 ? "" : "s");
  for (auto& s : live) s->drain();
  watch_drain(Clock::now() + o_.drain_timeout);
}

void Server::watch_drain(Clock::time_point deadline) {
  bool empty;
  {
    std::lock_guard<std::mutex> lock(m_);
    empty = sessions_.empty();
  }
  if (empty || Clock::now() >= deadline) {
    if (!empty) cli::io::err("casex serve: drain timeout: closing the connections left\n");
    ioc_.stop();
    return;
  }
  poll_.expires_after(std::chrono::milliseconds(20));
  poll_.async_wait([this, deadline](beast::error_code) { watch_drain(deadline); });
}

}  // namespace

int run_server(Service& service, const ServerOptions& options) {
  Server server(service, options);
  return server.run();
}

}  // namespace casex::serve
