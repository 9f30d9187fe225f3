// The HTTP side of every program (--http): /metrics, /healthz, small JSON APIs, the coordinator's
// dashboard and its event stream. Built on cpp-httplib (ADR 017): a thread per connection up to a
// cap, keep-alive, timeouts an idle connection cannot stretch, GET and HEAD, 405 with Allow for
// other methods on a known path, IPv4 and IPv6. Not for the media path.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace cluster {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// Limits (docs/config.md, "HTTP endpoints"). A connection that sends nothing for kHttpIdleTimeout
// is closed, before its first request as after one; one that has not sent a whole request head
// kHttpRequestDeadline after its accept (or after its previous request began) is closed however
// slowly it trickles bytes (SlowRequestGuard), event streams excepted; a request head over
// kMaxHttpRequestHead is refused by the library (431/414, 400 for one header line over it); a
// body over kMaxHttpRequestBody, 413.
inline constexpr std::chrono::seconds kHttpIdleTimeout{2};
inline constexpr std::chrono::seconds kHttpRequestDeadline{5};
inline constexpr std::chrono::seconds kHttpReadTimeout{2};
inline constexpr std::chrono::seconds kHttpWriteTimeout{5};
inline constexpr size_t kMaxHttpRequestHead = 8 * 1024;
inline constexpr size_t kMaxHttpRequestBody = 64 * 1024;
inline constexpr size_t kMaxHttpRequestsPerConnection = 1000;
inline constexpr size_t kMaxHttpConnections = 256;  // one thread each; more wait in the backlog
inline constexpr int kHttpListenBacklog = 1024;

// What an event-stream route writes to: one Server-Sent Event per send() (RFC: WHATWG HTML,
// "Server-sent events"). send() returns false once the client is gone or the server stops.
class EventWriter {
 public:
  virtual ~EventWriter() = default;
  // Writes "event: <event>\ndata: <data>\n\n"; `data` must be one line.
  virtual bool send(std::string_view event, std::string_view data) = 0;
  // False once the server is stopping: long-running routes return then.
  virtual bool open() const = 0;
};

struct HttpRoutes {
  // Exact path (no query string) → handler, called with the path and its query string.
  using Handler = std::function<HttpResponse(std::string_view target)>;
  std::map<std::string, Handler, std::less<>> get;
  // Exact path → event stream: runs on the connection's thread until it returns.
  using EventSource = std::function<void(EventWriter&)>;
  std::map<std::string, EventSource, std::less<>> events;
};

class HttpServer {
 public:
  // Listens on host:port (port 0: ephemeral; host "" or "0.0.0.0": every IPv4 address, "::": every
  // IPv6 and IPv4 address) and serves on its own threads.
  static absl::StatusOr<std::unique_ptr<HttpServer>> start(const std::string& host, uint16_t port,
                                                           HttpRoutes routes);
  ~HttpServer();  // stops and joins
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;
  void stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The routes every program serves: /metrics (Prometheus text from `metrics`) and /healthz.
HttpRoutes base_routes(std::function<std::string()> metrics);

// The reply to a method other than GET/HEAD on a known path, and the Allow header it carries.
inline constexpr std::string_view kHttpAllow = "GET, HEAD";

}  // namespace cluster
