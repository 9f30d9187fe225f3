// RTSP/1.0 requests and responses (RFC 2326 sections 4, 6 and 7): parse and serialize.
//
// Leniency, each covered by rtsp_message_test:
//  - bare LF line endings are accepted ("ip camera client: bare LF line endings");
//  - header names and values are trimmed of SP/HT ("hikvision nvr: padded header");
//  - continuation lines (leading SP/HT) are folded into the previous value with one space, as
//    RFC 2326 section 4.2 inherits LWS folding from HTTP/1.1 ("folded header continuation").
#include "rtsp/message.hpp"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "base/strings.hpp"

namespace rtsp {
namespace {

constexpr std::string_view kContentLength = "Content-Length";
// Enough for any length we could hold in memory; longer digit strings are malformed.
constexpr size_t kMaxContentLengthDigits = 18;

bool is_ctl(unsigned char c) {
  return c < 0x20 || c == 0x7f;
}

// RFC 2326 section 15.1: token = 1*<any CHAR except CTLs or tspecials>.
bool is_tchar(unsigned char c) {
  constexpr std::string_view kTspecials = "()<>@,;:\\\"/[]?={} \t";
  return c < 0x80 && !is_ctl(c) && kTspecials.find(static_cast<char>(c)) == std::string_view::npos;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

// Header values, URIs and reason phrases: any byte but CTLs (HT allowed).
bool has_ctl(std::string_view s) {
  for (unsigned char c : s) {
    if (is_ctl(c) && c != '\t') return true;
  }
  return false;
}

// Takes one line off the front of `text`, without its LF or CRLF. False when no line end.
bool take_line(std::string_view& text, std::string_view& line) {
  size_t lf = text.find('\n');
  if (lf == std::string_view::npos) return false;
  line = text.substr(0, lf);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  text.remove_prefix(lf + 1);
  return true;
}

// RFC 2326 section 6.1 / 7.1: RTSP-Version = "RTSP" "/" 1*DIGIT "." 1*DIGIT.
absl::Status check_version(std::string_view v) {
  if (!v.starts_with("RTSP/")) {
    return absl::InvalidArgumentError(base::cat("not an RTSP version: \"", v, "\""));
  }
  std::string_view num = v.substr(5);
  size_t dot = num.find('.');
  if (dot == std::string_view::npos || !base::parse_decimal(num.substr(0, dot), 3) ||
      !base::parse_decimal(num.substr(dot + 1), 3)) {
    return absl::InvalidArgumentError(base::cat("malformed RTSP version: \"", v, "\""));
  }
  // Minor versions are compatible; only RTSP/1.x is understood (RTSP/2.0 is RFC 7826).
  if (*base::parse_decimal(num.substr(0, dot), 3) != 1) {
    return absl::UnimplementedError(base::cat("unsupported RTSP version: \"", v, "\""));
  }
  return absl::OkStatus();
}

struct Parts {
  std::string_view start_line;
  Headers headers;
  std::string_view body;
};

absl::Status add_header_line(std::string_view line, std::vector<Headers::Field>& fields) {
  if (line.front() == ' ' || line.front() == '\t') {
    // RFC 2326 4.2 (via RFC 2616 2.2): "Header fields can be extended over multiple lines by
    // preceding each extra line with at least one SP or HT."
    if (fields.empty()) return absl::InvalidArgumentError("continuation line before any header");
    std::string_view more = base::trim(line);
    if (has_ctl(more)) return absl::InvalidArgumentError("control character in header value");
    std::string& value = fields.back().value;
    if (more.empty()) return absl::OkStatus();
    if (!value.empty()) value += ' ';
    value.append(more);
    return absl::OkStatus();
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    return absl::InvalidArgumentError(base::cat("header line without colon: \"", line, "\""));
  }
  std::string_view name = base::trim(line.substr(0, colon));
  std::string_view value = base::trim(line.substr(colon + 1));
  if (!is_token(name)) return absl::InvalidArgumentError("malformed header name");
  if (has_ctl(value)) return absl::InvalidArgumentError("control character in header value");
  fields.push_back({std::string(name), std::string(value)});
  return absl::OkStatus();
}

// RFC 2326 12.14: "If this header field is not present, a value of zero is assumed."
absl::StatusOr<size_t> content_length(const Headers& headers) {
  std::optional<uint64_t> length;
  for (const auto& f : headers.fields()) {
    if (!base::equals_ignore_case(f.name, kContentLength)) continue;
    auto v = base::parse_decimal(f.value, kMaxContentLengthDigits);
    if (!v) return absl::InvalidArgumentError(base::cat("bad Content-Length: \"", f.value, "\""));
    if (length && *length != *v) return absl::InvalidArgumentError("conflicting Content-Length");
    length = v;
  }
  return static_cast<size_t>(length.value_or(0));
}

// Splits a whole message into start line, headers and body; checks the body length.
absl::StatusOr<Parts> split_message(std::string_view text) {
  Parts parts;
  if (!take_line(text, parts.start_line)) return absl::InvalidArgumentError("no line end");
  std::vector<Headers::Field> fields;
  std::string_view line;
  while (true) {
    if (!take_line(text, line)) {
      return absl::InvalidArgumentError("head is not terminated by an empty line");
    }
    if (line.empty()) break;
    if (auto st = add_header_line(line, fields); !st.ok()) return st;
  }
  for (auto& f : fields) parts.headers.add(f.name, f.value);
  auto length = content_length(parts.headers);
  if (!length.ok()) return length.status();
  if (text.size() != *length) {
    return absl::InvalidArgumentError(base::cat("body is ", std::to_string(text.size()),
                                                " bytes but Content-Length is ",
                                                std::to_string(*length)));
  }
  parts.body = text;
  return parts;
}

void serialize_tail(const Headers& headers, std::string_view body, std::string& out) {
  for (const auto& f : headers.fields()) out += base::cat(f.name, ": ", f.value, "\r\n");
  if (!body.empty() && !headers.get(kContentLength)) {
    out += base::cat(kContentLength, ": ", std::to_string(body.size()), "\r\n");
  }
  out += "\r\n";
  out.append(body);
}

}  // namespace

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (const auto& f : fields_) {
    if (base::equals_ignore_case(f.name, name)) return std::string_view(f.value);
  }
  return std::nullopt;
}

void Headers::set(std::string_view name, std::string_view value) {
  bool replaced = false;
  std::vector<Field> kept;
  kept.reserve(fields_.size() + 1);
  for (auto& f : fields_) {
    if (!base::equals_ignore_case(f.name, name)) {
      kept.push_back(std::move(f));
    } else if (!replaced) {
      kept.push_back({std::string(name), std::string(value)});
      replaced = true;
    }
  }
  if (!replaced) kept.push_back({std::string(name), std::string(value)});
  fields_ = std::move(kept);
}

void Headers::add(std::string_view name, std::string_view value) {
  fields_.push_back({std::string(name), std::string(value)});
}

void Headers::remove(std::string_view name) {
  std::erase_if(fields_, [&](const Field& f) { return base::equals_ignore_case(f.name, name); });
}

absl::StatusOr<Request> Request::parse(std::string_view text) {
  auto parts = split_message(text);
  if (!parts.ok()) return parts.status();
  // RFC 2326 6.1: Request-Line = Method SP Request-URI SP RTSP-Version CRLF
  std::string_view line = parts->start_line;
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return absl::InvalidArgumentError(
        base::cat("request line is not METHOD SP URI SP VERSION: \"", line, "\""));
  }
  Request r;
  r.method = line.substr(0, sp1);
  r.uri = line.substr(sp1 + 1, sp2 - sp1 - 1);
  r.version = line.substr(sp2 + 1);
  if (!is_token(r.method)) return absl::InvalidArgumentError("malformed method");
  if (r.uri.empty() || has_ctl(r.uri)) return absl::InvalidArgumentError("malformed request URI");
  if (auto st = check_version(r.version); !st.ok()) return st;
  r.headers = std::move(parts->headers);
  r.body = parts->body;
  return r;
}

