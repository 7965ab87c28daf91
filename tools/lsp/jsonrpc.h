// tools/lsp/jsonrpc.h: the base protocol of the Language Server Protocol:
// messages framed by a `Content-Length` header over a byte stream.
#pragma once

#include <cstddef>
#include <istream>
#include <optional>
#include <string>

namespace casex::lsp {

/// The largest message body read (a bigger one is skipped and reported).
inline constexpr std::size_t kMaxMessageBytes = std::size_t{64} << 20;

/// One framed message read from a stream.
struct Frame {
  std::string body;   // the JSON text (empty when `error` is set)
  std::string error;  // a framing fault: the header block was read, the body skipped
};

/// Reads the next message: the header lines up to an empty line (each ended
/// by \r\n; \n alone is accepted), then Content-Length bytes. nullopt at the
/// end of the stream (or when it ends inside a message).
std::optional<Frame> read_frame(std::istream& in);

/// `body` with its header, as written to the client.
std::string frame(const std::string& body);

}  // namespace casex::lsp
