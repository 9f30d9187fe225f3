// Fuzz target for the origin -> edge ZeroMQ wire as an edge decodes it (relay/frame_subscriber.hpp,
// relay/catchup.hpp): relay::decode_message on one multipart message ([topic][FrameHeader]
// [payload] or [topic][StreamInfo]) and relay::decode_catchup_reply on the same parts read as a
// catch-up reply ([OK|NOT_FOUND][stream][StreamInfo][FrameHeader][payload]...). Input: the parts,
// each preceded by a 16-bit big-endian length.
//
// Oracles: no crash; a decoded frame or info belongs to a valid stream name whose topic parses
// back to it (catch-up replies: the stream the reply names), speaks format version 1, keeps the
// payload bytes as sent, and re-encodes (frame fields into a FrameHeader, StreamInfo as is) to
// bytes that decode to the same thing; a found catch-up reply has an info and one frame per
// header/payload pair, all of its stream.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "proto/media.pb.h"
#include "relay/catchup.hpp"
#include "relay/frame_subscriber.hpp"
#include "relay/topic.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "zmq.hpp"

namespace {

using fuzz::check;

constexpr int64_t kNow = 123'456'789;

std::vector<zmq::message_t> copy_parts(const std::vector<std::string>& parts) {
  std::vector<zmq::message_t> out;
  for (const auto& p : parts) out.emplace_back(p.data(), p.size());
  return out;
}

void check_frame(const media::Frame& f, const std::string& payload) {
  check(std::string_view(reinterpret_cast<const char*>(f.payload.data()), f.payload.size()) ==
            payload,
        "payload bytes changed");
  check(f.received_monotonic_us == kNow, "arrival time not stamped");
  rs::media::FrameHeader h;
  h.set_format_version(rs::media::FORMAT_VERSION_1);
  h.set_stream(f.stream);
  h.set_track(f.track);
  h.set_codec(relay::codec_to_wire(f.codec));
  h.set_sequence(f.sequence);
  h.set_pts_90k(f.pts_90k);
  h.set_dts_90k(f.dts_90k);
  h.set_keyframe(f.keyframe);
  h.set_capture_time_us(f.capture_time_us);
  h.set_origin_epoch(f.origin_epoch);
  h.set_publish_time_us(f.publish_time_us);
  const std::string bytes = h.SerializeAsString();
  auto again = relay::decode_frame(f.stream, zmq::message_t(bytes.data(), bytes.size()),
                                   zmq::message_t(payload.data(), payload.size()), kNow);
  check(again.ok(), "re-encoded frame does not decode");
  const media::Frame& g = **again;
  check(g.stream == f.stream && g.track == f.track && g.codec == f.codec &&
            g.sequence == f.sequence && g.pts_90k == f.pts_90k && g.dts_90k == f.dts_90k &&
            g.keyframe == f.keyframe && g.capture_time_us == f.capture_time_us &&
            g.origin_epoch == f.origin_epoch && g.publish_time_us == f.publish_time_us,
        "frame round trip differs");
}

void check_info(const rs::media::StreamInfo& info, const std::string& stream) {
  check(info.stream() == stream, "info of another stream");
  check(info.format_version() == rs::media::FORMAT_VERSION_1, "info of another version");
  const std::string bytes = info.SerializeAsString();
  auto again = relay::decode_info(stream, zmq::message_t(bytes.data(), bytes.size()));
  check(again.ok(), "re-encoded info does not decode");
  check((*again)->SerializeAsString() == bytes, "info round trip differs");
}

void check_message(const std::vector<std::string>& raw) {
  auto parts = copy_parts(raw);
  auto got = relay::decode_message(parts, kNow);
  if (!got.ok()) return;
  auto topic = relay::parse_topic(raw[0]);
  check(topic.has_value(), "decoded a message with a foreign topic");
  if (const auto* frame = std::get_if<media::FramePtr>(&*got)) {
    check(!topic->info && raw.size() == 3, "frame from an info message");
    check((*frame)->stream == topic->stream, "frame stream differs from its topic");
    check(relay::validate_stream_name((*frame)->stream).ok(), "frame of an invalid stream name");
    check(relay::frame_topic((*frame)->stream) == raw[0], "topic does not round trip");
    check_frame(**frame, raw[2]);
  } else {
    const auto& info = std::get<std::shared_ptr<const rs::media::StreamInfo>>(*got);
    check(topic->info && raw.size() == 2, "info from a frame message");
    check(relay::info_topic(info->stream()) == raw[0], "info topic does not round trip");
    check(relay::validate_stream_name(info->stream()).ok(), "info of an invalid stream name");
    check_info(*info, topic->stream);
  }
}

void check_catchup(const std::vector<std::string>& raw) {
  auto parts = copy_parts(raw);
  auto reply = relay::decode_catchup_reply(parts, kNow);
  if (!reply.ok()) return;
  check(reply->stream == raw[1], "reply names another stream");
  if (!reply->found) {
    check(!reply->info && reply->frames.empty(), "NOT_FOUND with content");
    return;
  }
  check(raw[0] == relay::kCatchupOk, "found without OK");
  check(reply->info != nullptr, "found without info");
  check_info(*reply->info, reply->stream);
  check(reply->frames.size() * 2 + 3 == raw.size(), "frames lost or invented");
  for (size_t i = 0; i < reply->frames.size(); ++i) {
    check(reply->frames[i]->stream == reply->stream, "catch-up frame of another stream");
    check_frame(*reply->frames[i], raw[4 + 2 * i]);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  std::vector<std::string> raw;
  while (input.size() >= 2 && raw.size() < 64) {
    const size_t length = std::min<size_t>((size_t{input[0]} << 8) | input[1], input.size() - 2);
    raw.emplace_back(reinterpret_cast<const char*>(input.data() + 2), length);
    input = input.subspan(2 + length);
  }
  if (raw.empty()) return 0;
  check_message(raw);
  check_catchup(raw);
  return 0;
}
