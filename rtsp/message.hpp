// RTSP/1.0 requests and responses (RFC 2326 sections 6 and 7): parse and serialize.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace rtsp {

// Header fields in arrival order. Names compare case-insensitively (RFC 2326 4.2).
class Headers {
 public:
  struct Field {
    std::string name;
    std::string value;
    friend bool operator==(const Field&, const Field&) = default;
  };

  // First value of `name`, if present.
  std::optional<std::string_view> get(std::string_view name) const;
  // Replaces every field called `name` by one field; appends when absent.
  void set(std::string_view name, std::string_view value);
  // Appends a field, keeping any existing ones.
  void add(std::string_view name, std::string_view value);
  void remove(std::string_view name);
  const std::vector<Field>& fields() const { return fields_; }
  size_t size() const { return fields_.size(); }

  friend bool operator==(const Headers&, const Headers&) = default;

 private:
  std::vector<Field> fields_;
};

struct Request {
  std::string method;
  std::string uri;
  std::string version = "RTSP/1.0";
  Headers headers;
  std::string body;

  // Parses one whole request: start line, headers, empty line, then exactly Content-Length
  // bytes of body. Line endings may be CRLF or bare LF (GStreamer and some cameras).
  static absl::StatusOr<Request> parse(std::string_view text);
  // Canonical form with CRLF; adds Content-Length when the body is not empty.
  std::string serialize() const;
  // CSeq as an integer when present and valid.
  std::optional<int64_t> cseq() const;

  friend bool operator==(const Request&, const Request&) = default;
};

struct Response {
  int status = 200;
  std::string reason;  // empty: the standard phrase for `status`
  std::string version = "RTSP/1.0";
  Headers headers;
  std::string body;

  static absl::StatusOr<Response> parse(std::string_view text);
  std::string serialize() const;

  friend bool operator==(const Response&, const Response&) = default;
};

// Standard reason phrase of an RTSP status code (RFC 2326 7.1.1), "Unknown" otherwise.
std::string_view reason_phrase(int status);

}  // namespace rtsp
