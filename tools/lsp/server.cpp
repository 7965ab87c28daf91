// tools/lsp/server.cpp: the message loop and the analysis worker (tools/lsp/server.h).
#include "tools/lsp/server.h"

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "casex/version.h"
#include "tools/lsp/features.h"
#include "tools/lsp/jsonrpc.h"
#include "tools/lsp/text.h"

namespace casex::lsp {

namespace bj = boost::json;
namespace fs = std::filesystem;

namespace {

// JSON-RPC and LSP error codes.
constexpr int kParseError = -32700, kInvalidRequest = -32600, kMethodNotFound = -32601,
              kInvalidParams = -32602, kInternalError = -32603, kServerNotInitialized = -32002;

// A parameter's error: the request is answered with InvalidParams.
struct BadParams {
  std::string what;
};

const bj::object& obj(const bj::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || !v->is_object()) throw BadParams{std::string(key) + ": expected an object"};
  return v->get_object();
}
std::string str(const bj::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || !v->is_string()) throw BadParams{std::string(key) + ": expected a string"};
  return std::string(v->get_string());
}
int integer(const bj::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || !v->is_number()) throw BadParams{std::string(key) + ": expected a number"};
  bj::error_code ec;
  auto n = v->to_number<int>(ec);
  if (ec) throw BadParams{std::string(key) + ": out of range"};
  return n;
}

// The normalized path of a document URI (BadParams when it is not a file).
std::string doc_path(const bj::object& params) {
  std::string uri = str(obj(params, "textDocument"), "uri");
  std::string path = uri_to_path(uri);
  if (path.empty() || path.back() == '/') throw BadParams{"textDocument.uri: not a file URI"};
  return fs::path(path).lexically_normal().string();
}

std::string dir_of(const std::string& path) { return fs::path(path).parent_path().string(); }

}  // namespace

Server::Server(ServerOptions options, Sink sink)
    : options_(std::move(options)), sink_(std::move(sink)) {
  if (!options_.synchronous) thread_ = std::thread([this] { worker(); });
}

Server::~Server() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Server::send(const bj::object& message) {
  std::string text = bj::serialize(message);
  std::lock_guard<std::mutex> lock(out_);
  sink_(text);
}

void Server::reply(const bj::value& id, bj::value result) {
  send(bj::object{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}});
}

void Server::error(const bj::value& id, int code, const std::string& message) {
  send(bj::object{
      {"jsonrpc", "2.0"}, {"id", id}, {"error", bj::object{{"code", code}, {"message", message}}}});
}

void Server::framing_error(const std::string& what) {
  error(nullptr, kParseError, "casex lsp: " + what);
}

void Server::handle(std::string_view body) {
  bj::error_code ec;
  bj::value v = bj::parse(body, ec);
  if (ec) return error(nullptr, kParseError, "casex lsp: the message is not JSON: " + ec.message());
  if (!v.is_object())
    return error(nullptr, kInvalidRequest, "casex lsp: a message is a JSON object");
  const bj::object& m = v.get_object();
  const bj::value* id = m.if_contains("id");
  const bj::value* method = m.if_contains("method");
  if (id && !id->is_string() && !id->is_int64() && !id->is_uint64() && !id->is_null())
    return error(nullptr, kInvalidRequest, "casex lsp: id: expected a number or a string");
  if (!method) {
    if (id) return;  // a response to a request of ours (we send none): ignored
    return error(nullptr, kInvalidRequest, "casex lsp: the message has no method");
  }
  if (!method->is_string())
    return error(id ? *id : bj::value(nullptr), kInvalidRequest,
                 "casex lsp: method: expected a string");
  std::string name(method->get_string());
  static const bj::object none;
  const bj::value* p = m.if_contains("params");
  if (p && !p->is_object() && !p->is_array())
    return id ? error(*id, kInvalidRequest, "casex lsp: params: expected an object or an array")
              : void();
  const bj::object& params = p && p->is_object() ? p->get_object() : none;
  try {
    if (id)
      request(*id, name, params);
    else
      notification(name, params);
  } catch (const BadParams& e) {
    if (id) error(*id, kInvalidParams, "casex lsp: " + name + ": params." + e.what);
  } catch (const std::exception& e) {
    if (id) error(*id, kInternalError, "casex lsp: " + name + ": " + e.what());
  }
}

