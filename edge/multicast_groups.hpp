// MulticastGroups: one multicast group per stream (RFC 2326 12.39 "multicast"), fed once per
// frame by the ingest thread however many readers joined it ("one copy per group").
// Thread-safe: loops join and leave, the ingest thread sends.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "media/packetized_frame.hpp"

namespace edge {

struct MulticastOptions {
  std::string pool = "239.255.42.0/24";  // group addresses, one per stream
  uint16_t port_base = 20000;  // stream i, track t: port_base + 4i + 2t (RTP) and + 1 (RTCP)
  uint8_t ttl = 16;
  std::string interface_address = "127.0.0.1";  // IP_MULTICAST_IF
};

inline constexpr uint32_t kMulticastTracks = 2;  // video and one audio track per group

struct MulticastGroup {
  std::string address;
  uint16_t rtp_port = 0;  // track 0; track t adds 2t
  uint16_t rtcp_port = 0;
  uint8_t ttl = 0;
  uint16_t rtp_port_of(uint32_t track) const { return static_cast<uint16_t>(rtp_port + 2 * track); }
};

class MulticastGroups {
 public:
  static absl::StatusOr<std::unique_ptr<MulticastGroups>> create(const MulticastOptions& options);
  ~MulticastGroups();

  // A reader of `stream` wants multicast: its group (allocated on first use).
  absl::StatusOr<MulticastGroup> join(const std::string& stream);
  void leave(const std::string& stream);
  // Ingest thread: sends the frame's packets to the stream's group when it has readers.
  void send(const std::string& stream, const media::PacketizedFrame& frame);
  uint64_t packets_sent() const;

 private:
  struct Entry {
    MulticastGroup group;
    size_t readers = 0;
    uint32_t index = 0;
  };
  MulticastGroups(const MulticastOptions& options, uint32_t base, uint32_t size, int fd)
      : options_(options), base_(base), size_(size), fd_(fd) {}

  MulticastOptions options_;
  uint32_t base_;  // host order
  uint32_t size_;
  int fd_;
  mutable std::mutex mutex_;
  absl::flat_hash_map<std::string, Entry> groups_;
  uint32_t next_index_ = 0;
  uint64_t packets_sent_ = 0;
};

}  // namespace edge
