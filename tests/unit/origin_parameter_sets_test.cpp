// Parameter-set cache (origin/parameter_sets.hpp): learns H.264 SPS/PPS and H.265 VPS/SPS/PPS,
// recognises keyframes, and prepends the cached sets only when asked.
#include "origin/parameter_sets.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace origin {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes annex_b(std::initializer_list<Bytes> nals) {
  Bytes out;
  for (const Bytes& nal : nals) {
    out.insert(out.end(), {0, 0, 0, 1});
    out.insert(out.end(), nal.begin(), nal.end());
  }
  return out;
}

const Bytes kSps264 = {0x67, 0x42, 0xc0, 0x1e, 0xda};
const Bytes kPps264 = {0x68, 0xce, 0x3c, 0x80};
const Bytes kIdr264 = {0x65, 0x88, 0x84, 0x00};
const Bytes kP264 = {0x41, 0x9a, 0x00};
const Bytes kVps265 = {0x40, 0x01, 0x0c};
const Bytes kSps265 = {0x42, 0x01, 0x01};
const Bytes kPps265 = {0x44, 0x01, 0xc1};
const Bytes kCra265 = {0x2a, 0x01, 0xac};
const Bytes kTrail265 = {0x02, 0x01, 0xd0};

struct Case {
  const char* name;
  VideoCodec codec;
  Bytes au;
  bool keyframe;
  bool has_sets;
};

TEST(ParameterSetCache, ClassifiesAccessUnits) {
  const Case cases[] = {
      {"h264 idr with sets", VideoCodec::H264, annex_b({kSps264, kPps264, kIdr264}), true, true},
      {"h264 idr alone", VideoCodec::H264, annex_b({kIdr264}), true, false},
      {"h264 p frame", VideoCodec::H264, annex_b({kP264}), false, false},
      {"h265 cra with sets", VideoCodec::H265, annex_b({kVps265, kSps265, kPps265, kCra265}), true,
       true},
      {"h265 cra without vps", VideoCodec::H265, annex_b({kSps265, kPps265, kCra265}), true, false},
      {"h265 trailing picture", VideoCodec::H265, annex_b({kTrail265}), false, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ParameterSetCache cache(c.codec);
    const auto scan = cache.scan(c.au);
    EXPECT_EQ(scan.keyframe, c.keyframe);
    EXPECT_EQ(scan.has_sets, c.has_sets);
    EXPECT_TRUE(scan.has_picture);
  }
}

TEST(ParameterSetCache, PrependsCachedSetsInOrder) {
  ParameterSetCache cache(VideoCodec::H265);
  cache.scan(annex_b({kVps265, kSps265, kPps265}));  // e.g. RTSP sprop parameter sets
  ASSERT_TRUE(cache.complete());
  EXPECT_EQ(cache.prepend_to(annex_b({kCra265})), annex_b({kVps265, kSps265, kPps265, kCra265}));
}

TEST(ParameterSetCache, ReportsChangedSets) {
  ParameterSetCache cache(VideoCodec::H264);
  EXPECT_FALSE(cache.scan(annex_b({kSps264, kPps264, kIdr264})).changed) << "first sets";
  EXPECT_FALSE(cache.scan(annex_b({kSps264, kPps264, kIdr264})).changed) << "same again";
  const Bytes bigger = {0x67, 0x42, 0xc0, 0x1e, 0xdb};
  EXPECT_TRUE(cache.scan(annex_b({bigger, kPps264, kIdr264})).changed);
  EXPECT_EQ(cache.sets().sps, std::string(bigger.begin(), bigger.end()));
}

TEST(ParameterSetCache, IncompleteUntilEverySetIsSeen) {
  ParameterSetCache cache(VideoCodec::H265);
  cache.scan(annex_b({kSps265, kPps265}));
  EXPECT_FALSE(cache.complete()) << "H.265 needs a VPS too";
  cache.scan(annex_b({kVps265}));
  EXPECT_TRUE(cache.complete());
}

}  // namespace
}  // namespace origin
