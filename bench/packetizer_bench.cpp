// Cost of the per-stream work the edge does once per frame: RTP packetization (RFC 6184) of
// 720p/1080p-sized access units, and the depacketizer readers' tools use.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "media/rtp_video.hpp"

namespace {

std::vector<uint8_t> access_unit(size_t slice_bytes, bool keyframe) {
  std::mt19937 random(42);
  std::vector<uint8_t> au;
  auto add = [&](std::vector<uint8_t> nal) {
    au.insert(au.end(), {0, 0, 0, 1});
    au.insert(au.end(), nal.begin(), nal.end());
  };
  if (keyframe) {
    add({0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40, 0x16, 0xe8, 0x40});
    add({0x68, 0xce, 0x3c, 0x80});
  }
  std::vector<uint8_t> slice(slice_bytes);
  for (auto& b : slice) b = static_cast<uint8_t>(random() | 1);  // no start-code emulation
  slice[0] = keyframe ? 0x65 : 0x41;
  add(slice);
  return au;
}

void BM_Packetize(benchmark::State& state) {
  const auto au = access_unit(static_cast<size_t>(state.range(0)), state.range(1) != 0);
  media::RtpH264Packetizer packetizer({.ssrc = 1});
  uint32_t ts = 0;
  for (auto _ : state) {
    auto frame = packetizer.packetize(au, ts += 3000, state.range(1) != 0);
    benchmark::DoNotOptimize(frame.bytes.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(au.size()));
}
// 720p30 at 2 Mb/s: ~8 kB delta frames, ~60 kB keyframes; 1080p30 at 4 Mb/s: ~16 kB / 120 kB.
BENCHMARK(BM_Packetize)->Args({8'000, 0})->Args({60'000, 1})->Args({16'000, 0})->Args({120'000, 1});

void BM_Depacketize(benchmark::State& state) {
  const auto au = access_unit(static_cast<size_t>(state.range(0)), true);
  media::RtpH264Packetizer packetizer({.ssrc = 1});
  const auto frame = packetizer.packetize(au, 3000, true);
  for (auto _ : state) {
    media::RtpH264Depacketizer depacketizer;
    for (size_t i = 0; i < frame.packet_count(); ++i) {
      auto out = depacketizer.feed(frame.packet(i));
      benchmark::DoNotOptimize(out);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(au.size()));
}
BENCHMARK(BM_Depacketize)->Arg(60'000)->Arg(120'000);

}  // namespace

BENCHMARK_MAIN();
