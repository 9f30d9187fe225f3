#include "bench/rtsp_bench/report.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace rtsp_bench {
namespace {

// Nearest-rank percentiles of values in microseconds, reported in milliseconds.
Percentiles percentiles(std::vector<int64_t> v) {
  Percentiles p;
  p.count = v.size();
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
    return static_cast<double>(v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)]) / 1000.0;
  };
  p.p50 = at(0.50);
  p.p90 = at(0.90);
  p.p99 = at(0.99);
  p.p999 = at(0.999);
  p.max = static_cast<double>(v.back()) / 1000.0;
  return p;
}

// Rounded to microseconds, as the JSON has always carried them.
double ms3(double v) {
  return std::round(v * 1000.0) / 1000.0;
}

nlohmann::ordered_json json_percentiles(const Percentiles& p) {
  return {{"count", p.count},     {"p50_ms", ms3(p.p50)},   {"p90_ms", ms3(p.p90)},
          {"p99_ms", ms3(p.p99)}, {"p999_ms", ms3(p.p999)}, {"max_ms", ms3(p.max)}};
}

std::string row(const std::string& name, const std::string& value) {
  return absl::StrFormat("  %-34s %s\n", name, value);
}

std::string pct_row(const Percentiles& p) {
  if (p.count == 0) return "n/a";
  return absl::StrFormat("p50 %.2f  p99 %.2f  p99.9 %.2f  max %.2f ms  (n=%d)", p.p50, p.p99,
                         p.p999, p.max, p.count);
}

}  // namespace

