// SDP of a stream as the edge describes it (RFC 8866, RFC 6184 section 8.2.1).
#pragma once

#include <string>

#include "edge/stream_event.hpp"

namespace edge {

// `address` goes into the o= line (the edge's RTSP host).
std::string build_sdp(const StreamDescription& description, const std::string& address);

}  // namespace edge
