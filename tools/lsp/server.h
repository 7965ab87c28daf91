// tools/lsp/server.h: the language server of `casex lsp`: the message loop
// (JSON-RPC 2.0 requests and notifications of LSP 3.17), the open documents
// over the rule directories they belong to, and the analysis of each rule
// set, debounced, on a worker thread (a newer edit supersedes an older analysis).
#pragma once

#include <atomic>
#include <boost/json.hpp>
#include <condition_variable>
#include <functional>
#include <istream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "tools/lsp/analysis.h"

namespace casex::lsp {

struct ServerOptions {
  int debounce_ms = 20;      // quiet time after an edit before its rule set is analysed
  bool synchronous = false;  // analyse on the message loop, at once (fuzzing)
  std::string docs_url;      // docs/lint.md, linked from every diagnostic code
};

class Server {
 public:
  using Sink = std::function<void(const std::string& message)>;  // one JSON message out
  Server(ServerOptions options, Sink sink);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Handles one message (its JSON text).
  void handle(std::string_view body);
  /// A message whose framing was wrong: answered as a parse error.
  void framing_error(const std::string& what);
  /// Waits until no analysis is pending or running.
  void wait_idle();
  bool exited() const { return exited_; }
  /// The exit status after `exit`: 0 after a shutdown request, else 1.
  int exit_code() const { return shutdown_ ? 0 : 1; }

 private:
  struct Document {
    std::string uri, text;
    long long version = 0;
  };
  struct Workspace {
    long long generation = 0;                      // bumped by every edit of the set
    std::map<std::string, std::string> published;  // path -> last diagnostics sent
    std::shared_ptr<const Model> model;
    long long model_generation = -1;
  };

  void request(const boost::json::value& id, const std::string& method,
               const boost::json::object& params);
  void notification(const std::string& method, const boost::json::object& params);
  void send(const boost::json::object& message);
  void reply(const boost::json::value& id, boost::json::value result);
  void error(const boost::json::value& id, int code, const std::string& message);

  void open(const boost::json::object& params);
  void change(const boost::json::object& params);
  void close(const boost::json::object& params);
  void edited(const std::string& dir);  // schedules the analysis of a rule set
  void analyse(const std::string& dir);
  void publish(const std::string& dir, long long generation, const FileDiagnostics& diagnostics);
  std::map<std::string, std::string> overlay(const std::string& dir) const;
  std::shared_ptr<const Model> model(const std::string& dir);
  void worker();
  void set_trace(std::string_view value);  // the client's trace setting: off, messages, verbose
  void trace(const std::string& message);  // a $/logTrace notification when tracing

  ServerOptions options_;
  Sink sink_;
  bool initialized_ = false, shutdown_ = false, exited_ = false;
  std::atomic<bool> tracing_{false};

  std::mutex out_;            // one message out at a time
  mutable std::mutex mutex_;  // guards what follows
  std::condition_variable wake_, idle_;
  std::map<std::string, Document> documents_;  // path -> open document
  std::map<std::string, Workspace> workspaces_;
  std::map<std::string, std::chrono::steady_clock::time_point> pending_;  // dir -> due
  int running_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

/// Runs the server on standard input and output until `exit` or the end of
/// input; the process's exit status.
int run_stdio(const ServerOptions& options);

}  // namespace casex::lsp
