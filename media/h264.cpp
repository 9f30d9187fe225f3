// H.264 bitstream helpers: Annex-B (ITU-T H.264 B.1), emulation prevention (7.4.1) and the
// sequence parameter set fields we need (7.3.2.1.1).
#include "media/h264.hpp"

#include "media/bit_reader.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace media::h264 {
namespace {

// Returns the index of the next "00 00 01" at or after `from`, or data.size().
size_t find_start_code(std::span<const uint8_t> data, size_t from) {
  for (size_t i = from; i + 2 < data.size(); ++i) {
    if (data[i + 2] > 1) {
      i += 2;  // none of data[i..i+2] can start a start code ending past data[i+2]
    } else if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1) {
      return i;
    }
  }
  return data.size();
}

// Profiles whose SPS carries chroma_format_idc and scaling matrices (7.3.2.1.1).
bool has_chroma_info(uint8_t profile_idc) {
  static constexpr uint8_t kProfiles[] = {100, 110, 122, 244, 44,  83, 86,
                                          118, 128, 138, 139, 134, 135};
  return std::find(std::begin(kProfiles), std::end(kProfiles), profile_idc) != std::end(kProfiles);
}

// scaling_list( scalingList, sizeOfScalingList, ... ), 7.3.2.1.1.1: values are skipped.
absl::Status skip_scaling_list(BitReader& r, int size) {
  int last_scale = 8;
  int next_scale = 8;
  for (int j = 0; j < size; ++j) {
    if (next_scale != 0) {
      RS_SPS_READ(delta, r.se(), "delta_scale");
      if (*delta < -128 || *delta > 127) return sps_out_of_range("delta_scale", *delta);
      next_scale = (last_scale + *delta + 256) % 256;
    }
    last_scale = next_scale == 0 ? last_scale : next_scale;
  }
  return absl::OkStatus();
}

struct ChromaInfo {
  uint32_t chroma_format_idc = 1;  // "When chroma_format_idc is not present, it shall be inferred
                                   // to be equal to 1 (4:2:0 chroma format)."
  bool separate_colour_plane = false;
};

absl::StatusOr<ChromaInfo> read_chroma_info(BitReader& r) {
  ChromaInfo info;
  RS_SPS_READ(chroma, r.ue(), "chroma_format_idc");
  if (*chroma > 3) return sps_out_of_range("chroma_format_idc", *chroma);
  info.chroma_format_idc = *chroma;
  if (*chroma == 3) {
    RS_SPS_READ(separate, r.flag(), "separate_colour_plane_flag");
    info.separate_colour_plane = *separate;
  }
  RS_SPS_READ(depth_luma, r.ue(), "bit_depth_luma_minus8");
  RS_SPS_READ(depth_chroma, r.ue(), "bit_depth_chroma_minus8");
  if (*depth_luma > 6) return sps_out_of_range("bit_depth_luma_minus8", *depth_luma);
  if (*depth_chroma > 6) return sps_out_of_range("bit_depth_chroma_minus8", *depth_chroma);
  RS_SPS_READ(bypass, r.flag(), "qpprime_y_zero_transform_bypass_flag");
  RS_SPS_READ(matrix_present, r.flag(), "seq_scaling_matrix_present_flag");
  if (*matrix_present) {
    const int lists = info.chroma_format_idc != 3 ? 8 : 12;
    for (int i = 0; i < lists; ++i) {
      RS_SPS_READ(list_present, r.flag(), "seq_scaling_list_present_flag");
      if (!*list_present) continue;
      if (auto s = skip_scaling_list(r, i < 6 ? 16 : 64); !s.ok()) return s;
    }
  }
  return info;
}

