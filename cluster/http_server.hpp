// A tiny HTTP/1.1 server for /metrics and small JSON APIs: GET only, one request per connection,
// one thread. Not for the media path; reusable by every program that exposes metrics.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "absl/status/statusor.h"

namespace cluster {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// Limits: a request head larger than this is answered 431; a client slower than this, dropped.
inline constexpr size_t kMaxHttpRequestHead = 8 * 1024;
inline constexpr int kHttpReadTimeoutMs = 2000;

class HttpServer {
 public:
  // Called on the server thread with the request path (query string included); must not block
  // for long.
  using Handler = std::function<HttpResponse(std::string_view path)>;

  // Listens on host:port (port 0: ephemeral) and serves on its own thread.
  static absl::StatusOr<std::unique_ptr<HttpServer>> start(const std::string& host, uint16_t port,
                                                           Handler handler);
  ~HttpServer();  // stops and joins
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const { return port_; }
  void stop();

 private:
  HttpServer() = default;
  void run();
  void serve(int fd);

  Handler handler_;
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// Parses "GET /path HTTP/1.1" (the request line); empty on anything else.
std::string_view http_request_path(std::string_view head);

}  // namespace cluster
