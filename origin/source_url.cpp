// Source URL parsing for the origin; see source_url.hpp.
#include "origin/source_url.hpp"

#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/endpoint.hpp"
#include "base/lookup.hpp"
#include "base/strings.hpp"

namespace origin {
namespace {

constexpr std::string_view kTestPatternUrl = "test://pattern";

using base::av;
using base::sv;

// Parses a plain decimal integer (no sign, no spaces) into [lo, hi].
std::optional<int64_t> parse_bounded(absl::string_view text, int64_t lo, int64_t hi) {
  if (text.empty() || text.size() > 12) return std::nullopt;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  int64_t value = 0;
  if (!absl::SimpleAtoi(text, &value) || value < lo || value > hi) return std::nullopt;
  return value;
}

// `field` = the parsed value, or the parser's error.
template <typename Field, typename Parsed>
absl::Status assign(Field& field, absl::StatusOr<Parsed> parsed) {
  if (!parsed.ok()) return parsed.status();
  field = *std::move(parsed);
  return absl::OkStatus();
}

absl::Status apply_param(absl::string_view key, absl::string_view value, SourceUrl& url) {
  if (key == "size") return assign(url.size, parse_video_size(sv(value)));
  if (key == "fps") return assign(url.fps, parse_fps(sv(value)));
  if (key == "bitrate") return assign(url.bitrate_bps, parse_bitrate(sv(value)));
  if (key == "gop") return assign(url.gop_frames, parse_gop(sv(value)));
  return absl::InvalidArgumentError(
      absl::StrCat("unknown parameter '", key, "' (known: size, fps, bitrate, gop)"));
}

absl::Status parse_query(absl::string_view query, SourceUrl& url) {
  if (query.empty()) return absl::OkStatus();
  std::set<std::string, std::less<>> seen;
  for (absl::string_view param : absl::StrSplit(query, '&')) {
    std::vector<absl::string_view> kv = absl::StrSplit(param, absl::MaxSplits('=', 1));
    if (kv.size() != 2 || kv[0].empty() || kv[1].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad parameter '", param, "' (want key=value)"));
    }
    if (!seen.insert(std::string(kv[0])).second) {
      return absl::InvalidArgumentError(absl::StrCat("parameter '", kv[0], "' given twice"));
    }
    if (absl::Status status = apply_param(kv[0], kv[1], url); !status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status bad_source(std::string_view url, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("bad source '", av(redact_source(url)), "': ", why));
}

absl::StatusOr<SourceUrl> parse_test_pattern(std::string_view url) {
  const size_t question = url.find('?');
  if (url.substr(0, question) != kTestPatternUrl) {
    return bad_source(url, "the test source is test://pattern[?size=WxH&fps=N&bitrate=B&gop=N]");
  }
  SourceUrl out;
  if (question == std::string_view::npos) return out;
  if (absl::Status status = parse_query(av(url.substr(question + 1)), out); !status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("source '", av(url), "': ", status.message()));
  }
  return out;
}

// rtsp://[user[:password]@]host[:port][/path]: host required, port 1..65535.
absl::StatusOr<SourceUrl> parse_rtsp(std::string_view url) {
  std::string_view rest = url.substr(std::string_view("rtsp://").size());
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  std::string_view host_port = authority.substr(authority.rfind('@') + 1);
  if (authority.find('@') == std::string_view::npos) host_port = authority;
  auto split = base::split_host_port(host_port);
  if (!split.ok()) return bad_source(url, split.status().message());
  const std::string_view host = split->host;
  const std::string_view port = split->port;
  if (host.empty()) return bad_source(url, "no host (want rtsp://[user:pass@]host[:port]/path)");
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= ' ')
      return bad_source(url, "spaces or control characters");
  }
  if (!port.empty() && !base::parse_port(port)) {
    return bad_source(url, absl::StrCat("bad port '", av(port), "' (want 1..65535)"));
  }
  SourceUrl out;
  out.kind = SourceKind::Rtsp;
  out.location = std::string(url);
  return out;
}

absl::StatusOr<SourceUrl> parse_webcam(std::string_view url) {
  SourceUrl out;
  out.kind = SourceKind::Webcam;
  if (url.starts_with("v4l2://")) {
    out.location = std::string(url.substr(std::string_view("v4l2://").size()));
    if (!out.location.starts_with("/dev/") || out.location.size() <= 5) {
      return bad_source(url, "want v4l2:///dev/videoN");
    }
    return out;
  }
  auto index =
      parse_bounded(av(url.substr(std::string_view("webcam:").size())), 0, kMaxWebcamIndex);
  if (!index) return bad_source(url, absl::StrCat("want webcam:N with N in 0..", kMaxWebcamIndex));
  out.webcam_index = static_cast<int>(*index);
  return out;
}

absl::StatusOr<SourceUrl> parse_file(std::string_view url) {
  std::string_view path = url;
  if (path.starts_with("file://")) {
    path.remove_prefix(std::string_view("file://").size());
    if (!path.starts_with('/')) return bad_source(url, "want file:///absolute/path");
  }
  if (path.empty()) return bad_source(url, "empty file path");
  SourceUrl out;
  out.kind = SourceKind::File;
  out.location = std::string(path);
  return out;
}

// rtmp://host[:port]/app/key, srt://host:port?..., http(s)://host/live.m3u8, udp://@group:port:
// a host (or "@" for udp listen addresses) is required; the rest is libavformat's to judge.
absl::StatusOr<SourceUrl> parse_network(std::string_view url, size_t scheme_end) {
  const std::string_view rest = url.substr(scheme_end + 3);
  if (rest.empty() || rest.front() == '/' || rest.front() == '?') {
    return bad_source(url, "no host (want scheme://host[:port]/...)");
  }
  if (url.find_first_of(" \t\r\n") != std::string_view::npos) {
    return bad_source(url, "spaces or control characters in the URL");
  }
  SourceUrl out;
  out.kind = SourceKind::Network;
  out.location = std::string(url);
  return out;
}

}  // namespace

