// Prometheus text format (version 0.0.4) for the edge.
#include "edge/edge_metrics.hpp"

#include <cstdio>
#include <string_view>
#include <vector>

#include "base/strings.hpp"
#include "cluster/stream_health.hpp"

namespace edge {
namespace {

class Writer {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += base::cat("# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
  }
  void sample(std::string_view name, std::string_view labels, double value) {
    char number[64];
    std::snprintf(number, sizeof number, "%.17g", value);
    out_ += base::cat(name, labels.empty() ? "" : "{", labels, labels.empty() ? "" : "}", " ",
                      number, "\n");
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

std::string label(std::string_view key, std::string_view value) {
  return base::cat(key, "=\"", value, "\"");  // stream names never contain quotes or backslashes
}

template <typename Field>
uint64_t sum(const MetricsInput& in, Field field) {
  uint64_t total = 0;
  for (const LoopCounters* c : in.loops) total += (c->*field).load(std::memory_order_relaxed);
  return total;
}

void write_counters(Writer& w, const MetricsInput& in) {
  w.family("rs_edge_connections", "gauge", "Open RTSP control connections");
  w.sample("rs_edge_connections", "", static_cast<double>(sum(in, &LoopCounters::connections)));
  w.family("rs_edge_sessions", "gauge", "RTSP sessions counted against --max_sessions");
  w.sample("rs_edge_sessions", "", static_cast<double>(in.sessions));
  w.family("rs_edge_bytes_out_total", "counter", "Bytes written to readers (RTP, RTCP, RTSP)");
  w.sample("rs_edge_bytes_out_total", "", static_cast<double>(sum(in, &LoopCounters::bytes_out)));
  w.family("rs_edge_packets_out_total", "counter", "RTP packets sent to readers");
  w.sample("rs_edge_packets_out_total", "",
           static_cast<double>(sum(in, &LoopCounters::packets_out)));
  w.family("rs_edge_multicast_packets_total", "counter", "RTP packets sent to multicast groups");
  w.sample("rs_edge_multicast_packets_total", "", static_cast<double>(in.multicast_packets));
  w.family("rs_edge_frames_skipped_total", "counter",
           "Frames slow readers skipped to reach a keyframe");
  w.sample("rs_edge_frames_skipped_total", "",
           static_cast<double>(sum(in, &LoopCounters::frames_skipped)));
  w.family("rs_edge_readers_dropped_slow_total", "counter",
           "Readers disconnected for exceeding the latency budget");
  w.sample("rs_edge_readers_dropped_slow_total", "",
           static_cast<double>(sum(in, &LoopCounters::readers_dropped_slow)));
  w.family("rs_edge_udp_packets_dropped_total", "counter",
           "UDP packets the kernel refused (socket buffer full)");
  w.sample("rs_edge_udp_packets_dropped_total", "",
           static_cast<double>(sum(in, &LoopCounters::udp_packets_dropped)));
}

void write_histogram(Writer& w, std::string_view name, std::string_view help,
                     const std::vector<const DelayHistogram*>& parts) {
  w.family(name, "histogram", help);
  auto total = [&](auto field) {
    uint64_t n = 0;
    for (const DelayHistogram* h : parts) n += field(*h).load(std::memory_order_relaxed);
    return static_cast<double>(n);
  };
  const std::string bucket = base::cat(name, "_bucket");
  for (size_t i = 0; i < kDelayBucketCount; ++i) {
    char le[32];
    std::snprintf(le, sizeof le, "%g", kDelayBuckets[i]);
    w.sample(bucket, label("le", le),
             total([i](const DelayHistogram& h) -> const auto& { return h.buckets[i]; }));
  }
  const double count = total([](const DelayHistogram& h) -> const auto& { return h.count; });
  w.sample(bucket, label("le", "+Inf"), count);
  w.sample(base::cat(name, "_sum"), "",
           total([](const DelayHistogram& h) -> const auto& { return h.sum_us; }) / 1e6);
  w.sample(base::cat(name, "_count"), "", count);
}

void write_histograms(Writer& w, const MetricsInput& in) {
  std::vector<const DelayHistogram*> loops;
  for (const LoopCounters* c : in.loops) loops.push_back(&c->queue_delay);
  write_histogram(w, "rs_edge_queue_delay_seconds",
                  "Edge receive to socket hand-off per live frame and reader", loops);
  if (in.ingest_counters != nullptr) {
    write_histogram(w, "rs_edge_origin_delay_seconds",
                    "Origin publish to edge receive per frame (origin wall clock; needs "
                    "synchronised clocks across hosts)",
                    {&in.ingest_counters->origin_delay});
  }
}

void write_streams(Writer& w, const MetricsInput& in) {
  absl::flat_hash_map<std::string, StreamSnapshot> merged;
  for (const LoopSnapshot& loop : in.loop_snapshots) {
    for (const auto& [name, s] : loop) {
      StreamSnapshot& m = merged[name];
      m.readers_tcp += s.readers_tcp;
      m.readers_udp += s.readers_udp;
      m.readers_multicast += s.readers_multicast;
      m.rtcp_reports += s.rtcp_reports;
      m.loss_fraction_sum += s.loss_fraction_sum;
      m.loss_fraction_max = std::max(m.loss_fraction_max, s.loss_fraction_max);
      m.jitter_ms_max = std::max(m.jitter_ms_max, s.jitter_ms_max);
      m.ready = m.ready || s.ready;
      m.down = m.down || s.down;
    }
  }
  w.family("rs_edge_readers", "gauge", "Readers playing, per stream and transport");
  for (const auto& [name, s] : merged) {
    w.sample("rs_edge_readers", base::cat(label("stream", name), ",", label("transport", "tcp")),
             static_cast<double>(s.readers_tcp));
    w.sample("rs_edge_readers", base::cat(label("stream", name), ",", label("transport", "udp")),
             static_cast<double>(s.readers_udp));
    w.sample("rs_edge_readers",
             base::cat(label("stream", name), ",", label("transport", "multicast")),
             static_cast<double>(s.readers_multicast));
  }
  w.family("rs_edge_reader_loss_ratio", "gauge",
           "Loss fraction from readers' RTCP receiver reports (max and mean)");
  w.family("rs_edge_reader_jitter_seconds_max", "gauge",
           "Largest interarrival jitter readers report");
  for (const auto& [name, s] : merged) {
    const double mean =
        s.rtcp_reports ? s.loss_fraction_sum / static_cast<double>(s.rtcp_reports) : 0;
    w.sample("rs_edge_reader_loss_ratio",
             base::cat(label("stream", name), ",", label("stat", "max")), s.loss_fraction_max);
    w.sample("rs_edge_reader_loss_ratio",
             base::cat(label("stream", name), ",", label("stat", "mean")), mean);
    w.sample("rs_edge_reader_jitter_seconds_max", label("stream", name), s.jitter_ms_max / 1000.0);
  }
  w.family("rs_edge_stream_state", "gauge",
           "1 for the stream's health on this edge: live, starting, source-down, origin-silent, "
           "edge-local");
  for (const auto& [name, status] : in.health) {
    for (auto each :
         {rs::cluster::STREAM_HEALTH_LIVE, rs::cluster::STREAM_HEALTH_STARTING,
          rs::cluster::STREAM_HEALTH_SOURCE_DOWN, rs::cluster::STREAM_HEALTH_ORIGIN_SILENT,
          rs::cluster::STREAM_HEALTH_SWITCHING, rs::cluster::STREAM_HEALTH_EDGE_LOCAL}) {
      w.sample("rs_edge_stream_state",
               base::cat(label("stream", name), ",", label("state", cluster::health_name(each))),
               status.health() == each ? 1 : 0);
    }
  }
}

void write_ingest(Writer& w, const MetricsInput& in) {
  w.family("rs_edge_origin_frames_total", "counter", "Frames received from the origin");
  w.family("rs_edge_origin_gaps_total", "counter",
           "Gaps in the origin's sequence numbers (lost ZeroMQ messages)");
  w.family("rs_edge_origin_lost_frames_total", "counter", "Frames missing in those gaps");
  w.family("rs_edge_origin_dropped_frames_total", "counter",
           "Frames not forwarded while waiting for a keyframe");
  w.family("rs_edge_origin_restarts_total", "counter", "Origin restarts (new epochs) seen");
  w.family("rs_edge_subscribed", "gauge", "1 while the edge is subscribed to the stream");
  w.family("rs_edge_stream_origins", "gauge",
           "Origins heard publishing the stream (more than 1: hot standby)");
  w.family("rs_edge_origin_switches_total", "counter",
           "Switches to another origin of the stream, by kind: aligned (lined up, no frame "
           "lost), keyframe (at the standby's keyframe), cold (an origin restart), cancelled");
  for (const auto& [name, s] : in.ingest) {
    const std::string l = label("stream", name);
    w.sample("rs_edge_origin_frames_total", l, static_cast<double>(s.stats.frames));
    w.sample("rs_edge_origin_gaps_total", l, static_cast<double>(s.stats.gaps));
    w.sample("rs_edge_origin_lost_frames_total", l, static_cast<double>(s.stats.lost_frames));
    w.sample("rs_edge_origin_dropped_frames_total", l, static_cast<double>(s.stats.dropped_frames));
    w.sample("rs_edge_origin_restarts_total", l, static_cast<double>(s.stats.epoch_changes));
    w.sample("rs_edge_subscribed", l, s.subscribed ? 1 : 0);
    w.sample("rs_edge_stream_origins", l, static_cast<double>(s.origins.origins));
    const std::pair<const char*, uint64_t> kinds[] = {{"aligned", s.origins.switches_aligned},
                                                      {"keyframe", s.origins.switches_keyframe},
                                                      {"cold", s.origins.switches_cold},
                                                      {"cancelled", s.origins.switches_cancelled}};
    for (const auto& [kind, n] : kinds) {
      w.sample("rs_edge_origin_switches_total", l + "," + label("kind", kind),
               static_cast<double>(n));
    }
  }
  if (in.ingest_counters) {
    w.family("rs_edge_catchup_requests_total", "counter", "GOP catch-up requests sent to origins");
    w.sample("rs_edge_catchup_requests_total", "",
             static_cast<double>(in.ingest_counters->catchup_requests.load()));
    w.family("rs_edge_origin_rejected_total", "counter",
             "Origin messages rejected (bad version, malformed)");
    w.sample("rs_edge_origin_rejected_total", "",
             static_cast<double>(in.ingest_counters->rejected.load()));
  }
}

}  // namespace

std::string render_metrics(const MetricsInput& input) {
  Writer w;
  write_counters(w, input);
  write_histograms(w, input);
  write_streams(w, input);
  write_ingest(w, input);
  return w.take();
}

}  // namespace edge
