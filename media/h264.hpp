// H.264 bitstream helpers: Annex-B splitting, NAL types, emulation prevention, SPS fields.
// ITU-T H.264 sections 7.3.1 (NAL unit syntax), 7.3.2.1 (SPS), B.1 (byte stream format).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace media::h264 {

enum class NalType : uint8_t {
  Slice = 1,
  SliceA = 2,
  Idr = 5,
  Sei = 6,
  Sps = 7,
  Pps = 8,
  Aud = 9,
  EndOfSequence = 10,
  EndOfStream = 11,
  Filler = 12,
  StapA = 24,  // RFC 6184 aggregation packet
  FuA = 28,    // RFC 6184 fragmentation unit
};

// nal_unit_type of a NAL unit (first byte & 0x1f); precondition: !nal.empty().
inline uint8_t nal_type(std::span<const uint8_t> nal) {
  return nal[0] & 0x1f;
}
// VCL NAL unit types 1..5 (H.264 table 7-1).
inline bool is_vcl(uint8_t type) {
  return type >= 1 && type <= 5;
}

// Splits an Annex-B byte stream (3- or 4-byte start codes) into NAL units without start codes.
// Bytes before the first start code are ignored; empty NAL units are skipped.
// The returned spans point into `annex_b`.
std::vector<std::span<const uint8_t>> split_annex_b(std::span<const uint8_t> annex_b);

// Appends 00 00 00 01 + nal to out.
void append_annex_b(std::vector<uint8_t>& out, std::span<const uint8_t> nal);

// Adds emulation prevention bytes (00 00 0x -> 00 00 03 0x for x <= 3), section 7.4.1.
std::vector<uint8_t> rbsp_to_ebsp(std::span<const uint8_t> rbsp);
// Removes emulation prevention bytes.
std::vector<uint8_t> ebsp_to_rbsp(std::span<const uint8_t> ebsp);

struct SpsInfo {
  uint8_t profile_idc = 0;
  uint8_t constraint_flags = 0;
  uint8_t level_idc = 0;
  uint32_t width = 0;   // after cropping
  uint32_t height = 0;  // after cropping
  friend bool operator==(const SpsInfo&, const SpsInfo&) = default;
};

// Parses the fields of a sequence parameter set NAL unit (header byte included) needed for
// SDP and validation. Errors on truncated or out-of-range input.
absl::StatusOr<SpsInfo> parse_sps(std::span<const uint8_t> sps_nal);

// "42e01f": profile_idc, constraint flags and level_idc as six hex digits (RFC 6184 8.1).
// Precondition: sps_nal.size() >= 4.
std::string profile_level_id(std::span<const uint8_t> sps_nal);

}  // namespace media::h264
