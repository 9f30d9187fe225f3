// Prometheus text for the origin (origin_metrics.hpp).
#include "origin/origin_metrics.hpp"

#include "cluster/prometheus_text.hpp"

namespace origin {

std::string render_metrics(const std::vector<std::unique_ptr<StreamRunner>>& runners,
                           const relay::PublisherThreadStats& publisher) {
  cluster::MetricsText w;
  struct Counter {
    const char* name;
    const char* help;
    const std::atomic<uint64_t> StreamRunnerMetrics::*field;
  };
  const Counter counters[] = {
      {"rs_origin_source_frames_total", "Frames (access units) the source delivered",
       &StreamRunnerMetrics::units_in},
      {"rs_origin_frames_published_total", "Frames published to edges (video and audio)",
       &StreamRunnerMetrics::frames_published},
      {"rs_origin_published_bytes_total", "Payload bytes published to edges",
       &StreamRunnerMetrics::bytes_published},
      {"rs_origin_source_reconnects_total", "Attempts to open the source after the first",
       &StreamRunnerMetrics::reconnects},
      {"rs_origin_source_failed_attempts_total", "Attempts to open the source that failed",
       &StreamRunnerMetrics::failed_attempts},
      {"rs_origin_frames_dropped_before_keyframe_total",
       "Video frames dropped while a session waited for its first keyframe",
       &StreamRunnerMetrics::dropped_before_keyframe},
  };
  w.family("rs_origin_source_up", "gauge",
           "1 while the stream's source delivers (a session is open and past its first keyframe)");
  for (const auto& r : runners) {
    w.sample("rs_origin_source_up", {{"stream", r->stream()}},
             uint64_t{r->metrics().source_up.load(std::memory_order_relaxed)});
  }
  for (const Counter& c : counters) {
    w.family(c.name, "counter", c.help);
    for (const auto& r : runners) {
      w.sample(c.name, {{"stream", r->stream()}},
               (r->metrics().*c.field).load(std::memory_order_relaxed));
    }
  }
  w.family("rs_origin_encode_seconds", "histogram",
           "Time our encoder took per frame, conversion included (encoded sources only)");
  for (const auto& r : runners) {
    w.histogram("rs_origin_encode_seconds", {&r->metrics().encode_time}, {{"stream", r->stream()}});
  }
  w.family("rs_origin_publish_queue_frames", "gauge",
           "Frames waiting in the publisher's queue for the ZeroMQ thread");
  w.sample("rs_origin_publish_queue_frames", {}, publisher.queued);
  w.family("rs_origin_publish_dropped_frames_total", "counter",
           "Frames dropped because the publisher's queue was full");
  w.sample("rs_origin_publish_dropped_frames_total", {}, publisher.dropped);
  w.family("rs_origin_catchup_requests_total", "counter",
           "GOP catch-up requests edges sent to this origin");
  w.sample("rs_origin_catchup_requests_total", {}, publisher.catchup_requests);
  return w.text();
}

}  // namespace origin
