// Fuzz target for RtpH265Depacketizer (RFC 7798) and RtpAacDepacketizer (RFC 3640 AAC-hbr).
// Input: a sequence of RTP packets, each preceded by a 16-bit big-endian length; every packet
// goes to both depacketizers. Properties checked: no crash, no out-of-bounds read, every H.265
// access unit is non-empty Annex-B within kMaxAccessUnitBytes, every AAC access unit is
// 1..aac::kMaxAccessUnitBytes bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "media/rtp_audio.hpp"
#include "media/rtp_video.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  media::RtpH265Depacketizer h265;
  media::RtpAacDepacketizer aac;
  std::span<const uint8_t> input(data, size);
  while (input.size() >= 2) {
    const size_t length = std::min<size_t>((size_t{input[0]} << 8) | input[1], input.size() - 2);
    const auto packet = input.subspan(2, length);
    input = input.subspan(2 + length);
    if (auto units = aac.feed(packet); units.ok()) {
      for (const auto& au : *units) {
        if (au.data.empty() || au.data.size() > media::aac::kMaxAccessUnitBytes) std::abort();
      }
    }
    auto result = h265.feed(packet);
    if (!result.ok() || !result->has_value()) continue;
    const auto& annex_b = (*result)->annex_b;
    if (annex_b.size() < 6 || annex_b.size() > media::RtpH265Depacketizer::kMaxAccessUnitBytes) {
      std::abort();
    }
  }
  return 0;
}