void Server::request(const bj::value& id, const std::string& method, const bj::object& params) {
  if (method == "initialize") {
    if (initialized_) return error(id, kInvalidRequest, "casex lsp: initialize was already sent");
    initialized_ = true;
    if (auto* t = params.if_contains("trace"); t && t->is_string()) set_trace(t->get_string());
    bj::object capabilities{
        {"positionEncoding", "utf-16"},
        {"textDocumentSync",
         bj::object{
             {"openClose", true}, {"change", 1}, {"save", bj::object{{"includeText", true}}}}},
        {"hoverProvider", true},
        {"completionProvider", bj::object{{"triggerCharacters", bj::array{".", "\"", "("}}}},
        {"definitionProvider", true},
        {"referencesProvider", true},
        {"documentSymbolProvider", true},
        {"codeActionProvider", bj::object{{"codeActionKinds", bj::array{"quickfix"}}}}};
    return reply(
        id, bj::object{{"capabilities", std::move(capabilities)},
                       {"serverInfo", bj::object{{"name", "casex"}, {"version", CASEX_VERSION}}}});
  }
  if (!initialized_)
    return error(id, kServerNotInitialized, "casex lsp: the server is not initialized");
  if (shutdown_)
    return error(id, kInvalidRequest, "casex lsp: the server is shut down: only exit is accepted");
  if (method == "shutdown") {
    shutdown_ = true;
    return reply(id, nullptr);
  }
  bool positional = method == "textDocument/hover" || method == "textDocument/completion" ||
                    method == "textDocument/definition" || method == "textDocument/references";
  if (positional || method == "textDocument/documentSymbol" ||
      method == "textDocument/codeAction") {
    std::string path = doc_path(params);
    int line = 0, character = 0;
    if (positional) {
      const bj::object& pos = obj(params, "position");
      line = integer(pos, "line");
      character = integer(pos, "character");
      if (line < 0 || character < 0) throw BadParams{"position: negative"};
    }
    std::string text;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = documents_.find(path);
      if (it == documents_.end()) return reply(id, nullptr);  // not open: nothing known
      text = it->second.text;
    }
    if (method == "textDocument/codeAction") {
      const bj::object& context = obj(params, "context");
      auto* ds = context.if_contains("diagnostics");
      static const bj::array empty;
      return reply(id, code_actions(str(obj(params, "textDocument"), "uri"), text,
                                    ds && ds->is_array() ? ds->get_array() : empty));
    }
    std::string dir = dir_of(path);
    std::shared_ptr<const Model> m = model(dir);
    if (method == "textDocument/documentSymbol") return reply(id, document_symbols(*m, path));
    At at{path, text, line, character};
    if (method == "textDocument/hover") return reply(id, hover(*m, at));
    if (method == "textDocument/completion") return reply(id, completion(*m, at));
    // Navigation looks in every rule set known: a rule test file names the rules of another.
    std::vector<std::shared_ptr<const Model>> keep{m};
    std::vector<const Model*> models{m.get()};
    std::vector<std::string> dirs;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const auto& [d, w] : workspaces_)
        if (d != dir) dirs.push_back(d);
    }
    for (const auto& d : dirs) {
      keep.push_back(model(d));
      models.push_back(keep.back().get());
    }
    if (method == "textDocument/definition") return reply(id, definition(models, at));
    bool decl = true;
    if (auto* c = params.if_contains("context"); c && c->is_object())
      if (auto* inc = c->get_object().if_contains("includeDeclaration"); inc && inc->is_bool())
        decl = inc->get_bool();
    return reply(id, references(models, at, decl));
  }
  error(id, kMethodNotFound, "casex lsp: unknown method " + method);
}

