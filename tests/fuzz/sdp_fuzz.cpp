// Fuzz target for media::parse_sdp (RFC 8866) and the helpers a client applies to its result:
// codec_of, fmtp_value and parameter_sets_of (base64 sprop decoding).
//
// Oracles: no crash; the limits hold (at most kMaxSdpMedia media); fmtp keys are lowercase and
// found again by fmtp_value; bare LF and CRLF line ends give the same description.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "media/sdp.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using fuzz::check;

std::string without_cr_before_lf(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\r' && i + 1 < in.size() && in[i + 1] == '\n') continue;
    out.push_back(in[i]);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto sdp = media::parse_sdp(input);
  // A line ending in "\r\r\n" keeps one CR either way, and removing CRs can bring an input under
  // kMaxSdpBytes: the comparison needs neither.
  if (input.find("\r\r") == std::string_view::npos && size <= media::kMaxSdpBytes) {
    auto lf = media::parse_sdp(without_cr_before_lf(input));
    check(lf.ok() == sdp.ok(), "CRLF and LF disagree on validity");
    if (sdp.ok()) check(*lf == *sdp, "CRLF and LF give different descriptions");
  }
  if (!sdp.ok()) return 0;
  check(sdp->media.size() <= media::kMaxSdpMedia, "more media than the limit");
  for (const media::SdpMedia& m : sdp->media) {
    check(m.payload_type <= 127, "payload type out of range");
    for (const auto& [key, value] : m.fmtp) {
      check(key == absl::AsciiStrToLower(key), "fmtp key not lowercase");
      check(m.fmtp_value(key).has_value(), "fmtp key not found again");
    }
    (void)media::codec_of(m);
    auto sets = media::parameter_sets_of(m);
    if (sets.ok()) {
      for (const auto* list : {&sets->vps, &sets->sps, &sets->pps}) {
        for (const auto& nal : *list) check(!nal.empty(), "empty parameter set");
      }
    }
  }
  return 0;
}
