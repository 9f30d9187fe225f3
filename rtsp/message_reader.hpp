// Incremental reader for an RTSP byte stream: requests or responses mixed with interleaved
// binary frames ('$' channel length payload, RFC 2326 section 10.12). Push-style: feed()
// bytes as they arrive; complete items come back in order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "rtsp/message.hpp"

namespace rtsp {

struct InterleavedFrame {
  uint8_t channel = 0;
  std::string payload;
  friend bool operator==(const InterleavedFrame&, const InterleavedFrame&) = default;
};

// A fatal framing error: the connection must answer `status` (when non-zero) and close.
struct ReaderError {
  int status = 400;     // 400 malformed, 413 body too large, 431 head too large / too many headers
  std::string message;  // human-readable reason, for logs
  friend bool operator==(const ReaderError&, const ReaderError&) = default;
};

using ReaderItem = std::variant<Request, Response, InterleavedFrame, ReaderError>;

class MessageReader {
 public:
  enum class Kind { Requests, Responses };
  explicit MessageReader(Kind kind) : kind_(kind) {}

  // Appends bytes and returns every complete item now available. Limits from limits.hpp are
  // enforced as soon as they are exceeded (never after buffering more than the limit).
  // After a ReaderError is returned the reader is closed and ignores further input.
  std::vector<ReaderItem> feed(std::string_view bytes);

  // Bytes buffered but not yet returned as an item.
  size_t buffered() const { return buffer_.size(); }
  bool closed() const { return closed_; }

 private:
  // Progress through the text message that starts at buffer_[0]; offsets count from there, so
  // scanning resumes where the previous feed() stopped instead of rescanning the buffer.
  struct HeadScan {
    size_t scanned = 0;     // bytes already examined for line ends
    size_t line_start = 0;  // first byte of the line being read
    size_t lines = 0;       // complete lines, start line included
    size_t header_count = 0;
    std::optional<size_t> content_length;
    std::optional<size_t> head_bytes;  // set once the empty line has been seen
  };
  // One step of progress on `rest` (the unconsumed input): an item and/or consumed bytes.
  struct Step {
    std::optional<ReaderItem> item;
    size_t consumed = 0;
  };

  Step next(std::string_view rest);
  Step take_message(std::string_view rest);
  std::optional<ReaderError> scan_head(std::string_view rest);
  std::optional<ReaderError> end_line(std::string_view line);
  ReaderItem parse_message(std::string_view text) const;

  Kind kind_;
  std::string buffer_;
  bool closed_ = false;
  bool in_message_ = false;  // a text message has started at buffer_[0]
  HeadScan scan_;
};

}  // namespace rtsp
