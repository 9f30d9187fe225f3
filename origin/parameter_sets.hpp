// ParameterSetCache: the latest H.264 SPS/PPS or H.265 VPS/SPS/PPS of a video track, learnt from
// the codec extradata (Annex-B) and from every access unit. docs/wire.md requires parameter sets
// in front of every keyframe; when a camera does not repeat them in-band the origin prepends the
// cached ones: the only change pass-through ever makes to the payload (docs/origin.md).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace origin {

enum class VideoCodec { H264, H265 };

// H.265 NAL helpers (ITU-T H.265 7.3.1.2, table 7-1), local until media/h265.hpp lands.
namespace h265 {
inline constexpr uint8_t kVps = 32;
inline constexpr uint8_t kSps = 33;
inline constexpr uint8_t kPps = 34;
// nal_unit_type; precondition: !nal.empty().
inline uint8_t nal_type(std::span<const uint8_t> nal) {
  return (nal[0] >> 1) & 0x3f;
}
// IRAP pictures (BLA, IDR, CRA and the reserved IRAP types 16..23) are random access points.
inline bool is_irap(uint8_t type) {
  return type >= 16 && type <= 23;
}
}  // namespace h265

struct ParameterSets {
  std::string vps;  // H.265 only; NAL units without start codes
  std::string sps;
  std::string pps;
  friend bool operator==(const ParameterSets&, const ParameterSets&) = default;
};

class ParameterSetCache {
 public:
  explicit ParameterSetCache(VideoCodec codec) : codec_(codec) {}

  struct Scan {
    bool keyframe = false;     // H.264 IDR, H.265 IRAP
    bool has_sets = false;     // every parameter set the codec needs is in the access unit
    bool changed = false;      // a parameter set differs from the cached one
    bool has_picture = false;  // at least one VCL NAL unit
  };

  // Learns the parameter sets in an Annex-B access unit (or extradata) and classifies it.
  Scan scan(std::span<const uint8_t> annex_b);
  // True when every parameter set the codec needs is known.
  bool complete() const;
  // The access unit with the cached parameter sets (4-byte start codes) in front.
  std::vector<uint8_t> prepend_to(std::span<const uint8_t> annex_b) const;

  const ParameterSets& sets() const { return sets_; }
  VideoCodec codec() const { return codec_; }

 private:
  VideoCodec codec_;
  ParameterSets sets_;
};

}  // namespace origin