std::string Request::serialize() const {
  std::string out = base::cat(method, " ", uri, " ", version, "\r\n");
  serialize_tail(headers, body, out);
  return out;
}

std::optional<int64_t> Request::cseq() const {
  auto v = headers.get("CSeq");
  if (!v) return std::nullopt;
  auto n = base::parse_decimal(base::trim(*v), kMaxContentLengthDigits);
  if (!n) return std::nullopt;
  return static_cast<int64_t>(*n);
}

absl::StatusOr<Response> Response::parse(std::string_view text) {
  auto parts = split_message(text);
  if (!parts.ok()) return parts.status();
  // RFC 2326 7.1: Status-Line = RTSP-Version SP Status-Code SP Reason-Phrase CRLF
  std::string_view line = parts->start_line;
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos) return absl::InvalidArgumentError("status line has no code");
  Response r;
  r.version = line.substr(0, sp);
  if (auto st = check_version(r.version); !st.ok()) return st;
  std::string_view rest = line.substr(sp + 1);
  auto code = base::parse_decimal(rest.substr(0, 3), 3);
  if (!code || rest.substr(0, 3).size() != 3 || *code < 100) {
    return absl::InvalidArgumentError(base::cat("malformed status code: \"", line, "\""));
  }
  rest.remove_prefix(3);
  // Some cameras omit the reason phrase ("RTSP/1.0 200"); see "camera: status without reason".
  if (!rest.empty() && rest.front() != ' ') {
    return absl::InvalidArgumentError(base::cat("malformed status code: \"", line, "\""));
  }
  std::string_view reason = base::trim(rest);
  if (has_ctl(reason)) return absl::InvalidArgumentError("control character in reason phrase");
  r.status = static_cast<int>(*code);
  r.reason = reason;
  r.headers = std::move(parts->headers);
  r.body = parts->body;
  return r;
}