void Server::notification(const std::string& method, const bj::object& params) {
  if (method == "exit") {
    exited_ = true;
    return;
  }
  if (!initialized_ || shutdown_) return;  // dropped, as the specification says
  if (method == "textDocument/didOpen")
    open(params);
  else if (method == "textDocument/didChange")
    change(params);
  else if (method == "textDocument/didSave") {
    std::string path = doc_path(params);
    auto* text = params.if_contains("text");
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = documents_.find(path);
      if (it == documents_.end()) return;
      if (text && text->is_string()) it->second.text = std::string(text->get_string());
    }
    edited(dir_of(path));
  } else if (method == "textDocument/didClose") {
    close(params);
  } else if (method == "$/setTrace") {
    set_trace(str(params, "value"));
  }
  // initialized, $/cancelRequest, workspace/didChangeConfiguration...: nothing to do
}

void Server::set_trace(std::string_view value) {
  tracing_ = value == "messages" || value == "verbose";
}

void Server::trace(const std::string& message) {
  if (tracing_)
    send(bj::object{{"jsonrpc", "2.0"},
                    {"method", "$/logTrace"},
                    {"params", bj::object{{"message", message}}}});
}

void Server::open(const bj::object& params) {
  const bj::object& doc = obj(params, "textDocument");
  std::string path = doc_path(params);
  Document d{str(doc, "uri"), str(doc, "text"), 0};
  if (auto* v = doc.if_contains("version"); v && v->is_int64()) d.version = v->get_int64();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    documents_[path] = std::move(d);
  }
  edited(dir_of(path));
}

void Server::change(const bj::object& params) {
  std::string path = doc_path(params);
  auto* changes = params.if_contains("contentChanges");
  if (!changes || !changes->is_array()) throw BadParams{"contentChanges: expected an array"};
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = documents_.find(path);
    if (it == documents_.end()) return;  // not open: ignored
    if (auto* v = obj(params, "textDocument").if_contains("version"); v && v->is_int64())
      it->second.version = v->get_int64();
    // Full synchronisation: the last change's text is the document.
    for (const auto& c : changes->get_array())
      if (c.is_object())
        if (auto* t = c.get_object().if_contains("text"); t && t->is_string())
          it->second.text = std::string(t->get_string());
  }
  edited(dir_of(path));
}

void Server::close(const bj::object& params) {
  std::string path = doc_path(params);
  std::string uri;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = documents_.find(path);
    if (it == documents_.end()) return;
    uri = it->second.uri;
    documents_.erase(it);
  }
  edited(dir_of(path));  // the disk's text again
}

std::map<std::string, std::string> Server::overlay(const std::string& dir) const {
  std::map<std::string, std::string> out;
  for (const auto& [path, doc] : documents_)
    if (dir_of(path) == dir) out[path] = doc.text;
  return out;
}

void Server::edited(const std::string& dir) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++workspaces_[dir].generation;
    if (!options_.synchronous)
      pending_[dir] =
          std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.debounce_ms);
  }
  if (options_.synchronous)
    analyse(dir);
  else
    wake_.notify_all();
}

std::shared_ptr<const Model> Server::model(const std::string& dir) {
  std::map<std::string, std::string> texts;
  long long generation;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    Workspace& w = workspaces_[dir];
    if (w.model && w.model_generation == w.generation) return w.model;
    texts = overlay(dir);
    generation = w.generation;
  }
  auto m = build_model(rule_set_files(dir, texts));
  std::lock_guard<std::mutex> lock(mutex_);
  Workspace& w = workspaces_[dir];
  if (w.generation == generation) {
    w.model = m;
    w.model_generation = generation;
  }
  return m;
}

