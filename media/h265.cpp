// H.265 sequence parameter set parsing: seq_parameter_set_rbsp (7.3.2.2.1) up to the bit
// depths, with profile_tier_level (7.3.3) and the conformance window (7.4.3.2.1).
#include "media/h265.hpp"

#include <cstddef>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "media/bit_reader.hpp"
#include "media/h264.hpp"

namespace media::h265 {
namespace {

// general_profile_space .. general_level_idc is 2+1+5+32+4+43+1 bits and 8 bits (7.3.3).
constexpr size_t kGeneralFlagsBits = 4 + 43 + 1;
// A sub-layer profile is the same 88 bits as the general one, without the level.
constexpr size_t kSubLayerProfileBits = 2 + 1 + 5 + 32 + 4 + 43 + 1;
constexpr size_t kSubLayerLevelBits = 8;

// profile_tier_level( 1, sps_max_sub_layers_minus1 ), 7.3.3.
absl::Status read_profile_tier_level(BitReader& r, int max_sub_layers_minus1, SpsInfo& info) {
  RS_SPS_READ(space, r.bits(2), "general_profile_space");
  RS_SPS_READ(tier, r.flag(), "general_tier_flag");
  RS_SPS_READ(profile, r.bits(5), "general_profile_idc");
  RS_SPS_READ(compat, r.bits(32), "general_profile_compatibility_flag");
  if (!r.skip(kGeneralFlagsBits)) return sps_truncated("general constraint flags");
  RS_SPS_READ(level, r.bits(8), "general_level_idc");
  info.general_profile_space = static_cast<uint8_t>(*space);
  info.general_tier_flag = *tier;
  info.general_profile_idc = static_cast<uint8_t>(*profile);
  info.general_profile_compatibility_flags = *compat;
  info.general_level_idc = static_cast<uint8_t>(*level);

  bool profile_present[8] = {};
  bool level_present[8] = {};
  for (int i = 0; i < max_sub_layers_minus1; ++i) {
    RS_SPS_READ(p, r.flag(), "sub_layer_profile_present_flag");
    RS_SPS_READ(l, r.flag(), "sub_layer_level_present_flag");
    profile_present[i] = *p;
    level_present[i] = *l;
  }
  // "if( maxNumSubLayersMinus1 > 0 ) for( i = maxNumSubLayersMinus1; i < 8; i++ )
  // reserved_zero_2bits u(2)"
  if (max_sub_layers_minus1 > 0 && !r.skip(2 * static_cast<size_t>(8 - max_sub_layers_minus1))) {
    return sps_truncated("reserved_zero_2bits");
  }
  for (int i = 0; i < max_sub_layers_minus1; ++i) {
    if (profile_present[i] && !r.skip(kSubLayerProfileBits))
      return sps_truncated("sub_layer profile");
    if (level_present[i] && !r.skip(kSubLayerLevelBits))
      return sps_truncated("sub_layer_level_idc");
  }
  return absl::OkStatus();
}

// chroma_format_idc .. conformance window, with the cropped size of equations (7-1)/(7-2) and
// table 6-1: SubWidthC = SubHeightC = 2 for 4:2:0, SubWidthC = 2 for 4:2:2, else 1.
absl::Status read_picture_size(BitReader& r, SpsInfo& info) {
  RS_SPS_READ(chroma, r.ue(), "chroma_format_idc");
  // 7.4.3.2.1: "The value of chroma_format_idc shall be in the range of 0 to 3, inclusive."
  if (*chroma > 3) return sps_out_of_range("chroma_format_idc", *chroma);
  info.chroma_format_idc = static_cast<uint8_t>(*chroma);
  if (*chroma == 3) {
    RS_SPS_READ(separate, r.flag(), "separate_colour_plane_flag");
    info.separate_colour_plane = *separate;
  }
  RS_SPS_READ(width, r.ue(), "pic_width_in_luma_samples");
  RS_SPS_READ(height, r.ue(), "pic_height_in_luma_samples");
  // 7.4.3.2.1: pic_width_in_luma_samples "shall not be equal to 0".
  if (*width == 0 || *width > kMaxPictureDimension) {
    return sps_out_of_range("pic_width_in_luma_samples", *width);
  }
  if (*height == 0 || *height > kMaxPictureDimension) {
    return sps_out_of_range("pic_height_in_luma_samples", *height);
  }
  // ChromaArrayType is 0 with separate_colour_plane_flag, which makes SubWidthC = SubHeightC = 1.
  const uint32_t chroma_array_type = info.separate_colour_plane ? 0 : *chroma;
  const uint32_t sub_width = chroma_array_type == 1 || chroma_array_type == 2 ? 2 : 1;
  const uint32_t sub_height = chroma_array_type == 1 ? 2 : 1;
  RS_SPS_READ(window, r.flag(), "conformance_window_flag");
  uint64_t crop_x = 0;
  uint64_t crop_y = 0;
  if (*window) {
    RS_SPS_READ(left, r.ue(), "conf_win_left_offset");
    RS_SPS_READ(right, r.ue(), "conf_win_right_offset");
    RS_SPS_READ(top, r.ue(), "conf_win_top_offset");
    RS_SPS_READ(bottom, r.ue(), "conf_win_bottom_offset");
    // 7.4.3.2.1: "The value of SubWidthC * ( conf_win_left_offset + conf_win_right_offset )
    // shall be less than pic_width_in_luma_samples", likewise for the height.
    crop_x = sub_width * (uint64_t{*left} + *right);
    crop_y = sub_height * (uint64_t{*top} + *bottom);
    if (crop_x >= *width)
      return sps_out_of_range("conformance window width", static_cast<int64_t>(crop_x));
    if (crop_y >= *height) {
      return sps_out_of_range("conformance window height", static_cast<int64_t>(crop_y));
    }
  }
  info.width = static_cast<uint32_t>(*width - crop_x);
  info.height = static_cast<uint32_t>(*height - crop_y);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SpsInfo> parse_sps(std::span<const uint8_t> sps_nal) {
  if (sps_nal.size() <= kNalHeaderSize) return absl::InvalidArgumentError("SPS too short");
  if (nal_type(sps_nal) != static_cast<uint8_t>(NalType::Sps)) {
    return absl::InvalidArgumentError(
        absl::StrCat("not an SPS: NAL unit type ", nal_type(sps_nal)));
  }
  const std::vector<uint8_t> rbsp = h264::ebsp_to_rbsp(sps_nal.subspan(kNalHeaderSize));
  BitReader r(rbsp);
  SpsInfo info;
  RS_SPS_READ(vps_id, r.bits(4), "sps_video_parameter_set_id");
  RS_SPS_READ(sub_layers, r.bits(3), "sps_max_sub_layers_minus1");
  // 7.4.3.2.1: "The value of sps_max_sub_layers_minus1 shall be in the range of 0 to 6".
  if (*sub_layers > 6) return sps_out_of_range("sps_max_sub_layers_minus1", *sub_layers);
  info.max_sub_layers = static_cast<uint8_t>(*sub_layers + 1);
  RS_SPS_READ(nesting, r.flag(), "sps_temporal_id_nesting_flag");
  if (auto s = read_profile_tier_level(r, static_cast<int>(*sub_layers), info); !s.ok()) return s;
  RS_SPS_READ(sps_id, r.ue(), "sps_seq_parameter_set_id");
  // 7.4.3.2.1: "The value of sps_seq_parameter_set_id shall be in the range of 0 to 15".
  if (*sps_id > 15) return sps_out_of_range("sps_seq_parameter_set_id", *sps_id);
  if (auto s = read_picture_size(r, info); !s.ok()) return s;
  RS_SPS_READ(depth_luma, r.ue(), "bit_depth_luma_minus8");
  RS_SPS_READ(depth_chroma, r.ue(), "bit_depth_chroma_minus8");
  // 7.4.3.2.1: bit_depth_luma_minus8 "shall be in the range of 0 to 8, inclusive".
  if (*depth_luma > 8) return sps_out_of_range("bit_depth_luma_minus8", *depth_luma);
  if (*depth_chroma > 8) return sps_out_of_range("bit_depth_chroma_minus8", *depth_chroma);
  info.bit_depth_luma = static_cast<uint8_t>(*depth_luma + 8);
  info.bit_depth_chroma = static_cast<uint8_t>(*depth_chroma + 8);
  return info;
}

#undef RS_SPS_READ

}  // namespace media::h265
