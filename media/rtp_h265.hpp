// H.265 over RTP, RFC 7798: single NAL unit packets (4.4.1), aggregation packets (4.4.2) and
// fragmentation units (4.4.3) without DONL (sprop-max-don-diff = 0), and the matching
// depacketizer used by tests, the benchmark client and fuzzing.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "media/packetized_frame.hpp"
#include "media/rtp.hpp"
#include "media/rtp_h264.hpp"  // kMaxAccessUnitBytes
#include "media/rtp_stream.hpp"

namespace media {

class RtpH265Packetizer : public RtpStream {
 public:
  using Config = RtpStreamConfig;
  using RtpStream::RtpStream;

  // Packetizes one Annex-B access unit into RTP packets with one timestamp (RFC 7798 4.1):
  // consecutive small NAL units are aggregated in APs (4.4.2), a NAL unit that does not fit is
  // fragmented in FUs (4.4.3), others go as single NAL unit packets (4.4.1). Access unit
  // delimiters, filler data, unspecified types 48..63 and NAL units shorter than the 2-byte
  // header are dropped. The marker bit is set on the last packet. Sequence numbers continue
  // from the previous call (wrapping at 65535).
  PacketizedFrame packetize(std::span<const uint8_t> annex_b, uint32_t rtp_timestamp,
                            bool keyframe);
};

// Reassembles access units from RTP packets (in order; a gap drops the unit in progress and
// waits for the next access unit start; see RtpDepacketizer). IRAP NAL units (types 16..23)
// make a keyframe. Rejects PACI packets and the unspecified types 51..63.
class RtpH265Depacketizer : public RtpDepacketizer {
 public:
  RtpH265Depacketizer();
};

}  // namespace media
