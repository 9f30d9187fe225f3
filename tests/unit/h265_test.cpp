// Tests for media/h265: NAL unit header fields (H.265 7.3.1.2) and SPS parsing (7.3.2.2.1) on
// real libx265 parameter sets and synthetic SPSs for the branches x265 never takes.
#include "media/h265.hpp"

#include <gtest/gtest.h>

#include "test_bytes.hpp"

#include <cctype>
#include <string_view>
#include <vector>

#include "media/h264.hpp"
#include "tests/unit/table_test.hpp"

namespace media::h265 {
namespace {

using test_bytes::Bytes;
using test_bytes::hex;

// libx265 3.5 via `ffmpeg -f lavfi -i testsrc=size=WxH -frames:v 1 -pix_fmt P -c:v libx265`.
const Bytes kSpsMain720 = hex(
    "42 01 01 01 60 00 00 03 00 90 00 00 03 00 00 03 00 5d a0 02 80 80 2d 16 59 59 a4 93 2b c0 5a "
    "02 00 00 03 00 02 00 00 03 00 3c 10");
const Bytes kSpsRext444_720 = hex(
    "42 01 01 04 08 00 00 03 00 9e 08 00 00 03 00 00 5d 90 00 50 10 05 a2 cb 2b 34 92 65 78 0b 70 "
    "20 20 00 40 00 00 03 00 40 00 00 07 82");
const Bytes kSpsMain350x198 = hex(
    "42 01 01 01 60 00 00 03 00 90 00 00 03 00 00 03 00 3c a0 0b 08 0c 9d 56 59 59 a4 93 2b c0 5a "
    "02 00 00 03 00 02 00 00 03 00 3c 10");
const Bytes kSpsMain10_1080 = hex(
    "42 01 01 02 20 00 00 03 00 90 00 00 03 00 00 03 00 78 a0 03 c0 80 10 e4 d9 65 66 92 4c af 01 "
    "68 08 00 00 03 00 08 00 00 03 00 f0 40");
const Bytes kSpsRextGray240 = hex(
    "42 01 01 04 08 00 00 03 00 9f c8 00 00 03 00 00 3c c0 28 20 3c 59 65 66 92 4c af 01 6c 08 00 "
    "00 03 00 08 00 00 03 00 f0 40");

// MSB-first bit writer with ue(v), for synthetic SPSs.
class BitWriter {
 public:
  void bits(uint64_t value, int n) {
    for (int i = n - 1; i >= 0; --i) {
      if (pos_ % 8 == 0) out_.push_back(0);
      out_.back() |= static_cast<uint8_t>(((value >> i) & 1) << (7 - pos_ % 8));
      ++pos_;
    }
  }
  void ue(uint32_t value) {
    const uint64_t v = uint64_t{value} + 1;
    int len = 0;
    while ((v >> len) > 1) ++len;
    bits(0, len);
    bits(v, len + 1);
  }
  // rbsp_trailing_bits, then emulation prevention and the SPS NAL unit header.
  Bytes sps_nal() {
    bits(1, 1);
    while (pos_ % 8 != 0) bits(0, 1);
    Bytes out = {0x42, 0x01};
    const Bytes ebsp = h264::rbsp_to_ebsp(out_);
    out.insert(out.end(), ebsp.begin(), ebsp.end());
    return out;
  }