Summary summarize(const RunInputs& in) {
  const BenchOptions& o = *in.options;
  Summary s;
  s.label = o.label;
  s.url = o.url;
  s.transport = o.udp ? "udp" : "tcp";
  s.window_s = static_cast<double>(in.window_end_mono_us - in.window_start_mono_us) / 1e6;
  std::vector<int64_t> latency, added, added_read, ttfk, ttfp, gaps;
  std::vector<int64_t> origin, slow_latency, backlog_bytes;
  double min_bytes = -1;
  uint64_t bytes = 0, normal = 0, slow_bytes = 0;
  for (const WorkerResult& w : in.workers) {
    for (const LatencySample& x : w.samples) latency.push_back(x.latency_us);
    for (const LatencySample& x : w.slow_samples) slow_latency.push_back(x.latency_us);
    if (in.origin_arrivals != nullptr) {
      for (const LatencySample& x : w.samples) {
        auto it = in.origin_arrivals->find(x.capture_us);
        if (it != in.origin_arrivals->end()) {
          added.push_back(x.capture_us + x.latency_us - it->second);
          added_read.push_back(x.capture_us + x.read_latency_us - it->second);
        }
      }
    }
    for (const ReaderResult& r : w.readers) {
      ++s.readers;
      if (r.played) ++s.played;
      if (!r.played) ++s.failed;
      if (r.disconnected) ++s.disconnected;
      if (r.played && r.failure.empty()) ++s.playing_at_end;
      if (!r.failure.empty()) ++s.failures[r.failure];
      const StreamCounters& c = r.counters;
      if (r.slow) {
        ++s.slow_readers;
        if (r.disconnected) ++s.slow_disconnected;
        if (!r.failure.empty()) s.slow_failure = r.failure;
        s.slow_lost += c.lost_total;
        s.slow_frames_complete += c.frames_complete;
        s.slow_frames_incomplete += c.frames_incomplete;
        slow_bytes += r.bytes_read;
        continue;
      }
      ++normal;
      bytes += c.bytes;
      min_bytes = min_bytes < 0 ? static_cast<double>(c.bytes)
                                : std::min(min_bytes, static_cast<double>(c.bytes));
      s.packets += c.packets;
      s.lost += c.lost;
      s.lost_total += c.lost_total;
      if (c.lost_total > 0) ++s.readers_with_loss;
      s.out_of_order += c.out_of_order;
      s.malformed += c.malformed;
      s.frames_complete += c.frames_complete;
      s.frames_incomplete += c.frames_incomplete;
      s.frames_without_sei += c.frames_without_sei;
      if (r.played) gaps.push_back(c.max_gap_us);
      if (r.played) backlog_bytes.push_back(r.max_backlog_bytes);
      if (r.play_sent_mono_us >= 0 && c.first_keyframe_mono_us >= 0) {
        ttfk.push_back(c.first_keyframe_mono_us - r.play_sent_mono_us);
      }
      if (r.play_sent_mono_us >= 0 && c.first_packet_mono_us >= 0) {
        ttfp.push_back(c.first_packet_mono_us - r.play_sent_mono_us);
      }
    }
  }
  if (in.origin_arrivals != nullptr) {
    const int64_t start = in.window_start_mono_us + in.wall_minus_mono_us;
    const int64_t end = in.window_end_mono_us + in.wall_minus_mono_us;
    for (const auto& [capture, arrival] : *in.origin_arrivals) {
      origin.push_back(arrival - capture);
      if (arrival >= start && arrival < end) ++s.origin_frames;
    }
    s.origin_fps = static_cast<double>(s.origin_frames) / s.window_s;
    if (s.origin_frames > 0 && normal > 0) {
      s.delivered_share =
          static_cast<double>(s.frames_complete) / static_cast<double>(s.origin_frames * normal);
    }
  }
  const double bits = 8.0 / 1e6 / s.window_s;
  s.mbps_total = static_cast<double>(bytes) * bits;
  s.mbps_per_reader = normal > 0 ? s.mbps_total / static_cast<double>(normal) : 0;
  s.mbps_min_reader = min_bytes > 0 ? min_bytes * bits : 0;
  s.loss_percent = s.packets + s.lost > 0 ? 100.0 * static_cast<double>(s.lost) /
                                                static_cast<double>(s.packets + s.lost)
                                          : 0;
  s.fps_per_reader =
      normal > 0 ? static_cast<double>(s.frames_complete) / static_cast<double>(normal) / s.window_s
                 : 0;
  s.latency = percentiles(std::move(latency));
  s.added_latency = percentiles(std::move(added));
  s.added_read_latency = percentiles(std::move(added_read));
  s.origin_publish_stamped = in.origin_publish_stamped;
  s.origin_latency = percentiles(std::move(origin));
  s.ttfk = percentiles(std::move(ttfk));
  s.ttfp = percentiles(std::move(ttfp));
  s.max_gap = percentiles(std::move(gaps));
  s.slow_latency = percentiles(std::move(slow_latency));
  if (s.mbps_per_reader > 0) {  // bytes -> microseconds of stream at the per-reader rate
    const double us_per_byte = 8.0 / s.mbps_per_reader;
    for (int64_t& b : backlog_bytes) b = static_cast<int64_t>(static_cast<double>(b) * us_per_byte);
    s.client_backlog = percentiles(std::move(backlog_bytes));
  }
  if (s.slow_readers > 0) {
    s.slow_read_bytes_per_s = static_cast<double>(slow_bytes) / s.slow_readers /
                              (static_cast<double>(in.window_end_mono_us) / 1e6 -
                               static_cast<double>(in.window_start_mono_us) / 1e6 +
                               static_cast<double>(o.ramp_us + o.warmup_us) / 1e6);
  }
  // A sample covers the second before it: keep those that lie wholly in the window.
  auto in_window = [&](const ProcSample& p) {
    return p.mono_us > in.window_start_mono_us + 900'000 &&
           p.mono_us <= in.window_end_mono_us + 100'000;
  };
  auto mean_cpu = [&](const std::vector<ProcSample>& samples) {
    double sum = 0;
    int n = 0;
    for (const ProcSample& p : samples) {
      if (!in_window(p)) continue;
      sum += p.cpu_percent;
      ++n;
    }
    return n > 0 ? sum / n : 0.0;
  };
  if (!in.server.empty()) {
    s.have_server = true;
    s.rss_start_kib = in.server.front().rss_kib;
    s.server_cpu_avg = mean_cpu(in.server);
    for (const ProcSample& p : in.server) {
      if (!in_window(p)) continue;
      s.server_cpu_max = std::max(s.server_cpu_max, p.cpu_percent);
      s.rss_max_kib = std::max(s.rss_max_kib, p.rss_kib);
      s.rss_end_kib = p.rss_kib;
    }
    if (s.rss_end_kib == 0) s.rss_end_kib = in.server.back().rss_kib;
    s.rss_per_reader_kib = s.readers > 0 ? static_cast<double>(s.rss_end_kib - s.rss_start_kib) /
                                               static_cast<double>(s.readers)
                                         : 0;
  }
  s.bench_cpu_avg = mean_cpu(in.self);
  return s;
}

