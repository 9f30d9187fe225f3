#include "relay/catchup_request.hpp"

#include "relay/catchup.hpp"
#include "relay/topic.hpp"

namespace relay {
namespace {

constexpr size_t kRequestParts = 3;  // identity, version, stream

}  // namespace

std::optional<CatchupRequest> CatchupRequestReader::feed(std::string_view part, bool more) {
  if (!discarding_) {
    if (parts_.size() == kRequestParts) {
      parts_.clear();
      discarding_ = true;
    } else {
      parts_.emplace_back(part);
    }
  }
  if (more) return std::nullopt;
  std::vector<std::string> message = std::move(parts_);
  parts_.clear();
  const bool was_discarding = discarding_;
  discarding_ = false;
  if (was_discarding || message.size() != kRequestParts || message[1] != kCatchupRequest ||
      message[2].empty() || message[2].size() > kMaxStreamNameBytes) {
    return std::nullopt;
  }
  return CatchupRequest{.identity = std::move(message[0]), .stream = std::move(message[2])};
}

}  // namespace relay
