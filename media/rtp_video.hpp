// H.264 and H.265 over RTP: the packetizers and the matching depacketizers (used by the edge's
// late-join path, the receiver, tests, the benchmark client and fuzzing). Both formats share the
// NAL-unit packetization loop (media/nal_packetizer.hpp) and the depacketizer
// (media/rtp_depacketizer.hpp); each .cpp gives its payload headers.
//
// H.264, RFC 6184 (rtp_h264.cpp): packetization mode 1. An access unit is packetized per 5.1:
// small NAL units aggregated in STAP-A (5.7.1), a NAL unit that does not fit fragmented in FU-A
// (5.8), others as single NAL unit packets (5.6); access unit delimiters and filler data dropped.
// IDR slices make a keyframe.
//
// H.265, RFC 7798 (rtp_h265.cpp): single NAL unit packets (4.4.1), aggregation packets (4.4.2)
// and fragmentation units (4.4.3), without DONL (sprop-max-don-diff = 0). Access unit
// delimiters, filler data, unspecified types 48..63 and NAL units shorter than the 2-byte header
// are dropped. IRAP NAL units (types 16..23) make a keyframe; PACI packets and the unspecified
// types 51..63 are rejected.
#pragma once

#include "media/rtp_depacketizer.hpp"
#include "media/rtp_stream.hpp"

namespace media {

struct H264Format;
struct H265Format;
using RtpH264Packetizer = AnnexBPacketizer<H264Format>;
using RtpH265Packetizer = AnnexBPacketizer<H265Format>;
extern template class AnnexBPacketizer<H264Format>;
extern template class AnnexBPacketizer<H265Format>;

// Reassemble access units from RTP packets (in order; a gap drops the unit in progress and waits
// for the next access unit start; see RtpDepacketizer).
class RtpH264Depacketizer : public RtpDepacketizer {
 public:
  RtpH264Depacketizer();
};
class RtpH265Depacketizer : public RtpDepacketizer {
 public:
  RtpH265Depacketizer();
};

}  // namespace media
