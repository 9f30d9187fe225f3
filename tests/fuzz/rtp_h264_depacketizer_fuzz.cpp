// Fuzz target for RtpH264Depacketizer (RFC 6184). Input: a sequence of RTP packets, each
// preceded by a 16-bit big-endian length. Properties checked: no crash, no out-of-bounds read,
// every access unit is non-empty Annex-B within kMaxAccessUnitBytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "media/rtp_video.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  media::RtpH264Depacketizer depacketizer;
  std::span<const uint8_t> input(data, size);
  while (input.size() >= 2) {
    const size_t length = std::min<size_t>((size_t{input[0]} << 8) | input[1], input.size() - 2);
    auto result = depacketizer.feed(input.subspan(2, length));
    input = input.subspan(2 + length);
    if (!result.ok() || !result->has_value()) continue;
    const auto& annex_b = (*result)->annex_b;
    if (annex_b.size() < 5 || annex_b.size() > media::kMaxAccessUnitBytes) std::abort();
  }
  return 0;
}
