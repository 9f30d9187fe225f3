// Helpers for the rtsp::ServerSession tests (playing and publishing): a request as a client
// sends it.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "rtsp/message.hpp"

namespace rtsp::testing {

// A request with CSeq `cseq` and `headers` (set in order; a repeated name keeps the last).
inline Request request(std::string method, std::string uri, int cseq,
                       std::vector<std::pair<std::string, std::string>> headers = {}) {
  Request r;
  r.method = std::move(method);
  r.uri = std::move(uri);
  r.headers.set("CSeq", std::to_string(cseq));
  for (auto& [k, v] : headers) r.headers.set(k, v);
  return r;
}

}  // namespace rtsp::testing
