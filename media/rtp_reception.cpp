// RTP reception statistics for receiver reports (see rtp_reception.hpp).
#include "media/rtp_reception.hpp"

#include <algorithm>
#include <cmath>

namespace media {
namespace {

// The first packet's extended sequence number is kOrigin + its 16-bit one, so that a packet from
// just before it (reordered) does not make the number negative.
constexpr int64_t kOrigin = 65536;

}  // namespace

RtpReception::RtpReception(uint32_t clock_rate)
    : clock_rate_(clock_rate == 0 ? 90'000 : clock_rate) {}

void RtpReception::on_packet(uint16_t sequence, uint32_t rtp_timestamp, int64_t arrival_us) {
  if (received_ == 0) first_ = highest_ = kOrigin + sequence;
  // The extended number nearest the highest so far: within half the sequence space, forward or
  // back (a late packet from before a wrap is behind, not 65,535 ahead).
  int64_t extended = (highest_ & ~int64_t{0xFFFF}) | sequence;
  if (extended - highest_ > 32768) extended -= 65536;
  if (highest_ - extended > 32768) extended += 65536;
  highest_ = std::max(highest_, extended);
  first_ = std::min(first_, extended);
  ++received_;
  // RFC 3550 A.8: J += (|D| - J) / 16, D the change in transit time between consecutive packets
  // (in arrival order), in timestamp units; the difference is taken modulo 2^32.
  const int64_t arrival = arrival_us * static_cast<int64_t>(clock_rate_) / 1'000'000;
  const int64_t transit = arrival - rtp_timestamp;
  if (last_transit_) {
    const double d = std::abs(static_cast<double>(static_cast<int32_t>(transit - *last_transit_)));
    jitter_ += (d - jitter_) / 16.0;
  }
  last_transit_ = transit;
}

uint64_t RtpReception::lost() const {
  return static_cast<uint64_t>(std::max<int64_t>(0, expected() - static_cast<int64_t>(received_)));
}

ReportBlock RtpReception::report(uint32_t ssrc) {
  // RFC 3550 A.3: the fraction lost since the last report, 0 when packets were duplicated.
  const int64_t expected_interval = expected() - at_report_.expected;
  const int64_t lost_interval =
      expected_interval - static_cast<int64_t>(received_ - at_report_.received);
  at_report_ = {.expected = expected(), .received = received_};
  ReportBlock block;
  block.ssrc = ssrc;
  block.fraction_lost = expected_interval <= 0 || lost_interval <= 0
                            ? 0
                            : static_cast<uint8_t>((lost_interval << 8) / expected_interval);
  // 24 bits on the wire, signed (RFC 3550 A.3 clamps; so does make_receiver_report).
  block.cumulative_lost = static_cast<int32_t>(
      std::clamp<int64_t>(expected() - static_cast<int64_t>(received_), -0x800000, 0x7FFFFF));
  block.highest_sequence = received_ == 0 ? 0 : static_cast<uint32_t>(highest_ - kOrigin);
  block.jitter = static_cast<uint32_t>(jitter_);
  return block;
}

}  // namespace media
