// tools/decision_log.cpp: decision-log lines (SHA-256 of the input, rules fired and
// operations read back from the result document) and the append-only log file.
#include "tools/decision_log.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <boost/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <new>

namespace casex::cli {

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
      line["incident"] = o.contains("incident") ? o.at("incident") : bj::value(nullptr);
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

DecisionLog::DecisionLog(const std::string& path) : path_(path) {
  if (path_.empty()) return;
  file_ = std::fopen(path_.c_str(), "ab");
  opened_ = file_ != nullptr;
  if (!file_) errno_ = errno ? errno : EIO;
}

DecisionLog::~DecisionLog() { close(); }

bool DecisionLog::close() {
  if (!file_) return errno_ == 0;
  if (std::fclose(file_) != 0 && errno_ == 0) errno_ = errno ? errno : EIO;
  file_ = nullptr;
  return errno_ == 0;
}

std::string DecisionLog::error() const {
  return fmt::format("cannot {} the decision log {}: {}", opened_ ? "write" : "open", path_,
                     std::strerror(errno_ ? errno_ : EIO));
}

// Nothing survives from one decision to the next but the FILE's fixed buffer:
// the line is freed when it is written.
bool DecisionLog::record(std::string_view rules_version, std::string_view input,
                         std::string_view result, std::string_view request_id) {
  if (!file_) return errno_ == 0;
  if (errno_ != 0) return false;
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::string line = decision_log_line(rules_version, input, result, stamp, request_id);
  line.push_back('\n');
  errno = 0;
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0)
    errno_ = errno ? errno : EIO;
  return errno_ == 0;
}

}  // namespace casex::cli
