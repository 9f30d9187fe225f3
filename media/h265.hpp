// H.265 bitstream helpers: NAL unit header and types (ITU-T H.265 7.3.1.2, table 7-1) and the
// sequence parameter set fields needed for SDP and validation (7.3.2.2.1, 7.3.3).
// Annex-B splitting and emulation prevention are the same as H.264: use media::h264.
#pragma once

#include <cstdint>
#include <span>

#include "absl/status/statusor.h"

namespace media::h265 {

enum class NalType : uint8_t {
  TrailN = 0,
  TrailR = 1,
  BlaWLp = 16,  // first IRAP type
  BlaWRadl = 17,
  BlaNLp = 18,
  IdrWRadl = 19,
  IdrNLp = 20,
  Cra = 21,
  RsvIrap23 = 23,  // last IRAP type (reserved)
  Vps = 32,
  Sps = 33,
  Pps = 34,
  Aud = 35,
  Eos = 36,
  Eob = 37,
  Fd = 38,
  PrefixSei = 39,
  SuffixSei = 40,
  Ap = 48,    // RFC 7798 4.4.2 aggregation packet
  Fu = 49,    // RFC 7798 4.4.3 fragmentation unit
  Paci = 50,  // RFC 7798 4.4.4 PACI packet
};

// "nal_unit_header( ) { forbidden_zero_bit f(1) nal_unit_type u(6) nuh_layer_id u(6)
// nuh_temporal_id_plus1 u(3) }" (7.3.1.2). The header is two bytes.
inline constexpr size_t kNalHeaderSize = 2;

// nal_unit_type; precondition: !nal.empty().
inline uint8_t nal_type(std::span<const uint8_t> nal) {
  return (nal[0] >> 1) & 0x3f;
}
// nuh_layer_id; precondition: nal.size() >= 2.
inline uint8_t layer_id(std::span<const uint8_t> nal) {
  return static_cast<uint8_t>(((nal[0] & 1) << 5) | (nal[1] >> 3));
}
// nuh_temporal_id_plus1 (the RFC 7798 "TID" field); precondition: nal.size() >= 2.
inline uint8_t temporal_id_plus1(std::span<const uint8_t> nal) {
  return nal[1] & 0x07;
}
// VCL NAL unit types 0..31 (table 7-1).
inline bool is_vcl(uint8_t type) {
  return type <= 31;
}
// IRAP pictures: "nal_unit_type in the range of BLA_W_LP to RSV_IRAP_VCL23, inclusive" (3.73).
inline bool is_irap(uint8_t type) {
  return type >= 16 && type <= 23;
}

struct SpsInfo {
  uint8_t general_profile_space = 0;
  bool general_tier_flag = false;                    // false: Main tier, true: High tier
  uint8_t general_profile_idc = 0;                   // 1 Main, 2 Main 10, 3 Main Still, 4 RExt, ...
  uint32_t general_profile_compatibility_flags = 0;  // flag[0] is the most significant bit
  uint8_t general_level_idc = 0;                     // 30 times the level number: 93 is level 3.1
  uint8_t max_sub_layers = 1;                        // sps_max_sub_layers_minus1 + 1
  uint8_t chroma_format_idc = 1;                     // 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4
  bool separate_colour_plane = false;
  uint8_t bit_depth_luma = 8;
  uint8_t bit_depth_chroma = 8;
  uint32_t width = 0;   // conformance window applied
  uint32_t height = 0;  // conformance window applied
  friend bool operator==(const SpsInfo&, const SpsInfo&) = default;
};

// Largest pic_width/height_in_luma_samples accepted: Sqrt(MaxLumaPs * 8) of level 6.2 (A.4.1).
inline constexpr uint32_t kMaxPictureDimension = 16888;

// Parses a sequence parameter set NAL unit (2-byte header included, emulation prevention
// bytes allowed, no start code) up to the bit depths. Errors on a wrong NAL type, truncated
// input or out-of-range values; never reads outside `sps_nal`.
absl::StatusOr<SpsInfo> parse_sps(std::span<const uint8_t> sps_nal);

}  // namespace media::h265
