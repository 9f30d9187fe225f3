// RtpReception: what a receiver has seen of one RTP source, as an RTCP receiver report carries it
// (RFC 3550 A.1, A.3, A.8): the extended highest sequence number, packets lost in all and since
// the last report, and the interarrival jitter. Pure: arrival times are passed in, nothing is sent.
// A new source (SSRC) starts a new RtpReception.
#pragma once

#include <cstdint>
#include <optional>

#include "media/rtp.hpp"

namespace media {

class RtpReception {
 public:
  // `clock_rate`: the source's RTP timestamp rate (0 counts as 90 kHz), the jitter's unit.
  explicit RtpReception(uint32_t clock_rate);

  // One packet of the source, as it arrived: in any order, duplicates included (RFC 3550 A.3
  // counts them as received, so a report's cumulative loss can be negative).
  void on_packet(uint16_t sequence, uint32_t rtp_timestamp, int64_t arrival_us);

  // The report block on `ssrc` (RFC 3550 6.4.1); starts the next interval of fraction_lost.
  // The extended highest sequence number counts cycles from the first packet: none before the
  // first wrap, whichever way the source's numbers go.
  ReportBlock report(uint32_t ssrc);

  bool empty() const { return received_ == 0; }
  uint64_t received() const { return received_; }
  // Packets expected but never received (duplicates do not make it negative).
  uint64_t lost() const;

 private:
  int64_t expected() const { return received_ == 0 ? 0 : highest_ - first_ + 1; }

  uint32_t clock_rate_;
  // Extended sequence numbers, from kOrigin + the first packet's: cycles are counted from there.
  int64_t first_ = 0;
  int64_t highest_ = 0;
  uint64_t received_ = 0;
  // The counts at the last report (RFC 3550 A.3's expected_prior and received_prior).
  struct Counts {
    int64_t expected = 0;
    uint64_t received = 0;
  } at_report_;
  // RFC 3550 A.8, in timestamp units.
  std::optional<int64_t> last_transit_;
  double jitter_ = 0;
};

}  // namespace media
