// Encode-once benchmark of the origin: encode fps and CPU per frame at 720p30 and 1080p30 for the
// test pattern and for a camera-like clip (ffmpeg's mandelbrot, made at run time, decoded and
// re-encoded), and the CPU cost of pass-through per Mb/s. Prints a table and writes JSON.
//   encode_bench [--out=bench/results/encode.json] [--frames=150]
#include <stdlib.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

extern "C" {
#include <libavutil/log.h>
}

#include "absl/strings/str_format.h"
#include "base/clock.hpp"
#include "base/log.hpp"
#include "origin/av_source.hpp"
#include "origin/h264_encoder.hpp"
#include "origin/parameter_sets.hpp"
#include "origin/test_pattern.hpp"
#include "origin/timeline.hpp"
#include "origin/webcam_source.hpp"

namespace {

using origin::EncoderConfig;

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Row {
  std::string name;
  int frames = 0;
  double wall_s = 0;
  double cpu_s = 0;
  double mbit = 0;  // pass-through only
};

EncoderConfig config_for(int width, int height) {
  return EncoderConfig{.width = width,
                       .height = height,
                       .fps = 30,
                       .bitrate_bps = width >= 1920 ? 4'000'000 : 2'000'000,
                       .gop_frames = 30};
}

Row bench_pattern(int width, int height, int frames) {
  auto encoder = origin::H264Encoder::create(config_for(width, height));
  if (!encoder.ok()) std::abort();
  origin::TestPattern pattern(width, height);
  Row row{.name = absl::StrFormat("test pattern %dp30 libx264", height), .frames = frames};
  const double cpu0 = cpu_seconds();
  const int64_t wall0 = base::monotonic_us();
  for (int i = 0; i < frames; ++i) {
    if (!(*encoder)->encode(pattern.render(i, base::wall_clock_us()), i).ok()) std::abort();
  }
  row.wall_s = static_cast<double>(base::monotonic_us() - wall0) / 1e6;
  row.cpu_s = cpu_seconds() - cpu0;
  return row;
}

// The camera-like clip through OpenCV capture → scale → encode (the webcam path).
Row bench_clip_encode(const std::string& clip, int width, int height) {
  origin::StreamSettings settings;
  settings.source = clip;
  settings.encoder = config_for(width, height);
  auto capture = std::make_unique<cv::VideoCapture>(clip, cv::CAP_FFMPEG);
  auto source = origin::WebcamSource::open_capture(settings, std::move(capture));
  if (!source.ok()) std::abort();
  Row row{.name = absl::StrFormat("camera-like clip %dp30 decode+libx264", height)};
  const double cpu0 = cpu_seconds();
  const int64_t wall0 = base::monotonic_us();
  while ((*source)->read().ok()) ++row.frames;
  row.wall_s = static_cast<double>(base::monotonic_us() - wall0) / 1e6;
  row.cpu_s = cpu_seconds() - cpu0;
  return row;
}

// Pass-through: demux, parameter-set scan, timeline mapping and header serialisation per unit.
Row bench_passthrough(const std::string& clip) {
  static std::atomic<bool> stop{false};
  origin::StreamSettings settings;
  settings.source = clip;
  settings.source_url.kind = origin::SourceKind::File;
  settings.source_url.location = clip;
  Row row{.name = "pass-through 1080p H.264 (no re-encode)"};
  const double cpu0 = cpu_seconds();
  const int64_t wall0 = base::monotonic_us();
  auto source = origin::AvSource::open(settings, stop);
  if (!source.ok()) std::abort();
  origin::ParameterSetCache sets(origin::VideoCodec::H264);
  origin::Timeline timeline;
  size_t bytes = 0;
  while (true) {
    auto unit = (*source)->read();
    if (!unit.ok()) break;
    sets.scan(*unit->data);
    timeline.map(unit->track, 90'000, unit->pts, unit->dts, base::monotonic_us());
    rs::media::FrameHeader header;
    header.set_pts_90k(unit->pts);
    bytes += header.SerializeAsString().size() + unit->data->size();
    ++row.frames;
  }
  row.wall_s = static_cast<double>(base::monotonic_us() - wall0) / 1e6;
  row.cpu_s = cpu_seconds() - cpu0;
  row.mbit = static_cast<double>(bytes) * 8 / 1e6;
  return row;
}

std::string make_clip(const std::string& dir) {
  const std::string clip = dir + "/mandelbrot_1080p.mp4";
  const std::string cmd =
      "/usr/bin/ffmpeg -hide_banner -loglevel error -y -f lavfi -i "
      "mandelbrot=size=1920x1080:rate=30 "
      "-t 5 -c:v libx264 -preset veryfast -g 30 -bf 0 -b:v 6M -pix_fmt yuv420p " +
      clip;
  if (std::system(cmd.c_str()) != 0) {
    std::fprintf(stderr, "ffmpeg failed to make the camera-like clip\n");
    std::exit(1);
  }
  return clip;
}

}  // namespace

int main(int argc, char** argv) {
  std::string out = "bench/results/encode.json";
  int frames = 150;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.starts_with("--out=")) out = arg.substr(6);
    if (arg.starts_with("--frames=")) frames = std::atoi(arg.c_str() + 9);
  }
  av_log_set_level(AV_LOG_QUIET);
  base::set_log_level(base::LogLevel::Warn);
  char dir[] = "/tmp/rs-encode-bench-XXXXXX";
  if (::mkdtemp(dir) == nullptr) return 1;
  const std::string clip = make_clip(dir);
  std::vector<Row> rows = {bench_pattern(1280, 720, frames), bench_pattern(1920, 1080, frames),
                           bench_clip_encode(clip, 1280, 720), bench_clip_encode(clip, 1920, 1080),
                           bench_passthrough(clip)};
  std::printf("%-44s %8s %10s %14s %16s\n", "case", "frames", "fps", "CPU ms/frame",
              "CPU ms per Mbit");
  std::string json = "{\n  \"results\": [\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    const double fps = r.frames / r.wall_s;
    const double cpu_ms = r.cpu_s * 1000 / r.frames;
    const double per_mbit = r.mbit > 0 ? r.cpu_s * 1000 / r.mbit : 0;
    std::printf("%-44s %8d %10.1f %14.3f %16s\n", r.name.c_str(), r.frames, fps, cpu_ms,
                r.mbit > 0 ? absl::StrFormat("%.3f", per_mbit).c_str() : "-");
    json += absl::StrFormat(
        "    {\"name\": \"%s\", \"frames\": %d, \"fps\": %.2f, \"cpu_ms_per_frame\": %.4f, "
        "\"mbit\": %.3f, \"cpu_ms_per_mbit\": %.4f}%s\n",
        r.name, r.frames, fps, cpu_ms, r.mbit, per_mbit, i + 1 < rows.size() ? "," : "");
  }
  json += "  ]\n}\n";
  std::printf("\npass-through: CPU ms per Mbit = share of one core per Mb/s of stream x 1000\n");
  std::ofstream(out) << json;
  std::printf("results written to %s\n", out.c_str());
  std::system((std::string("rm -rf ") + dir).c_str());
  return 0;
}
