// H.264 over RTP, RFC 6184: packetization mode 1 (single NAL unit, STAP-A, FU-A) and the
// matching depacketizer used by tests, the benchmark client and fuzzing.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "media/packetized_frame.hpp"
#include "media/rtp.hpp"
#include "media/rtp_depacketizer.hpp"
#include "media/rtp_stream.hpp"

namespace media {

class RtpH264Packetizer : public RtpStream {
 public:
  using Config = RtpStreamConfig;
  using RtpStream::RtpStream;

  // Packetizes one Annex-B access unit into RTP packets with one timestamp (RFC 6184 5.1):
  // consecutive small NAL units are aggregated in STAP-A (5.7.1), a NAL unit that does not fit
  // is fragmented in FU-A (5.8), others go as single NAL unit packets (5.6). Access unit
  // delimiters and filler data are dropped. The marker bit is set on the last packet.
  // Sequence numbers continue from the previous call (wrapping at 65535).
  PacketizedFrame packetize(std::span<const uint8_t> annex_b, uint32_t rtp_timestamp,
                            bool keyframe);
};

// Reassembles access units from RTP packets (in order; a gap drops the unit in progress and
// waits for the next access unit start; see RtpDepacketizer). IDR slices make a keyframe.
class RtpH264Depacketizer : public RtpDepacketizer {
 public:
  RtpH264Depacketizer();
};

}  // namespace media
