// Source URL parsing for the origin; see source_url.hpp.
#include "origin/source_url.hpp"

#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
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

absl::Status apply_param(absl::string_view key, absl::string_view value, SourceUrl& url) {
  if (key == "size") {
    auto size = parse_video_size(sv(value));
    if (!size.ok()) return size.status();
    url.size = *size;
  } else if (key == "fps") {
    auto fps = parse_fps(sv(value));
    if (!fps.ok()) return fps.status();
    url.fps = *fps;
  } else if (key == "bitrate") {
    auto bitrate = parse_bitrate(sv(value));
    if (!bitrate.ok()) return bitrate.status();
    url.bitrate_bps = *bitrate;
  } else if (key == "gop") {
    auto gop = parse_gop(sv(value));
    if (!gop.ok()) return gop.status();
    url.gop_frames = *gop;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown parameter '", key, "' (known: size, fps, bitrate, gop)"));
  }
  return absl::OkStatus();
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

}  // namespace

absl::StatusOr<SourceUrl> SourceUrl::parse(std::string_view url) {
  const size_t question = url.find('?');
  if (url.substr(0, question) != kTestPatternUrl) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unsupported source '", av(url), "': only test://pattern is available in this build"));
  }
  SourceUrl out;
  if (question == std::string_view::npos) return out;
  if (absl::Status status = parse_query(av(url.substr(question + 1)), out); !status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("source '", av(url), "': ", status.message()));
  }
  return out;
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
