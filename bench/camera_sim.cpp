// camera_sim: the frame source of a simulated IP camera for bench/camera_path.py. It encodes
// nothing live: it reads a pre-encoded H.264 Annex-B clip, splits it into access units and
// publishes them on ZeroMQ PUB exactly as rtsp-origin does (FrameHeader + payload, StreamInfo
// once a second), paced at --fps on the wall clock and looping forever on one continuous
// timeline. Every access unit gets a fresh capture-time SEI (media/sei.hpp) carrying the wall
// clock at the moment it is sent, so the SEI is the camera's send time. An
// `rtsp-edge --origin=<--publish> --preload=<--stream> --catchup=none` in front of it is then the
// camera's RTSP server.
//   camera_sim --clip=clip.h264 --publish=tcp://127.0.0.1:5600 --fps=30 --stream=cam
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "absl/flags/flag.h"
#include "base/cli.hpp"
#include "base/clock.hpp"
#include "base/log.hpp"
#include "media/h264.hpp"
#include "media/sei.hpp"
#include "proto/media.pb.h"
#include "relay/frame_publisher.hpp"
#include "relay/topic.hpp"

ABSL_FLAG(std::string, clip, "", "H.264 Annex-B clip (SPS/PPS before each IDR, no B-frames)");
ABSL_FLAG(std::string, publish, "tcp://127.0.0.1:5600", "ZeroMQ PUB endpoint to bind");
ABSL_FLAG(double, fps, 30, "frames per second of the clip (pacing and 90 kHz timestamps)");
ABSL_FLAG(std::string, stream, "cam", "stream name: the topic v1/<stream> and the RTSP path");

namespace {

constexpr std::string_view kProgram = "camera_sim";
constexpr int64_t kInfoIntervalUs = 1'000'000;
constexpr int64_t kVideoClock = 90'000;

using Bytes = std::vector<uint8_t>;

struct AccessUnit {
  Bytes data;  // Annex-B, 4-byte start codes
  bool keyframe = false;
};

struct Clip {
  std::vector<AccessUnit> units;  // starting at the first keyframe
  Bytes sps, pps;                 // from the first keyframe, without start codes
  uint32_t width = 0, height = 0;
  uint64_t bytes = 0;
};

std::optional<Bytes> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// H.264 7.4.1.2.3: a non-VCL unit of these types, or a slice with first_mb_in_slice == 0
// (ue(v) 0 is the single bit 1), after a VCL unit starts the next access unit.
bool starts_access_unit(std::span<const uint8_t> nal) {
  using media::h264::NalType;
  const uint8_t type = media::h264::nal_type(nal);
  if (media::h264::is_vcl(type)) return nal.size() > 1 && (nal[1] & 0x80) != 0;
  return type == static_cast<uint8_t>(NalType::Aud) || type == static_cast<uint8_t>(NalType::Sei) ||
         type == static_cast<uint8_t>(NalType::Sps) || type == static_cast<uint8_t>(NalType::Pps) ||
         (type >= 14 && type <= 18);
}

// The clip's first SPS and PPS (the clip has one set, repeated before each IDR).
void remember_parameter_sets(std::span<const uint8_t> nal, Clip& clip) {
  const uint8_t type = media::h264::nal_type(nal);
  if (type == static_cast<uint8_t>(media::h264::NalType::Sps) && clip.sps.empty()) {
    clip.sps.assign(nal.begin(), nal.end());
  } else if (type == static_cast<uint8_t>(media::h264::NalType::Pps) && clip.pps.empty()) {
    clip.pps.assign(nal.begin(), nal.end());
  }
}

// Closes the access unit being built: kept when it has a picture and the clip has begun at a
// keyframe (a loop must start decodable).
void finish_unit(AccessUnit& unit, bool has_picture, Clip& clip) {
  if (has_picture && (unit.keyframe || !clip.units.empty())) {
    clip.bytes += unit.data.size();
    clip.units.push_back(std::move(unit));
  }
  unit = AccessUnit{};
}

Clip split_clip(std::span<const uint8_t> annex_b) {
  Clip clip;
  AccessUnit unit;
  bool has_picture = false;
  for (std::span<const uint8_t> nal : media::h264::split_annex_b(annex_b)) {
    if (has_picture && starts_access_unit(nal)) {
      finish_unit(unit, has_picture, clip);
      has_picture = false;
    }
    const uint8_t type = media::h264::nal_type(nal);
    has_picture = has_picture || media::h264::is_vcl(type);
    unit.keyframe = unit.keyframe || type == static_cast<uint8_t>(media::h264::NalType::Idr);
    remember_parameter_sets(nal, clip);
    media::h264::append_annex_b(unit.data, nal);
  }
  finish_unit(unit, has_picture, clip);
  if (auto sps = media::h264::parse_sps(clip.sps); sps.ok()) {
    clip.width = sps->width;
    clip.height = sps->height;
  }
  return clip;
}

uint64_t random_epoch() {
  std::random_device device;
  uint64_t epoch = 0;
  while (epoch == 0) epoch = (uint64_t{device()} << 32) ^ device();
  return epoch;
}

struct Settings {
  std::string stream;
  double fps = 30;
  uint64_t epoch = 0;
};

rs::media::StreamInfo build_info(const Clip& clip, const Settings& s, uint64_t next_sequence,
                                 int64_t live_since_us) {
  rs::media::StreamInfo info;
  info.set_format_version(rs::media::FORMAT_VERSION_1);
  info.set_format_minor(relay::kFormatMinor);
  info.set_stream(s.stream);
  info.set_origin_epoch(s.epoch);
  info.set_state(rs::media::STREAM_STATE_LIVE);
  info.set_state_since_us(live_since_us);
  info.set_source_kind("file");
  if (next_sequence > 0) info.set_last_sequence(next_sequence - 1);
  const double clip_seconds = static_cast<double>(clip.units.size()) / s.fps;
  rs::media::TrackInfo* track = info.add_tracks();
  track->set_track(0);
  track->set_codec(rs::media::CODEC_H264);
  track->set_clock_rate(kVideoClock);
  track->set_sps(clip.sps.data(), clip.sps.size());
  track->set_pps(clip.pps.data(), clip.pps.size());
  track->set_width(clip.width);
  track->set_height(clip.height);
  track->set_fps(s.fps);
  track->set_bitrate_bps(static_cast<uint64_t>(static_cast<double>(clip.bytes) * 8 / clip_seconds));
  return info;
}

rs::media::FrameHeader build_header(const Settings& s, uint64_t sequence, bool keyframe,
                                    int64_t send_us) {
  const auto ts = static_cast<int64_t>(
      std::llround(static_cast<double>(sequence) * static_cast<double>(kVideoClock) / s.fps));
  rs::media::FrameHeader header;
  header.set_format_version(rs::media::FORMAT_VERSION_1);
  header.set_stream(s.stream);
  header.set_track(0);
  header.set_codec(rs::media::CODEC_H264);
  header.set_sequence(sequence);
  header.set_pts_90k(ts);
  header.set_dts_90k(ts);
  header.set_keyframe(keyframe);
  header.set_capture_time_us(send_us);
  header.set_origin_epoch(s.epoch);
  return header;
}

// Stamps the unit with the wall clock now (SEI and header) and hands it to ZeroMQ, which also
// stamps publish_time_us.
void send_unit(relay::FramePublisher& publisher, const Settings& s, const AccessUnit& unit,
               uint64_t sequence) {
  const int64_t now_us = base::wall_clock_us();
  auto payload = std::make_shared<const Bytes>(
      media::insert_before_first_vcl(unit.data, media::make_capture_time_sei(now_us)));
  const std::span<const uint8_t> bytes(*payload);
  const auto status =
      publisher.publish(build_header(s, sequence, unit.keyframe, now_us), bytes, payload);
  if (!status.ok()) LOG_WARN("camera_sim", "publish failed: ", base::sv(status.message()));
}

// Publishes the clip's units in a loop until `stop`, frame i due at start + i / fps.
void run(relay::FramePublisher& publisher, const Clip& clip, const Settings& s,
         const std::atomic<bool>& stop) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const int64_t live_since_us = base::wall_clock_us();
  int64_t next_info_us = 0;
  for (uint64_t sequence = 0; !stop.load(); ++sequence) {
    const auto due = start + std::chrono::microseconds(
                                 std::llround(static_cast<double>(sequence) * 1e6 / s.fps));
    std::this_thread::sleep_until(due);
    if (const int64_t now_us = base::monotonic_us(); now_us >= next_info_us) {
      next_info_us = now_us + kInfoIntervalUs;
      if (auto st = publisher.publish_info(build_info(clip, s, sequence, live_since_us));
          !st.ok()) {
        LOG_WARN("camera_sim", "publish_info failed: ", base::sv(st.message()));
      }
    }
    send_unit(publisher, s, clip.units[sequence % clip.units.size()], sequence);
  }
}