absl::Status skip_pic_order_cnt(BitReader& r) {
  RS_SPS_READ(type, r.ue(), "pic_order_cnt_type");
  if (*type > 2) return sps_out_of_range("pic_order_cnt_type", *type);
  if (*type == 0) {
    RS_SPS_READ(lsb, r.ue(), "log2_max_pic_order_cnt_lsb_minus4");
    if (*lsb > 12) return sps_out_of_range("log2_max_pic_order_cnt_lsb_minus4", *lsb);
  } else if (*type == 1) {
    RS_SPS_READ(always_zero, r.flag(), "delta_pic_order_always_zero_flag");
    RS_SPS_READ(non_ref, r.se(), "offset_for_non_ref_pic");
    RS_SPS_READ(top_bottom, r.se(), "offset_for_top_to_bottom_field");
    RS_SPS_READ(cycle, r.ue(), "num_ref_frames_in_pic_order_cnt_cycle");
    if (*cycle > 255) return sps_out_of_range("num_ref_frames_in_pic_order_cnt_cycle", *cycle);
    for (uint32_t i = 0; i < *cycle; ++i) {
      RS_SPS_READ(offset, r.se(), "offset_for_ref_frame");
    }
  }
  return absl::OkStatus();
}

struct Crop {
  uint32_t left = 0, right = 0, top = 0, bottom = 0;
};

// Reads from pic_width_in_mbs_minus1 to the frame cropping offsets and computes the size.
absl::Status read_size(BitReader& r, const ChromaInfo& chroma, SpsInfo& info) {
  RS_SPS_READ(width_mbs, r.ue(), "pic_width_in_mbs_minus1");
  RS_SPS_READ(height_units, r.ue(), "pic_height_in_map_units_minus1");
  // Level 6.2 allows at most 139264 macroblocks per frame; anything wider is not a real SPS.
  if (*width_mbs >= 8192) return sps_out_of_range("pic_width_in_mbs_minus1", *width_mbs);
  if (*height_units >= 8192)
    return sps_out_of_range("pic_height_in_map_units_minus1", *height_units);
  RS_SPS_READ(frame_mbs_only, r.flag(), "frame_mbs_only_flag");
  if (!*frame_mbs_only) {
    RS_SPS_READ(adaptive, r.flag(), "mb_adaptive_frame_field_flag");
  }
  RS_SPS_READ(direct_8x8, r.flag(), "direct_8x8_inference_flag");
  RS_SPS_READ(cropping, r.flag(), "frame_cropping_flag");
  Crop crop;
  if (*cropping) {
    RS_SPS_READ(left, r.ue(), "frame_crop_left_offset");
    RS_SPS_READ(right, r.ue(), "frame_crop_right_offset");
    RS_SPS_READ(top, r.ue(), "frame_crop_top_offset");
    RS_SPS_READ(bottom, r.ue(), "frame_crop_bottom_offset");
    crop = {*left, *right, *top, *bottom};
  }
  // Equations 7-19..7-22: CropUnitX/Y from ChromaArrayType, SubWidthC and SubHeightC (table 6-1).
  const uint32_t field_factor = *frame_mbs_only ? 1 : 2;
  const uint32_t chroma_array_type = chroma.separate_colour_plane ? 0 : chroma.chroma_format_idc;
  uint32_t crop_unit_x = 1;
  uint32_t crop_unit_y = field_factor;
  if (chroma_array_type != 0) {
    crop_unit_x = chroma_array_type == 3 ? 1 : 2;
    crop_unit_y = (chroma_array_type == 1 ? 2 : 1) * field_factor;
  }
  const uint64_t full_width = (uint64_t{*width_mbs} + 1) * 16;
  const uint64_t full_height = uint64_t{field_factor} * (uint64_t{*height_units} + 1) * 16;
  const uint64_t crop_x = uint64_t{crop_unit_x} * (uint64_t{crop.left} + crop.right);
  const uint64_t crop_y = uint64_t{crop_unit_y} * (uint64_t{crop.top} + crop.bottom);
  if (crop_x >= full_width) return sps_out_of_range("horizontal crop", crop_x);
  if (crop_y >= full_height) return sps_out_of_range("vertical crop", crop_y);
  info.width = static_cast<uint32_t>(full_width - crop_x);
  info.height = static_cast<uint32_t>(full_height - crop_y);
  return absl::OkStatus();
}

}  // namespace

std::vector<std::span<const uint8_t>> split_annex_b(std::span<const uint8_t> annex_b) {
  std::vector<std::span<const uint8_t>> nals;
  size_t start = find_start_code(annex_b, 0);
  while (start < annex_b.size()) {
    const size_t begin = start + 3;
    const size_t next = find_start_code(annex_b, begin);
    size_t end = next;
    // B.2: zero_byte of a 4-byte start code and trailing_zero_8bits are not part of the NAL unit.
    while (end > begin && annex_b[end - 1] == 0) --end;
    if (end > begin) nals.push_back(annex_b.subspan(begin, end - begin));
    start = next;
  }
  return nals;
}

