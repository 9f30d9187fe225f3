// Edge settings shared by the ingest thread, the I/O loops and the connections.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "edge/multicast_groups.hpp"

namespace edge {

// Defaults, named so tests and docs/config.md can refer to them.
inline constexpr std::chrono::seconds kDefaultSessionTimeout{60};
inline constexpr std::chrono::milliseconds kDefaultDescribeTimeout{3000};
inline constexpr std::chrono::milliseconds kDefaultLatencyBudget{2000};
inline constexpr size_t kDefaultReaderQueueBytes = 4 * 1024 * 1024;
inline constexpr size_t kDefaultMaxSessions = 10000;
inline constexpr size_t kDefaultMaxReadersPerStream = 10000;
// A request that has not completed this long after its first byte closes the connection
// (slowloris).
inline constexpr std::chrono::seconds kPartialRequestTimeout{10};
// How often each I/O loop runs its housekeeping (timeouts, RTCP sender reports).
inline constexpr std::chrono::milliseconds kTickInterval{50};
inline constexpr std::chrono::seconds kSenderReportInterval{1};

struct EdgeOptions {
  std::vector<std::string> origins;            // ZeroMQ endpoints
  std::vector<std::string> catchup_endpoints;  // origins' catch-up endpoints; empty: none
  bool catchup_auto = true;                    // derive catch-up endpoints from the origins
  std::string curve_key_file;                  // the edge's CURVE key file; empty: no CURVE
  std::string origin_public_key;               // Z85 public key of the origin (CURVE)
  std::string rtsp_host = "127.0.0.1";
  uint16_t rtsp_port = 8554;
  size_t io_threads = 0;  // 0: one per core
  std::chrono::seconds session_timeout = kDefaultSessionTimeout;
  std::chrono::milliseconds describe_timeout = kDefaultDescribeTimeout;
  std::chrono::milliseconds latency_budget = kDefaultLatencyBudget;
  size_t reader_queue_bytes = kDefaultReaderQueueBytes;
  size_t max_sessions = kDefaultMaxSessions;
  size_t max_readers_per_stream = kDefaultMaxReadersPerStream;
  std::string auth_file;  // users and per-stream read permissions; empty: all streams open
  MulticastOptions multicast;
  std::vector<std::string> preload;  // streams kept warm; "*" = all
  std::chrono::milliseconds idle_timeout{30'000};
  std::string http_host;  // --http metrics endpoint; empty: none
  // Coordinator (docs/coordinator.md): register, report, learn origins. Empty: standalone.
  std::string coordinator;
  std::string node_name;
  std::string advertise_url;  // rtsp://host:port readers can reach
  uint32_t capacity_readers = 1000;
  double capacity_mbps = 1000;
  std::string zone;
  std::string token;
  std::string tls_cert, tls_key, tls_ca;
  std::chrono::milliseconds drain_grace{30'000};
  uint16_t http_port = 0;
};

}  // namespace edge