std::string format_table(const Summary& s) {
  std::string t = absl::StrFormat("rtsp-bench %s  %s  %s, window %.1f s\n", s.label, s.url,
                                  s.transport, s.window_s);
  t += row("readers playing / requested",
           absl::StrFormat("%d / %d  (never played %d, disconnected %d)", s.playing_at_end,
                           s.readers, s.failed, s.disconnected));
  for (const auto& [why, n] : s.failures)
    t += row("  ended early", absl::StrFormat("%d x %s", n, why));
  t += row("delivered Mb/s total",
           absl::StrFormat("%.1f  (per reader %.3f, slowest %.3f)", s.mbps_total, s.mbps_per_reader,
                           s.mbps_min_reader));
  t += row("packets / lost (window)",
           absl::StrFormat("%d / %d  (%.4f%%; whole run %d, readers with loss %d)", s.packets,
                           s.lost, s.loss_percent, s.lost_total, s.readers_with_loss));
  t += row("frames complete / incomplete",
           absl::StrFormat("%d / %d  (%.2f fps per reader, %d without SEI)", s.frames_complete,
                           s.frames_incomplete, s.fps_per_reader, s.frames_without_sei));
  if (s.origin_frames > 0) {
    t += row("origin frames in window",
             absl::StrFormat("%d (%.2f fps); readers got %.2f%% of them complete", s.origin_frames,
                             s.origin_fps, 100.0 * s.delivered_share));
  }
  t += row("latency capture -> receive", pct_row(s.latency));
  if (s.added_latency.count > 0) {
    t += row("added: origin publish -> receive", pct_row(s.added_latency));
    t += row("added: origin publish -> read", pct_row(s.added_read_latency));
    t += row("origin: capture -> publish", pct_row(s.origin_latency));
    if (!s.origin_publish_stamped) {
      t += row("publish time", "origin sends none: the probe's arrival time is used");
    }
  }
  t += row("time to first keyframe", pct_row(s.ttfk));
  t += row("time to first packet", pct_row(s.ttfp));
  t += row("longest silence per reader", pct_row(s.max_gap));
  t += row("rtsp-bench unread backlog", pct_row(s.client_backlog));
  if (s.have_server) {
    t += row("server CPU % (avg / max)",
             absl::StrFormat("%.1f / %.1f", s.server_cpu_avg, s.server_cpu_max));
    t += row("server RSS KiB (start/end/max)",
             absl::StrFormat("%d / %d / %d  (%.2f KiB per reader)", s.rss_start_kib, s.rss_end_kib,
                             s.rss_max_kib, s.rss_per_reader_kib));
  }
  t += row("rtsp-bench CPU % (avg)", absl::StrFormat("%.1f", s.bench_cpu_avg));
  if (s.slow_readers > 0) {
    t += row("slow readers",
             absl::StrFormat("%d reading %.0f B/s; frames %d / %d incomplete, lost %d, %s",
                             s.slow_readers, s.slow_read_bytes_per_s, s.slow_frames_complete,
                             s.slow_frames_incomplete, s.slow_lost,
                             s.slow_failure.empty() ? "connected to the end" : s.slow_failure));
    t += row("slow readers' latency", pct_row(s.slow_latency));
  }
  return t;
}

std::string to_json(const Summary& s) {
  nlohmann::ordered_json failures = nlohmann::ordered_json::object();
  for (const auto& [why, n] : s.failures) failures[why] = n;
  const nlohmann::ordered_json j = {
      {"label", s.label},
      {"url", s.url},
      {"transport", s.transport},
      {"window_s", s.window_s},
      {"readers", s.readers},
      {"readers_played", s.played},
      {"readers_playing_at_end", s.playing_at_end},
      {"readers_never_played", s.failed},
      {"readers_disconnected", s.disconnected},
      {"failures", failures},
      {"mbps_total", s.mbps_total},
      {"mbps_per_reader", s.mbps_per_reader},
      {"mbps_min_reader", s.mbps_min_reader},
      {"packets", s.packets},
      {"lost", s.lost},
      {"lost_whole_run", s.lost_total},
      {"loss_percent", s.loss_percent},
      {"readers_with_loss", s.readers_with_loss},
      {"out_of_order", s.out_of_order},
      {"malformed", s.malformed},
      {"frames_complete", s.frames_complete},
      {"frames_incomplete", s.frames_incomplete},
      {"frames_without_sei", s.frames_without_sei},
      {"fps_per_reader", s.fps_per_reader},
      {"origin_frames", s.origin_frames},
      {"origin_fps", s.origin_fps},
      {"delivered_share", s.delivered_share},
      {"latency", json_percentiles(s.latency)},
      {"added_latency", json_percentiles(s.added_latency)},
      {"added_read_latency", json_percentiles(s.added_read_latency)},
      {"origin_publish_stamped", s.origin_publish_stamped},
      {"origin_latency", json_percentiles(s.origin_latency)},
      {"ttfk", json_percentiles(s.ttfk)},
      {"ttfp", json_percentiles(s.ttfp)},
      {"max_gap", json_percentiles(s.max_gap)},
      {"client_backlog", json_percentiles(s.client_backlog)},
      {"server_sampled", s.have_server},
      {"server_cpu_avg", s.server_cpu_avg},
      {"server_cpu_max", s.server_cpu_max},
      {"server_rss_start_kib", s.rss_start_kib},
      {"server_rss_end_kib", s.rss_end_kib},
      {"server_rss_max_kib", s.rss_max_kib},
      {"server_rss_per_reader_kib", s.rss_per_reader_kib},
      {"bench_cpu_avg", s.bench_cpu_avg},
      {"slow_readers", s.slow_readers},
      {"slow_read_bytes_per_s", s.slow_read_bytes_per_s},
      {"slow_latency", json_percentiles(s.slow_latency)},
      {"slow_lost", s.slow_lost},
      {"slow_frames_complete", s.slow_frames_complete},
      {"slow_frames_incomplete", s.slow_frames_incomplete},
      {"slow_disconnected", s.slow_disconnected},
      {"slow_failure", s.slow_failure},
  };
  // Strings from the network (failure reasons) may hold invalid UTF-8: replaced, never thrown.
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace rtsp_bench