void append_annex_b(std::vector<uint8_t>& out, std::span<const uint8_t> nal) {
  static constexpr uint8_t kStartCode[] = {0, 0, 0, 1};
  out.insert(out.end(), std::begin(kStartCode), std::end(kStartCode));
  out.insert(out.end(), nal.begin(), nal.end());
}

std::vector<uint8_t> rbsp_to_ebsp(std::span<const uint8_t> rbsp) {
  std::vector<uint8_t> out;
  out.reserve(rbsp.size() + rbsp.size() / 64 + 4);
  int zeros = 0;
  for (uint8_t b : rbsp) {
    // 7.4.1: "Within the NAL unit, the following three-byte sequences shall not occur at any
    // byte-aligned position: 0x000000, 0x000001, 0x000002" (and 0x000003 is escaped too).
    if (zeros >= 2 && b <= 3) {
      out.push_back(3);
      zeros = 0;
    }
    out.push_back(b);
    zeros = b == 0 ? zeros + 1 : 0;
  }
  return out;
}

std::vector<uint8_t> ebsp_to_rbsp(std::span<const uint8_t> ebsp) {
  std::vector<uint8_t> out;
  out.reserve(ebsp.size());
  int zeros = 0;
  for (uint8_t b : ebsp) {
    // 7.4.1: "emulation_prevention_three_byte is a byte equal to 0x03 ... shall be discarded".
    if (zeros >= 2 && b == 3) {
      zeros = 0;
      continue;
    }
    out.push_back(b);
    zeros = b == 0 ? zeros + 1 : 0;
  }
  return out;
}

absl::StatusOr<SpsInfo> parse_sps(std::span<const uint8_t> sps_nal) {
  if (sps_nal.size() < 4) return absl::InvalidArgumentError("SPS shorter than 4 bytes");
  if (nal_type(sps_nal) != static_cast<uint8_t>(NalType::Sps)) {
    return absl::InvalidArgumentError(
        absl::StrCat("not an SPS: nal_unit_type ", nal_type(sps_nal)));
  }
  const std::vector<uint8_t> rbsp = ebsp_to_rbsp(sps_nal.subspan(1));
  if (rbsp.size() < 3) return absl::InvalidArgumentError("SPS shorter than 4 bytes");
  SpsInfo info;
  info.profile_idc = rbsp[0];
  info.constraint_flags = rbsp[1];
  info.level_idc = rbsp[2];
  BitReader r(std::span<const uint8_t>(rbsp).subspan(3));
  RS_SPS_READ(sps_id, r.ue(), "seq_parameter_set_id");
  if (*sps_id > 31) return sps_out_of_range("seq_parameter_set_id", *sps_id);
  ChromaInfo chroma;
  if (has_chroma_info(info.profile_idc)) {
    auto c = read_chroma_info(r);
    if (!c.ok()) return c.status();
    chroma = *c;
  }
  RS_SPS_READ(frame_num, r.ue(), "log2_max_frame_num_minus4");
  if (*frame_num > 12) return sps_out_of_range("log2_max_frame_num_minus4", *frame_num);
  if (auto s = skip_pic_order_cnt(r); !s.ok()) return s;
  RS_SPS_READ(max_refs, r.ue(), "max_num_ref_frames");
  RS_SPS_READ(gaps, r.flag(), "gaps_in_frame_num_value_allowed_flag");
  if (auto s = read_size(r, chroma, info); !s.ok()) return s;
  return info;
}

#undef RS_SPS_READ

std::string profile_level_id(std::span<const uint8_t> sps_nal) {
  // RFC 6184 8.1 (paraphrased): profile-level-id is the base16 form of three SPS bytes:
  // profile_idc, profile-iop (the constraint flags) and level_idc.
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 1; i <= 3; ++i) {
    out.push_back(kHex[sps_nal[i] >> 4]);
    out.push_back(kHex[sps_nal[i] & 0x0f]);
  }
  return out;
}

}  // namespace media::h264
