// Fuzz target for receiver::TrackDepacketizer::feed, the receiver's per-track RTP path for every
// codec it plays. Input: one byte choosing the codec (H.264, H.265, AAC, Opus, PCMU, PCMA), then
// RTP packets, each preceded by a 16-bit big-endian length, fed in order.
//
// Oracles: no crash; every unit carries the track, codec and clock rate it was created with and
// the arrival time of its packet; video units are Annex-B (start code first) within the
// depacketizer's limit, AAC units within aac::kMaxAccessUnitBytes, and G.711/Opus units are the
// packet's payload with its RTP timestamp in the low 32 bits; consecutive units of one SSRC are
// at most 2^31 timestamp ticks apart; the stats count every packet, unit and error.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "media/rtp.hpp"
#include "media/rtp_audio.hpp"
#include "media/rtp_video.hpp"
#include "receiver/track_depacketizer.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using fuzz::check;

// Each codec the depacketizer takes, with a clock rate a real peer uses for it.
struct CodecClock {
  media::Codec codec;
  uint32_t clock_rate;
};
constexpr CodecClock kCodecs[] = {{media::Codec::H264, 90000}, {media::Codec::H265, 90000},
                                  {media::Codec::Aac, 44100},  {media::Codec::Opus, 48000},
                                  {media::Codec::Pcmu, 8000},  {media::Codec::Pcma, 8000}};

bool annex_b(const std::vector<uint8_t>& data) {
  return (data.size() >= 4 && data[0] == 0 && data[1] == 0 && data[2] == 0 && data[3] == 1) ||
         (data.size() >= 3 && data[0] == 0 && data[1] == 0 && data[2] == 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const auto [codec, clock_rate] = kCodecs[data[0] % std::size(kCodecs)];
  auto track = receiver::TrackDepacketizer::create(3, codec, clock_rate);
  check(track.ok(), "a supported codec is refused");
  receiver::TrackDepacketizer& depacketizer = **track;
  std::span<const uint8_t> input(data + 1, size - 1);
  uint64_t packets = 0;
  uint64_t errors = 0;
  uint64_t units = 0;
  std::vector<receiver::MediaUnit> out;
  bool have_previous = false;  // a unit of this SSRC came before
  int64_t previous = 0;        // its timestamp
  uint64_t previous_ssrc_changes = 0;
  while (input.size() >= 2) {
    const size_t length = std::min<size_t>((size_t{input[0]} << 8) | input[1], input.size() - 2);
    const auto packet = input.subspan(2, length);
    input = input.subspan(2 + length);
    const int64_t wall_us = 1'000'000 + static_cast<int64_t>(packets) * 20'000;
    out.clear();
    const absl::Status status = depacketizer.feed(packet, wall_us, out);
    ++packets;
    if (!status.ok()) ++errors;
    units += out.size();
    const receiver::TrackStats& stats = depacketizer.stats();
    check(stats.packets == packets && stats.errors == errors && stats.units == units,
          "stats do not count what happened");
    const bool new_source = stats.ssrc_changes != previous_ssrc_changes;
    previous_ssrc_changes = stats.ssrc_changes;
    if (new_source) have_previous = false;
    for (const receiver::MediaUnit& u : out) {
      check(u.track == 3 && u.codec == codec && u.clock_rate == clock_rate, "unit mislabelled");
      check(u.received_wall_us == wall_us, "unit not stamped with its packet's arrival");
      check(!u.data.empty(), "empty unit");
      switch (codec) {
        case media::Codec::H264:
          check(annex_b(u.data) && u.data.size() <= media::kMaxAccessUnitBytes,
                "bad H.264 access unit");
          break;
        case media::Codec::H265:
          check(annex_b(u.data) && u.data.size() <= media::RtpH265Depacketizer::kMaxAccessUnitBytes,
                "bad H.265 access unit");
          break;
        case media::Codec::Aac:
          check(u.data.size() <= media::aac::kMaxAccessUnitBytes, "AAC unit over the limit");
          break;
        default: {
          auto header = media::RtpHeader::parse(packet);
          check(header.ok(), "unit from a packet that does not parse");
          const auto payload = header->payload(packet);
          check(std::equal(payload.begin(), payload.end(), u.data.begin(), u.data.end()),
                "audio frame is not the packet's payload");
          check(static_cast<uint32_t>(u.timestamp) == header->timestamp,
                "extended timestamp lost the RTP timestamp");
        }
      }
      if (have_previous) {
        const int64_t step = u.timestamp - previous;
        check(step >= -(int64_t{1} << 31) && step <= (int64_t{1} << 31),
              "timestamp jumped by more than 2^31");
      }
      previous = u.timestamp;
      have_previous = true;
    }
  }
  return 0;
}
