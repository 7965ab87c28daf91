// engine/decision_log.cpp: the decision-log line (SHA-256 of the input, rules
// fired and operations read back from the result document) that Engine's log
// hook hands to hosts and `casex eval --log` writes.
#include <fmt/format.h>
#include <openssl/evp.h>

#include <boost/json.hpp>
#include <chrono>
#include <ctime>
#include <new>

#include "casex/tooling.hpp"

namespace casex {

namespace bj = boost::json;

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1)
    throw std::bad_alloc();
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

std::string log_time_now() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return stamp;
}

std::string decision_log_line(std::string_view rules_version, std::string_view input,
                              std::string_view result, std::string_view time,
                              std::string_view request_id) {
  bj::object line;
  if (!time.empty()) line["time"] = time;
  if (!request_id.empty()) line["request_id"] = request_id;
  line["input_sha256"] = sha256_hex(input);
  line["rules_version"] = rules_version;
  bj::error_code ec;
  bj::value r = bj::parse(result, ec);
  bj::array fired;
  if (!ec && r.is_object()) {
    const bj::object& o = r.get_object();
    if (const bj::value* ops = o.if_contains("operations")) {  // a change
      line["kind"] = "change";
      // the record's id: the first key of a change's result (its name is the vocabulary's)
      if (!o.empty()) line[o.begin()->key()] = o.begin()->value();
      line["phase"] = o.contains("phase") ? o.at("phase") : bj::value(nullptr);
      for (const char* key : {"operations", "suppressed"})
        if (const bj::value* list = o.if_contains(key); list && list->is_array())
          for (const auto& op : list->get_array())
            if (op.is_object() && op.get_object().contains("rule"))
              fired.push_back(op.get_object().at("rule"));
      line["rules_fired"] = std::move(fired);
      line["operations"] = *ops;
      line["suppressed"] = o.contains("suppressed") ? o.at("suppressed") : bj::value(bj::array());
    } else {  // an incoming operation
      line["kind"] = "incoming";
      bj::value in = bj::parse(input, ec);
      if (!ec && in.is_object() && in.get_object().contains("incoming"))
        line["incoming"] = in.get_object().at("incoming");
      if (o.contains("rule")) fired.push_back(o.at("rule"));
      line["rules_fired"] = std::move(fired);
      line["comments"] = o.contains("comments") ? o.at("comments") : bj::value(bj::array());
      line["external_reference"] =
          o.contains("external_reference") ? o.at("external_reference") : bj::value(nullptr);
    }
  }
  return bj::serialize(line);
}

std::string reload_log_line(const ReloadResult& reload, std::string_view time) {
  bj::object line;
  if (!time.empty()) line["time"] = time;
  line["kind"] = "reload";
  line["ok"] = reload.ok;
  line["rules_version"] = reload.version;
  line["previous_version"] = reload.previous_version;
  int errors = 0, warnings = 0;
  for (const auto& d : reload.diagnostics) {
    errors += d.severity == Severity::Error;
    warnings += d.severity == Severity::Warning;
  }
  line["errors"] = errors;
  line["warnings"] = warnings;
  return bj::serialize(line);
}

}  // namespace casex
