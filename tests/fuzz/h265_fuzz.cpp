// Fuzz target for the H.265 helpers and the H.265/AAC packetizers: SPS parsing (H.265
// 7.3.2.2.1), AudioSpecificConfig parsing (ISO/IEC 14496-3 1.6.2.1), and packetize ->
// depacketize round trips (RFC 7798, RFC 3640). Properties checked: no crash, no out-of-bounds
// read, parsed values within their ranges, round trips give back the NAL units / access unit.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "media/h264.hpp"
#include "media/h265.hpp"
#include "media/rtp_audio.hpp"
#include "media/rtp_video.hpp"

namespace {

using Nal = std::span<const uint8_t>;

void check_sps(Nal nal) {
  auto sps = media::h265::parse_sps(nal);
  if (!sps.ok()) return;
  if (sps->width == 0 || sps->width > media::h265::kMaxPictureDimension || sps->height == 0 ||
      sps->height > media::h265::kMaxPictureDimension || sps->chroma_format_idc > 3 ||
      sps->bit_depth_luma < 8 || sps->bit_depth_luma > 16 || sps->max_sub_layers > 7) {
    std::abort();
  }
}

bool sent(Nal nal) {
  if (nal.size() < 2) return false;
  const uint8_t type = media::h265::nal_type(nal);
  return type != 35 && type != 38 && type < 48;
}

// Packetizes the input as one Annex-B access unit and checks that the depacketizer returns the
// NAL units that are sent, in order, with the keyframe flag of their IRAP content.
void round_trip_h265(Nal input, size_t max_packet_size) {
  media::RtpH265Packetizer packetizer({.max_packet_size = max_packet_size});
  const media::PacketizedFrame frame = packetizer.packetize(input, 1234, false);
  std::vector<Nal> want;
  bool irap = false;
  for (Nal nal : media::h264::split_annex_b(input)) {
    if (!sent(nal)) continue;
    want.push_back(nal);
    irap = irap || media::h265::is_irap(media::h265::nal_type(nal));
  }
  if (want.empty() != (frame.packet_count() == 0)) std::abort();
  media::RtpH265Depacketizer depacketizer;
  std::vector<media::RtpH265Depacketizer::AccessUnit> got;
  for (size_t i = 0; i < frame.packet_count(); ++i) {
    if (frame.packet(i).size() > std::max<size_t>(max_packet_size, 64)) std::abort();
    auto r = depacketizer.feed(frame.packet(i));
    if (!r.ok()) std::abort();
    if (r->has_value()) got.push_back(std::move(**r));
  }
  if (want.empty()) return;
  if (got.size() != 1 || got[0].keyframe != irap) std::abort();
  const auto nals = media::h264::split_annex_b(got[0].annex_b);
  if (nals.size() != want.size()) std::abort();
  for (size_t i = 0; i < nals.size(); ++i) {
    if (!std::equal(nals[i].begin(), nals[i].end(), want[i].begin(), want[i].end())) std::abort();
  }
}

void round_trip_aac(Nal input, size_t max_packet_size) {
  media::RtpAacPacketizer packetizer({.max_packet_size = max_packet_size});
  auto frame = packetizer.packetize(input, 1024);
  if (!frame.ok()) {
    if (!input.empty() && input.size() <= media::aac::kMaxAccessUnitBytes) std::abort();
    return;
  }
  media::RtpAacDepacketizer depacketizer;
  std::vector<uint8_t> got;
  size_t units = 0;
  for (size_t i = 0; i < frame->packet_count(); ++i) {
    auto r = depacketizer.feed(frame->packet(i));
    if (!r.ok()) std::abort();
    for (const auto& au : *r) {
      got = au.data;
      ++units;
    }
  }
  if (units != 1 || !std::equal(got.begin(), got.end(), input.begin(), input.end())) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Nal input(data, size);
  check_sps(input);
  for (Nal nal : media::h264::split_annex_b(input)) check_sps(nal);
  if (auto asc = media::aac::parse_audio_specific_config(input); asc.ok()) {
    if (asc->sample_rate == 0 || asc->channels() > 8) std::abort();
  }
  // The first byte picks the packet size (64..1084), so small inputs reach AP/FU boundaries.
  const size_t max_packet_size = size > 0 ? 64 + size_t{data[0]} * 4 : 64;
  round_trip_h265(input, max_packet_size);
  round_trip_aac(input, max_packet_size);
  return 0;
}