Clip load_clip(const std::string& path) {
  if (path.empty()) base::fail_usage(kProgram, "--clip is required");
  const std::optional<Bytes> bytes = read_file(path);
  if (!bytes) base::fail_usage(kProgram, "--clip: cannot read " + path);
  Clip clip = split_clip(*bytes);
  if (clip.units.empty() || clip.sps.empty() || clip.pps.empty()) {
    base::fail_usage(kProgram, "--clip: no keyframe with SPS and PPS in " + path);
  }
  return clip;
}

}  // namespace

int main(int argc, char** argv) {
  base::parse_flags(argc, argv, kProgram,
                    "publishes a pre-encoded H.264 clip like a camera behind rtsp-origin, "
                    "a capture-time SEI stamped at each send.\n"
                    "  camera_sim --clip=clip.h264 --publish=tcp://127.0.0.1:5600",
                    "bench/camera_sim");
  const Settings settings{.stream = absl::GetFlag(FLAGS_stream),
                          .fps = absl::GetFlag(FLAGS_fps),
                          .epoch = random_epoch()};
  if (!(settings.fps > 0 && settings.fps <= 240)) base::fail_usage(kProgram, "--fps: 0..240");
  base::ok_or_exit(kProgram, relay::validate_stream_name(settings.stream));
  const Clip clip = load_clip(absl::GetFlag(FLAGS_clip));

  const std::atomic<bool>& stop = base::stop_flag_on_termination();

  zmq::context_t context;
  relay::PublisherOptions options;
  options.endpoint = absl::GetFlag(FLAGS_publish);
  auto publisher = base::value_or_exit(kProgram, relay::FramePublisher::create(context, options));
  std::printf("camera_sim publishing %s on %s: %zu access units (%ux%u, %.1f s, %.2f Mb/s)\n",
              settings.stream.c_str(), publisher->bound_endpoint().c_str(), clip.units.size(),
              clip.width, clip.height, static_cast<double>(clip.units.size()) / settings.fps,
              static_cast<double>(clip.bytes) * 8 / 1e6 /
                  (static_cast<double>(clip.units.size()) / settings.fps));
  std::fflush(stdout);
  run(*publisher, clip, settings, stop);
  return 0;
}
