// Topic names of the origin -> edge wire (docs/wire.md).
#include "relay/topic.hpp"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/strings.hpp"

namespace relay {

absl::Status validate_stream_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxStreamNameBytes) {
    return absl::InvalidArgumentError(
        base::cat("stream name must be 1-", kMaxStreamNameBytes, " characters, got ", name.size()));
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) {
      return absl::InvalidArgumentError(
          base::cat("stream name '", name, "' may only contain A-Z a-z 0-9 _ - ."));
    }
  }
  if (name == "." || name == "..") {
    return absl::InvalidArgumentError(base::cat("stream name '", name, "' is reserved"));
  }
  return absl::OkStatus();
}

std::string frame_topic(std::string_view stream) {
  return base::cat(kTopicPrefix, stream);
}

std::string info_topic(std::string_view stream) {
  return base::cat(kTopicPrefix, stream, kInfoSuffix);
}

std::optional<ParsedTopic> parse_topic(std::string_view topic) {
  if (!topic.starts_with(kTopicPrefix)) return std::nullopt;
  std::string_view rest = topic.substr(kTopicPrefix.size());
  ParsedTopic out;
  if (rest.ends_with(kInfoSuffix)) {
    rest.remove_suffix(kInfoSuffix.size());
    out.info = true;
  }
  if (!validate_stream_name(rest).ok()) return std::nullopt;
  out.stream = std::string(rest);
  return out;
}

}  // namespace relay