std::string Response::serialize() const {
  std::string out =
      base::cat(version, " ", std::to_string(status), " ",
                reason.empty() ? reason_phrase(status) : std::string_view(reason), "\r\n");
  serialize_tail(headers, body, out);
  return out;
}

std::string_view reason_phrase(int status) {
  // RFC 2326 7.1.1, plus 431 from RFC 6585 section 5.
  static constexpr std::pair<int, std::string_view> kPhrases[] = {
      {100, "Continue"},
      {200, "OK"},
      {201, "Created"},
      {250, "Low on Storage Space"},
      {300, "Multiple Choices"},
      {301, "Moved Permanently"},
      {302, "Moved Temporarily"},
      {303, "See Other"},
      {304, "Not Modified"},
      {305, "Use Proxy"},
      {400, "Bad Request"},
      {401, "Unauthorized"},
      {402, "Payment Required"},
      {403, "Forbidden"},
      {404, "Not Found"},
      {405, "Method Not Allowed"},
      {406, "Not Acceptable"},
      {407, "Proxy Authentication Required"},
      {408, "Request Time-out"},
      {409, "Conflict"},
      {410, "Gone"},
      {411, "Length Required"},
      {412, "Precondition Failed"},
      {413, "Request Entity Too Large"},
      {414, "Request-URI Too Large"},
      {415, "Unsupported Media Type"},
      {431, "Request Header Fields Too Large"},
      {451, "Parameter Not Understood"},
      {452, "Conference Not Found"},
      {453, "Not Enough Bandwidth"},
      {454, "Session Not Found"},
      {455, "Method Not Valid in This State"},
      {456, "Header Field Not Valid for Resource"},
      {457, "Invalid Range"},
      {458, "Parameter Is Read-Only"},
      {459, "Aggregate operation not allowed"},
      {460, "Only aggregate operation allowed"},
      {461, "Unsupported transport"},
      {462, "Destination unreachable"},
      {500, "Internal Server Error"},
      {501, "Not Implemented"},
      {502, "Bad Gateway"},
      {503, "Service Unavailable"},
      {504, "Gateway Time-out"},
      {505, "RTSP Version not supported"},
      {551, "Option not supported"},
  };
  for (const auto& [code, phrase] : kPhrases) {
    if (code == status) return phrase;
  }
  return "Unknown";
}

}  // namespace rtsp