 private:
  Bytes out_;
  size_t pos_ = 0;
};

struct Synthetic {
  uint32_t sub_layers_minus1 = 0;
  bool sub_layer_profile = false;  // for every sub-layer
  bool sub_layer_level = false;
  bool tier = false;
  uint32_t profile = 1;
  uint32_t level = 93;
  uint32_t sps_id = 0;
  uint32_t chroma = 1;
  bool separate_planes = false;
  uint32_t width = 1280;
  uint32_t height = 720;
  bool window = false;
  uint32_t left = 0, right = 0, top = 0, bottom = 0;
  uint32_t depth_luma_minus8 = 0;
  uint32_t depth_chroma_minus8 = 0;
};

Bytes synthetic_sps(const Synthetic& s) {
  BitWriter w;
  w.bits(0, 4);  // sps_video_parameter_set_id
  w.bits(s.sub_layers_minus1, 3);
  w.bits(1, 1);  // sps_temporal_id_nesting_flag
  w.bits(0, 2);  // general_profile_space
  w.bits(s.tier, 1);
  w.bits(s.profile, 5);
  w.bits(0x40000000u >> (s.profile - 1), 32);  // compatibility flag[profile]
  w.bits(0x9, 4);                              // progressive, frame only
  w.bits(0, 44);
  w.bits(s.level, 8);
  for (uint32_t i = 0; i < s.sub_layers_minus1; ++i) {
    w.bits(s.sub_layer_profile, 1);
    w.bits(s.sub_layer_level, 1);
  }
  if (s.sub_layers_minus1 > 0) w.bits(0, 2 * static_cast<int>(8 - s.sub_layers_minus1));
  for (uint32_t i = 0; i < s.sub_layers_minus1; ++i) {
    if (s.sub_layer_profile) {
      w.bits(0x21, 8);  // space 0, tier 1, profile 1 (distinct from general values)
      w.bits(0xffffffff, 32);
      w.bits(0xfff, 48);
    }
    if (s.sub_layer_level) w.bits(0xff, 8);
  }
  w.ue(s.sps_id);
  w.ue(s.chroma);
  if (s.chroma == 3) w.bits(s.separate_planes, 1);
  w.ue(s.width);
  w.ue(s.height);
  w.bits(s.window, 1);
  if (s.window) {
    w.ue(s.left);
    w.ue(s.right);
    w.ue(s.top);
    w.ue(s.bottom);
  }
  w.ue(s.depth_luma_minus8);
  w.ue(s.depth_chroma_minus8);
  w.ue(4);  // log2_max_pic_order_cnt_lsb_minus4: never read
  return w.sps_nal();
}

struct Case {
  std::string_view name;
  Bytes sps;
  SpsInfo want;
};

std::vector<Case> cases() {
  return {
      {"x265 main 1280x720",
       kSpsMain720,
       {.general_profile_idc = 1,
        .general_profile_compatibility_flags = 0x60000000,
        .general_level_idc = 93,
        .width = 1280,
        .height = 720}},
      {"x265 rext 4:4:4 from rgb testsrc",
       kSpsRext444_720,
       {.general_profile_idc = 4,
        .general_profile_compatibility_flags = 0x08000000,
        .general_level_idc = 93,
        .chroma_format_idc = 3,
        .width = 1280,
        .height = 720}},
      {"x265 350x198: conformance window crops 352x200",
       kSpsMain350x198,
       {.general_profile_idc = 1,
        .general_profile_compatibility_flags = 0x60000000,
        .general_level_idc = 60,
        .width = 350,
        .height = 198}},
      {"x265 main 10 1920x1080",
       kSpsMain10_1080,
       {.general_profile_idc = 2,
        .general_profile_compatibility_flags = 0x20000000,
        .general_level_idc = 120,
        .bit_depth_luma = 10,
        .bit_depth_chroma = 10,
        .width = 1920,
        .height = 1080}},
      {"x265 rext monochrome 320x240",
       kSpsRextGray240,
       {.general_profile_idc = 4,
        .general_profile_compatibility_flags = 0x08000000,
        .general_level_idc = 60,
        .chroma_format_idc = 0,
        .width = 320,
        .height = 240}},
      {"synthetic: 3 sub-layers with profile and level, high tier",
       synthetic_sps({.sub_layers_minus1 = 2,
                      .sub_layer_profile = true,
                      .sub_layer_level = true,
                      .tier = true,
                      .level = 150}),
       {.general_tier_flag = true,
        .general_profile_idc = 1,
        .general_profile_compatibility_flags = 0x40000000,
        .general_level_idc = 150,
        .max_sub_layers = 3,
        .width = 1280,
        .height = 720}},
      {"synthetic: 7 sub-layers, level only",
       synthetic_sps({.sub_layers_minus1 = 6, .sub_layer_level = true}),
       {.general_profile_idc = 1,
        .general_profile_compatibility_flags = 0x40000000,
        .general_level_idc = 93,
        .max_sub_layers = 7,
        .width = 1280,
        .height = 720}},
      {"synthetic: 4:2:2 window crops 2 columns per unit, 1 row per unit",
       synthetic_sps({.chroma = 2,
                      .width = 1920,
                      .height = 1088,
                      .window = true,
                      .left = 1,
                      .right = 2,
                      .bottom = 8}),
       {.general_profile_idc = 1,
        .general_profile_compatibility_flags = 0x40000000,
        .general_level_idc = 93,
        .chroma_format_idc = 2,
        .width = 1914,
        .height = 1080}},
      {"synthetic: 4:2:0 window crops 2x2 per unit",
       synthetic_sps({.width = 1920, .height = 1088, .window = true, .bottom = 4}),
       {.general_profile_idc = 1,
        .general_profile_compatibility_flags = 0x40000000,
        .general_level_idc = 93,
        .width = 1920,
        .height = 1080}},
      {"synthetic: 4:4:4 separate colour planes crop 1x1 per unit, 12 bit",
       synthetic_sps({.profile = 4,
                      .chroma = 3,
                      .separate_planes = true,
                      .width = 100,
                      .height = 100,
                      .window = true,
                      .left = 1,
                      .top = 3,
                      .depth_luma_minus8 = 4,
                      .depth_chroma_minus8 = 4}),
       {.general_profile_idc = 4,
        .general_profile_compatibility_flags = 0x08000000,
        .general_level_idc = 93,
        .chroma_format_idc = 3,
        .separate_colour_plane = true,
        .bit_depth_luma = 12,
        .bit_depth_chroma = 12,
        .width = 99,
        .height = 97}},
      {"synthetic: largest dimension",
       synthetic_sps({.width = kMaxPictureDimension, .height = 16}),
       {.general_profile_idc = 1,
        .general_profile_compatibility_flags = 0x40000000,
        .general_level_idc = 93,
        .width = kMaxPictureDimension,
        .height = 16}},
  };
}

TEST(H265Sps, ParsesRealAndSyntheticParameterSets) {
  rstest::expect_each_parses(cases(), [](const auto& c) { return parse_sps(c.sps); });
}

TEST(H265Sps, RejectsMalformed) {
  const struct {
    std::string_view name;
    Bytes sps;
  } kBad[] = {
      {"empty", {}},
      {"header only", hex("42 01")},
      {"vps, not sps", hex("40 01 0c 01 ff ff 01 60 00 00 03 00 90 00 00 03 00 00 03 00 5d 95")},
      {"sps_max_sub_layers_minus1 = 7", synthetic_sps({.sub_layers_minus1 = 7})},
      {"sps_seq_parameter_set_id = 16", synthetic_sps({.sps_id = 16})},
      {"chroma_format_idc = 4", synthetic_sps({.chroma = 4})},
      {"width 0", synthetic_sps({.width = 0})},
      {"height 0", synthetic_sps({.height = 0})},
      {"width over the limit", synthetic_sps({.width = kMaxPictureDimension + 1})},
      {"window as wide as the picture",
       synthetic_sps({.width = 64, .window = true, .left = 16, .right = 16})},
      {"window as high as the picture", synthetic_sps({.height = 64, .window = true, .top = 32})},
      {"bit_depth_luma_minus8 = 9", synthetic_sps({.depth_luma_minus8 = 9})},
      {"bit_depth_chroma_minus8 = 9", synthetic_sps({.depth_chroma_minus8 = 9})},
      {"ue(v) with 32 leading zeros",
       hex("42 01 01 01 60 00 00 00 90 00 00 00 00 00 5d 00 00 00 00 "
           "00 00 00 00 01")},
  };
  for (const auto& c : kBad) {
    SCOPED_TRACE(c.name);
    EXPECT_FALSE(parse_sps(c.sps).ok());
  }
}

TEST(H265Sps, EveryTruncationOfRealSpsFailsOrParses) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    for (size_t n = 0; n < c.sps.size(); ++n) {
      auto got = parse_sps(std::span<const uint8_t>(c.sps).first(n));
      // The profile_tier_level alone needs 2 + 1 + 12 bytes.
      if (n < 15) {
        EXPECT_FALSE(got.ok()) << n;
      }
      if (got.ok()) {
        EXPECT_EQ(*got, c.want) << n;
      }
    }
  }
}