void Server::analyse(const std::string& dir) {
  std::map<std::string, std::string> texts;
  long long generation;
  std::string fallback;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    texts = overlay(dir);
    generation = workspaces_[dir].generation;
    if (!texts.empty()) fallback = texts.begin()->first;
  }
  std::vector<SourceFile> files = rule_set_files(dir, texts);
  FileDiagnostics diagnostics;
  trace("analysis of " + dir + " (edit " + std::to_string(generation) + ") started");
  // A newer edit of the set cancels this analysis at lint's next cancellation point.
  std::function<bool()> superseded;
  if (!options_.synchronous)
    superseded = [this, &dir, generation] {
      std::lock_guard<std::mutex> lock(mutex_);
      return workspaces_[dir].generation != generation;
    };
  bool cancelled = false;
  if (!files.empty())
    diagnostics = diagnose(files, options_.docs_url, fallback, superseded, &cancelled);
  if (cancelled) {
    trace("analysis of " + dir + " (edit " + std::to_string(generation) +
          ") cancelled: a newer edit came");
    return;
  }
  // Every open document gets its list; a rule test file's is checked against
  // the rule set of its directory, or else of another open rule directory.
  std::vector<SourceFile> others;
  bool others_read = false;
  for (const auto& [path, text] : texts) {
    if (!is_rule_test_file(text)) {
      diagnostics[path];
      continue;
    }
    if (files.empty() && !others_read) {
      others_read = true;
      std::vector<std::pair<std::string, std::map<std::string, std::string>>> sets;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        for (const auto& [d, w] : workspaces_)
          if (d != dir) sets.emplace_back(d, overlay(d));
      }
      for (const auto& [d, o] : sets)
        if (others.empty()) others = rule_set_files(d, o);
    }
    diagnostics[path] =
        test_file_diagnostics(files.empty() ? others : files, path, text, options_.docs_url);
  }
  publish(dir, generation, diagnostics);
}

void Server::publish(const std::string& dir, long long generation,
                     const FileDiagnostics& diagnostics) {
  std::vector<bj::object> messages;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    Workspace& w = workspaces_[dir];
    if (w.generation != generation) return;  // superseded by a newer edit
    std::map<std::string, std::string> now;
    for (const auto& [path, list] : diagnostics) {
      std::string text = bj::serialize(list);
      bool open = documents_.count(path) > 0;
      auto before = w.published.find(path);
      bool changed = before == w.published.end() ? !list.empty() : before->second != text;
      if (open || changed) {
        auto doc = documents_.find(path);
        bj::object params{{"uri", doc != documents_.end() ? doc->second.uri : path_to_uri(path)},
                          {"diagnostics", list}};
        if (doc != documents_.end()) params["version"] = doc->second.version;
        messages.push_back(bj::object{{"jsonrpc", "2.0"},
                                      {"method", "textDocument/publishDiagnostics"},
                                      {"params", std::move(params)}});
      }
      if (!list.empty() || open) now[path] = std::move(text);
    }
    // Files that had diagnostics and are no longer in the set: cleared.
    for (const auto& [path, text] : w.published)
      if (!diagnostics.count(path) && text != "[]")
        messages.push_back(bj::object{
            {"jsonrpc", "2.0"},
            {"method", "textDocument/publishDiagnostics"},
            {"params", bj::object{{"uri", path_to_uri(path)}, {"diagnostics", bj::array{}}}}});
    w.published = std::move(now);
  }
  for (const auto& m : messages) send(m);
}

void Server::worker() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (stopping_) return;
    if (pending_.empty()) {
      idle_.notify_all();
      wake_.wait(lock);
      continue;
    }
    auto next = pending_.begin();
    for (auto it = pending_.begin(); it != pending_.end(); ++it)
      if (it->second < next->second) next = it;
    auto now = std::chrono::steady_clock::now();
    if (next->second > now) {
      wake_.wait_until(lock, next->second);
      continue;
    }
    std::string dir = next->first;
    pending_.erase(next);
    ++running_;
    lock.unlock();
    try {
      analyse(dir);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "casex lsp: analysis of %s failed: %s\n", dir.c_str(), e.what());
    }
    lock.lock();
    --running_;
  }
}

void Server::wait_idle() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait(lock, [&] { return options_.synchronous || (pending_.empty() && running_ == 0); });
}

int run_stdio(const ServerOptions& options) {
  std::ios::sync_with_stdio(false);
  Server server(options, [](const std::string& message) {
    std::string out = frame(message);
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
  });
  while (!server.exited()) {
    auto f = read_frame(std::cin);
    if (!f) break;  // the client went away: as exit without shutdown
    if (!f->error.empty())
      server.framing_error(f->error);
    else
      server.handle(f->body);
  }
  return server.exit_code();
}

}  // namespace casex::lsp