absl::StatusOr<SourceUrl> SourceUrl::parse(std::string_view url) {
  if (url.empty()) return absl::InvalidArgumentError("empty source");
  if (url.size() > kMaxSourceLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("source longer than ", kMaxSourceLength, " characters"));
  }
  if (url.starts_with("test://")) return parse_test_pattern(url);
  if (url == "publish:" || url == "publish://") {
    return SourceUrl{.kind = SourceKind::Publish, .location = std::string(url)};
  }
  if (url.starts_with("rtsp://")) return parse_rtsp(url);
  if (url.starts_with("webcam:") || url.starts_with("v4l2://")) return parse_webcam(url);
  if (url.starts_with("file://")) return parse_file(url);
  if (const size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    const std::string_view name = url.substr(0, scheme);
    for (std::string_view known : kNetworkSchemes) {
      if (name == known) return parse_network(url, scheme);
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "unsupported source '", av(redact_source(url)), "': unknown scheme '", av(name),
        "' (want rtsp://, rtmp://, srt://, http(s)://, udp://, file://, test://pattern, "
        "webcam:N, v4l2:///dev/videoN, publish: or a file path)"));
  }
  return parse_file(url);
}

std::string_view SourceUrl::kind_name() const {
  if (kind == SourceKind::Network) {
    const std::string_view l = location;
    return l.substr(0, l.find("://"));
  }
  static constexpr base::Row<SourceKind, std::string_view> kNames[] = {
      {SourceKind::TestPattern, "test"},
      {SourceKind::File, "file"},
      {SourceKind::Rtsp, "rtsp"},
      {SourceKind::Webcam, "webcam"},
      {SourceKind::Publish, "publish"}};
  return base::lookup(kNames, kind, "unknown");
}

std::string redact_source(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const size_t authority_begin = scheme + 3;
  const size_t authority_end = url.find_first_of("/?#", authority_begin);
  const std::string_view authority = url.substr(authority_begin, authority_end - authority_begin);
  const size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  const size_t colon = authority.find(':');
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return base::cat(url.substr(0, authority_begin + colon + 1), "***",
                   url.substr(authority_begin + at));
}

absl::StatusOr<VideoSize> parse_video_size(std::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(av(text), 'x');
  if (parts.size() == 2) {
    auto width = parse_bounded(parts[0], kMinDimension, kMaxDimension);
    auto height = parse_bounded(parts[1], kMinDimension, kMaxDimension);
    if (width && height && *width % 2 == 0 && *height % 2 == 0) {
      return VideoSize{static_cast<int>(*width), static_cast<int>(*height)};
    }
  }
  return absl::InvalidArgumentError(absl::StrCat("bad size '", av(text),
                                                 "' (want WxH, even numbers in ", kMinDimension,
                                                 "..", kMaxDimension, ")"));
}

absl::StatusOr<int> parse_fps(std::string_view text) {
  if (auto fps = parse_bounded(av(text), kMinFps, kMaxFps)) return static_cast<int>(*fps);
  return absl::InvalidArgumentError(absl::StrCat(
      "bad frame rate '", av(text), "' (want an integer in ", kMinFps, "..", kMaxFps, ")"));
}

absl::StatusOr<int64_t> parse_bitrate(std::string_view text) {
  absl::string_view digits = av(text);
  int64_t multiplier = 1;
  if (!digits.empty() && (digits.back() == 'k' || digits.back() == 'K')) multiplier = 1'000;
  if (!digits.empty() && digits.back() == 'M') multiplier = 1'000'000;
  if (multiplier != 1) digits.remove_suffix(1);
  auto value = parse_bounded(digits, 1, kMaxBitrateBps);
  if (value && *value * multiplier >= kMinBitrateBps && *value * multiplier <= kMaxBitrateBps) {
    return *value * multiplier;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("bad bitrate '", av(text), "' (want bits per second in ", kMinBitrateBps, "..",
                   kMaxBitrateBps, ", e.g. 2000000, 2000k or 2M)"));
}

absl::StatusOr<int> parse_gop(std::string_view text) {
  if (auto gop = parse_bounded(av(text), kMinGopFrames, kMaxGopFrames))
    return static_cast<int>(*gop);
  return absl::InvalidArgumentError(absl::StrCat("bad GOP '", av(text), "' (want frames in ",
                                                 kMinGopFrames, "..", kMaxGopFrames, ")"));
}

}  // namespace origin