TEST(H265Nal, HeaderFields) {
  const struct {
    std::string_view name;
    Bytes nal;
    uint8_t type;
    uint8_t layer;
    uint8_t tid;
    bool vcl;
    bool irap;
  } kNals[] = {
      {"vps", hex("40 01"), 32, 0, 1, false, false},
      {"sps", hex("42 01"), 33, 0, 1, false, false},
      {"pps", hex("44 01"), 34, 0, 1, false, false},
      {"prefix sei", hex("4e 01"), 39, 0, 1, false, false},
      {"idr_w_radl", hex("26 01"), 19, 0, 1, true, true},
      {"idr_n_lp", hex("28 01"), 20, 0, 1, true, true},
      {"cra", hex("2a 01"), 21, 0, 1, true, true},
      {"bla_w_lp", hex("20 01"), 16, 0, 1, true, true},
      {"rsv_irap_23", hex("2e 01"), 23, 0, 1, true, true},
      {"trail_r tid 3", hex("02 03"), 1, 0, 3, true, false},
      {"rsv_vcl31", hex("3e 01"), 31, 0, 1, true, false},
      {"layer 63 (max), tid 7", hex("03 ff"), 1, 63, 7, true, false},
      {"layer 33", hex("41 09"), 32, 33, 1, false, false},
      {"ap", hex("60 01"), 48, 0, 1, false, false},
      {"fu", hex("62 01"), 49, 0, 1, false, false},
  };
  for (const auto& c : kNals) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(nal_type(c.nal), c.type);
    EXPECT_EQ(layer_id(c.nal), c.layer);
    EXPECT_EQ(temporal_id_plus1(c.nal), c.tid);
    EXPECT_EQ(is_vcl(c.type), c.vcl);
    EXPECT_EQ(is_irap(c.type), c.irap);
  }
}

TEST(H265Nal, AnnexBSplitOfX265KeyframeFindsParameterSets) {
  Bytes stream;
  for (const auto* nal : {&kSpsMain720, &kSpsRext444_720}) h264::append_annex_b(stream, *nal);
  const auto nals = h264::split_annex_b(stream);
  ASSERT_EQ(nals.size(), 2u);
  EXPECT_EQ(nal_type(nals[0]), static_cast<uint8_t>(NalType::Sps));
  EXPECT_EQ(Bytes(nals[1].begin(), nals[1].end()), kSpsRext444_720);
}

}  // namespace
}  // namespace media::h265
