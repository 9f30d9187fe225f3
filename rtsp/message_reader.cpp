// Incremental RTSP stream reader: text messages (RFC 2326 section 4) mixed with interleaved
// binary frames (section 10.12), with the limits of limits.hpp enforced byte by byte.
#include "rtsp/message_reader.hpp"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "base/strings.hpp"
#include "rtsp/limits.hpp"

namespace rtsp {
namespace {

constexpr size_t kInterleavedHeaderBytes = 4;
constexpr size_t kMaxContentLengthDigits = 18;

bool is_line_end(char c) {
  return c == '\r' || c == '\n';
}

bool is_binary(unsigned char c) {
  return (c < 0x20 && c != '\r' && c != '\n' && c != '\t') || c == 0x7f;
}

ReaderError error(int status, std::string message) {
  return {status, std::move(message)};
}

// The trimmed value when `line` is a Content-Length header field.
std::optional<std::string_view> content_length_value(std::string_view line) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  if (!base::equals_ignore_case(base::trim(line.substr(0, colon)), "Content-Length"))
    return std::nullopt;
  return base::trim(line.substr(colon + 1));
}

std::optional<uint64_t> parse_length(std::string_view value) {
  return base::parse_decimal(value, kMaxContentLengthDigits);
}

// RFC 2326 10.12: "the stream data is encapsulated ... in the following format: the
// ASCII dollar sign (24 hexadecimal), followed by a one-byte channel identifier, followed by
// the length of the encapsulated binary data as a binary, two-byte integer in network byte
// order."
std::optional<std::pair<InterleavedFrame, size_t>> take_interleaved(std::string_view rest) {
  if (rest.size() < kInterleavedHeaderBytes) return std::nullopt;
  size_t length =
      (static_cast<size_t>(static_cast<uint8_t>(rest[2])) << 8) | static_cast<uint8_t>(rest[3]);
  if (rest.size() < kInterleavedHeaderBytes + length) return std::nullopt;
  InterleavedFrame frame{static_cast<uint8_t>(rest[1]),
                         std::string(rest.substr(kInterleavedHeaderBytes, length))};
  return std::make_pair(std::move(frame), kInterleavedHeaderBytes + length);
}

}  // namespace

std::vector<ReaderItem> MessageReader::feed(std::string_view bytes) {
  std::vector<ReaderItem> items;
  if (closed_) return items;
  buffer_.append(bytes);
  size_t pos = 0;
  while (pos < buffer_.size()) {
    Step step = next(std::string_view(buffer_).substr(pos));
    pos += step.consumed;
    if (step.item) {
      closed_ = std::holds_alternative<ReaderError>(*step.item);
      items.push_back(std::move(*step.item));
      if (closed_) {
        buffer_.clear();
        buffer_.shrink_to_fit();
        return items;
      }
    } else if (step.consumed == 0) {
      break;  // the next item is incomplete
    }
  }
  buffer_.erase(0, pos);  // one erase per feed: consumed items never move twice
  return items;
}

MessageReader::Step MessageReader::next(std::string_view rest) {
  if (!in_message_) {
    // Some clients send extra CRLF between requests (RFC 2326 inherits HTTP/1.1's "SHOULD
    // ignore at least one empty line"); see rtsp_message_reader_test
    // StrayLineEndsBetweenMessages.
    size_t blank = 0;
    while (blank < rest.size() && is_line_end(rest[blank])) ++blank;
    if (blank > 0) return {std::nullopt, blank};
    if (rest.front() == '$') {
      auto frame = take_interleaved(rest);
      if (!frame) return {};
      return {std::move(frame->first), frame->second};
    }
    in_message_ = true;
    scan_ = {};
  }
  return take_message(rest);
}

MessageReader::Step MessageReader::take_message(std::string_view rest) {
  if (!scan_.head_bytes) {
    if (auto err = scan_head(rest)) return {std::move(*err), 0};
    if (!scan_.head_bytes) return {};
  }
  size_t total = *scan_.head_bytes + scan_.content_length.value_or(0);
  if (rest.size() < total) return {};
  in_message_ = false;
  return {parse_message(rest.substr(0, total)), total};
}

// Examines the bytes not yet seen, stopping after the empty line that ends the head. Every
// check is made per byte, so the outcome does not depend on how the input was split.
std::optional<ReaderError> MessageReader::scan_head(std::string_view rest) {
  for (; scan_.scanned < rest.size(); ++scan_.scanned) {
    size_t i = scan_.scanned;
    char c = rest[i];
    if (i + 1 > kMaxHeadBytes) {
      return error(431,
                   base::cat("message head longer than ", std::to_string(kMaxHeadBytes), " bytes"));
    }
    // The start line may reach the limit and still be followed by CRLF.
    bool start_line_over = scan_.lines == 0 && i + 1 > kMaxStartLineBytes && c != '\n' &&
                           !(c == '\r' && i == kMaxStartLineBytes);
    if (start_line_over) {
      return error(
          400, base::cat("start line longer than ", std::to_string(kMaxStartLineBytes), " bytes"));
    }
    if (is_binary(static_cast<unsigned char>(c))) {
      return error(400, "binary data in message head");
    }
    if (c != '\n') continue;
    std::string_view line = rest.substr(scan_.line_start, i - scan_.line_start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    scan_.line_start = i + 1;
    if (auto err = end_line(line)) return err;
    if (line.empty()) {
      scan_.head_bytes = i + 1;
      ++scan_.scanned;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<ReaderError> MessageReader::end_line(std::string_view line) {
  size_t index = scan_.lines++;
  if (index == 0) {
    if (line.size() > kMaxStartLineBytes) {
      return error(
          400, base::cat("start line longer than ", std::to_string(kMaxStartLineBytes), " bytes"));
    }
    return std::nullopt;
  }
  if (line.empty() || line.front() == ' ' || line.front() == '\t') return std::nullopt;
  if (++scan_.header_count > kMaxHeaderCount) {
    return error(431, base::cat("more than ", std::to_string(kMaxHeaderCount), " header fields"));
  }
  auto value = content_length_value(line);
  if (!value) return std::nullopt;
  auto length = parse_length(*value);
  if (!length) return error(400, base::cat("bad Content-Length: \"", *value, "\""));
  if (*length > kMaxBodyBytes) {
    return error(413, base::cat("Content-Length ", std::to_string(*length), " exceeds ",
                                std::to_string(kMaxBodyBytes)));
  }
  if (scan_.content_length && *scan_.content_length != *length) {
    return error(400, "conflicting Content-Length headers");
  }
  scan_.content_length = static_cast<size_t>(*length);
  return std::nullopt;
}

ReaderItem MessageReader::parse_message(std::string_view text) const {
  auto to_error = [](const absl::Status& st) {
    // RFC 2326 7.1.1: 505 "RTSP Version not supported" for a well-formed other major version.
    int status = absl::IsUnimplemented(st) ? 505 : 400;
    return ReaderItem(ReaderError{status, std::string(st.message())});
  };
  if (kind_ == Kind::Requests) {
    auto request = Request::parse(text);
    if (!request.ok()) return to_error(request.status());
    return std::move(*request);
  }
  auto response = Response::parse(text);
  if (!response.ok()) return to_error(response.status());
  return std::move(*response);
}

}  // namespace rtsp
