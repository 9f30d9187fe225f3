// The origin's reading of catch-up requests (docs/wire.md, "Catch-up"): a ROUTER message
// [identity][CATCHUP/1][stream], read a part at a time (a message of 100,000 parts is read over
// many passes of the publisher loop, between frames). Pure: no sockets; the fuzz target
// catchup_request drives it with arbitrary part sequences.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace relay {

struct CatchupRequest {
  std::string identity;  // the ROUTER's routing id of the asking edge, for the answer
  std::string stream;
};

class CatchupRequestReader {
 public:
  // One part of a message; `more`: another part of the same message follows. On a message's last
  // part: the request when the message was one (exactly three parts, the version part
  // kCatchupRequest, a stream name of 1..kMaxStreamNameBytes), else nothing. At most three parts
  // are kept: the rest of a longer message is dropped as it comes.
  std::optional<CatchupRequest> feed(std::string_view part, bool more);

  // Parts kept of the message being read (0..3).
  size_t pending_parts() const { return parts_.size(); }

 private:
  std::vector<std::string> parts_;
  bool discarding_ = false;  // the message has more than three parts
};

}  // namespace relay
