// Prometheus text format (version 0.0.4) for the edge.
#include "edge/edge_metrics.hpp"

#include <cstdio>
#include <string_view>
#include <vector>

#include "base/strings.hpp"
#include "cluster/prometheus_text.hpp"
#include "cluster/stream_health.hpp"

namespace edge {
namespace {

using cluster::MetricsText;

void write_counters(MetricsText& w, const MetricsInput& in) {
  w.family("rs_edge_connections", "gauge", "Open RTSP control connections");
  w.sample("rs_edge_connections", {}, total(in.loops, &LoopCounters::connections));
  w.family("rs_edge_sessions", "gauge", "RTSP sessions counted against --max_sessions");
  w.sample("rs_edge_sessions", {}, uint64_t{in.sessions});
  w.family("rs_edge_sent_bytes_total", "counter", "Bytes written to readers (RTP, RTCP, RTSP)");
  w.sample("rs_edge_sent_bytes_total", {}, total(in.loops, &LoopCounters::bytes_out));
  w.family("rs_edge_sent_packets_total", "counter", "RTP packets sent to unicast readers");
  w.sample("rs_edge_sent_packets_total", {}, total(in.loops, &LoopCounters::packets_out));
  w.family("rs_edge_multicast_sent_packets_total", "counter",
           "RTP packets sent to multicast groups (one copy per group)");
  w.sample("rs_edge_multicast_sent_packets_total", {}, in.multicast_packets);
  w.family("rs_edge_frames_skipped_total", "counter",
           "Frames slow readers skipped to reach a keyframe");
  w.sample("rs_edge_frames_skipped_total", {}, total(in.loops, &LoopCounters::frames_skipped));
  w.family("rs_edge_readers_dropped_slow_total", "counter",
           "Readers disconnected for exceeding the latency budget");
  w.sample("rs_edge_readers_dropped_slow_total", {},
           total(in.loops, &LoopCounters::readers_dropped_slow));
  w.family("rs_edge_udp_packets_dropped_total", "counter",
           "UDP packets the kernel refused (socket buffer full)");
  w.sample("rs_edge_udp_packets_dropped_total", {},
           total(in.loops, &LoopCounters::udp_packets_dropped));
}

void write_histograms(MetricsText& w, const MetricsInput& in) {
  std::vector<const cluster::DelayHistogram*> loops;
  for (const LoopCounters* c : in.loops) loops.push_back(&c->queue_delay);
  w.family("rs_edge_queue_delay_seconds", "histogram",
           "Edge receive to socket hand-off per live frame and reader");
  w.histogram("rs_edge_queue_delay_seconds", loops);
  if (in.ingest_counters != nullptr) {
    w.family("rs_edge_origin_delay_seconds", "histogram",
             "Origin publish to edge receive per frame (origin wall clock; needs synchronised "
             "clocks across hosts)");
    w.histogram("rs_edge_origin_delay_seconds", {&in.ingest_counters->origin_delay});
  }
}

void write_streams(MetricsText& w, const MetricsInput& in) {
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
  w.family("rs_edge_reader_loss_ratio", "gauge",
           "Loss fraction from readers' RTCP receiver reports (max and mean)");
  w.family("rs_edge_reader_jitter_seconds_max", "gauge",
           "Largest interarrival jitter readers report");
  for (const auto& [name, s] : merged) {
    const std::pair<const char*, uint64_t> transports[] = {
        {"tcp", s.readers_tcp}, {"udp", s.readers_udp}, {"multicast", s.readers_multicast}};
    for (const auto& [transport, n] : transports) {
      w.sample("rs_edge_readers", {{"stream", name}, {"transport", transport}}, n);
    }
    const double mean =
        s.rtcp_reports ? s.loss_fraction_sum / static_cast<double>(s.rtcp_reports) : 0;
    w.sample("rs_edge_reader_loss_ratio", {{"stream", name}, {"stat", "max"}}, s.loss_fraction_max);
    w.sample("rs_edge_reader_loss_ratio", {{"stream", name}, {"stat", "mean"}}, mean);
    w.sample("rs_edge_reader_jitter_seconds_max", {{"stream", name}}, s.jitter_ms_max / 1000.0);
  }
  w.family("rs_edge_stream_state", "gauge",
           "1 for the stream's health on this edge: live, starting, source-down, origin-silent, "
           "edge-local, origin-switch");
  for (const auto& [name, status] : in.health) {
    for (auto each :
         {rs::cluster::STREAM_HEALTH_LIVE, rs::cluster::STREAM_HEALTH_STARTING,
          rs::cluster::STREAM_HEALTH_SOURCE_DOWN, rs::cluster::STREAM_HEALTH_ORIGIN_SILENT,
          rs::cluster::STREAM_HEALTH_SWITCHING, rs::cluster::STREAM_HEALTH_EDGE_LOCAL}) {
      w.sample("rs_edge_stream_state", {{"stream", name}, {"state", cluster::health_name(each)}},
               uint64_t{status.health() == each});
    }
  }
}

void write_ingest(MetricsText& w, const MetricsInput& in) {
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
    const std::vector<cluster::Label> l = {{"stream", name}};
    w.sample("rs_edge_origin_frames_total", l, s.stats.frames);
    w.sample("rs_edge_origin_gaps_total", l, s.stats.gaps);
    w.sample("rs_edge_origin_lost_frames_total", l, s.stats.lost_frames);
    w.sample("rs_edge_origin_dropped_frames_total", l, s.stats.dropped_frames);
    w.sample("rs_edge_origin_restarts_total", l, s.stats.epoch_changes);
    w.sample("rs_edge_subscribed", l, uint64_t{s.subscribed});
    w.sample("rs_edge_stream_origins", l, uint64_t{s.origins.origins});
    const std::pair<const char*, uint64_t> kinds[] = {{"aligned", s.origins.switches_aligned},
                                                      {"keyframe", s.origins.switches_keyframe},
                                                      {"cold", s.origins.switches_cold},
                                                      {"cancelled", s.origins.switches_cancelled}};
    for (const auto& [kind, n] : kinds) {
      w.sample("rs_edge_origin_switches_total", {{"stream", name}, {"kind", kind}}, n);
    }
  }
  if (in.ingest_counters) {
    w.family("rs_edge_catchup_requests_total", "counter", "GOP catch-up requests sent to origins");
    w.sample("rs_edge_catchup_requests_total", {}, in.ingest_counters->catchup_requests.load());
    w.family("rs_edge_origin_rejected_total", "counter",
             "Origin messages rejected (bad version, malformed)");
    w.sample("rs_edge_origin_rejected_total", {}, in.ingest_counters->rejected.load());
  }
}

}  // namespace

std::string render_metrics(const MetricsInput& input) {
  MetricsText w;
  write_counters(w, input);
  write_histograms(w, input);
  write_streams(w, input);
  write_ingest(w, input);
  return w.text();
}

}  // namespace edge
