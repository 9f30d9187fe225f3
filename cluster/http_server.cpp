// HttpServer on cpp-httplib (ADR 017). The library parses requests, keeps connections alive and
// enforces its limits; this file adds the connection threads, method policy and event streams.
#include "cluster/http_server.hpp"

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <condition_variable>
#include <list>
#include <mutex>
#include <thread>

#include "base/build_info.hpp"
#include "base/strings.hpp"
#include "cluster/slow_request_guard.hpp"

namespace cluster {
namespace {

// The head limit is the library's, compiled into Debian's build; the constant only names it.
static_assert(kMaxHttpRequestHead == CPPHTTPLIB_HEADER_MAX_LENGTH);

// httplib's own pool has a fixed number of threads, so a few idle connections can queue a
// scrape behind them. Here every connection gets a thread of its own, up to a cap; the accept
// loop waits at the cap (the kernel's backlog holds the rest). Threads are joined as they end.
class ConnectionThreads : public httplib::TaskQueue {
 public:
  ConnectionThreads(size_t cap, SlowRequestGuard& guard) : cap_(cap), guard_(guard) {}

  // Called on the accept thread right after each accept (SlowRequestGuard relies on that).
  void enqueue(std::function<void()> task) override {
    std::vector<uint64_t> tracked = guard_.track_new();
    auto fn = [this, task = std::move(task), tracked = std::move(tracked)] {
      task();
      guard_.forget(tracked);
    };
    std::unique_lock lock(mu_);
    reap_locked();
    room_.wait(lock, [&] { return running_ < cap_; });
    ++running_;
    Worker& w = threads_.emplace_back();  // list nodes stay put: the thread may point at `done`
    w.thread = std::thread([this, fn = std::move(fn), done = &w.done] {
      fn();
      std::lock_guard guard(mu_);
      *done = true;
      --running_;
      room_.notify_all();
    });
  }

  void shutdown() override {
    std::list<Worker> all;
    {
      std::lock_guard lock(mu_);
      all.swap(threads_);
    }
    for (auto& w : all) w.thread.join();
  }

 private:
  struct Worker {
    std::thread thread;
    bool done = false;  // guarded by mu_
  };

  void reap_locked() {
    for (auto it = threads_.begin(); it != threads_.end();) {
      if (it->done) {
        it->thread.join();  // it has left fn(); joining waits only for its last unlock
        it = threads_.erase(it);
      } else {
        ++it;
      }
    }
  }

  const size_t cap_;
  SlowRequestGuard& guard_;
  std::mutex mu_;
  std::condition_variable room_;
  size_t running_ = 0;
  std::list<Worker> threads_;
};

class SinkWriter : public EventWriter {
 public:
  SinkWriter(httplib::DataSink& sink, const std::atomic<bool>& stopping)
      : sink_(sink), stopping_(stopping) {}
  bool send(std::string_view event, std::string_view data) override {
    if (!open()) return false;
    const std::string chunk = base::cat("event: ", event, "\ndata: ", data, "\n\n");
    return sink_.write(chunk.data(), chunk.size());
  }
  bool open() const override { return !stopping_.load() && sink_.is_writable(); }

 private:
  httplib::DataSink& sink_;
  const std::atomic<bool>& stopping_;
};

std::string known_paths(const HttpRoutes& routes) {
  std::string out;
  for (const auto& [path, h] : routes.get) out += base::cat(out.empty() ? "" : ", ", path);
  for (const auto& [path, h] : routes.events) out += base::cat(out.empty() ? "" : ", ", path);
  return out;
}

}  // namespace

struct HttpServer::Impl {
  // A request head and a body at most, between two request heads.
  SlowRequestGuard guard{
      kHttpRequestDeadline,
      kMaxHttpRequestHead + kMaxHttpRequestBody};  // outlives the server's connection threads
  httplib::Server server;
  HttpRoutes routes;
  std::thread thread;
  std::atomic<bool> stopping{false};
  int port = 0;
  int listen_fd = -1;
  std::atomic<bool> listen_returned{false};
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::start(const std::string& host,
                                                              uint16_t port, HttpRoutes routes) {
  auto impl = std::make_unique<Impl>();
  impl->routes = std::move(routes);
  httplib::Server& s = impl->server;
  s.new_task_queue = [raw = impl.get()] {
    return new ConnectionThreads(kMaxHttpConnections, raw->guard);
  };
  s.set_keep_alive_timeout(kHttpIdleTimeout.count());
  s.set_keep_alive_max_count(kMaxHttpRequestsPerConnection);
  s.set_read_timeout(kHttpReadTimeout);
  s.set_write_timeout(kHttpWriteTimeout);
  s.set_payload_max_length(kMaxHttpRequestBody);
  s.set_tcp_nodelay(true);
  // The library's default also sets SO_REUSEPORT, which lets a second process bind the same port
  // without an error; and its listen backlog is 5, too short for a burst of scrapers. Only
  // SO_REUSEADDR here; the backlog is raised once the socket listens.
  s.set_socket_options([raw = impl.get()](int fd) {
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    raw->listen_fd = fd;
  });
  const std::string bind_host = host.empty() ? "0.0.0.0" : host;
  if (bind_host.find(':') != std::string::npos) {
    s.set_address_family(AF_INET6);
    // "::" serves IPv4 too: the library leaves IPV6_V6ONLY at the system default (0 on Linux).
  }

  Impl* raw = impl.get();
  // Methods: GET (HEAD is answered from it by the library, without the body); anything else on a
  // known path is 405 with Allow (RFC 9110 section 15.5.6), on an unknown path 404.
  s.set_pre_routing_handler([raw](const httplib::Request& req, httplib::Response& res) {
    raw->guard.on_request(req.remote_addr, req.remote_port, raw->routes.events.contains(req.path));
    if (req.method == "GET" || req.method == "HEAD")
      return httplib::Server::HandlerResponse::Unhandled;
    const bool known = raw->routes.get.contains(req.path) || raw->routes.events.contains(req.path);
    res.status = known ? 405 : 404;  // the error handler below words the 404
    if (known) {
      res.set_header("Allow", std::string(kHttpAllow));
      res.set_content(base::cat(req.method, " is not allowed here; use GET or HEAD\n"),
                      "text/plain; charset=utf-8");
    }
    return httplib::Server::HandlerResponse::Handled;
  });
  for (const auto& [path, handler] : impl->routes.get) {
    s.Get(path, [h = handler](const httplib::Request& req, httplib::Response& res) {
      HttpResponse r = h(req.target);  // the path and query string as sent
      res.status = r.status;
      res.set_content(std::move(r.body), r.content_type);
    });
  }
  for (const auto& [path, source] : impl->routes.events) {
    s.Get(path, [raw, src = source](const httplib::Request& req, httplib::Response& res) {
      res.set_header("Cache-Control", "no-cache");
      if (req.method == "HEAD") {
        res.set_content("", "text/event-stream");
        return;
      }
      res.set_chunked_content_provider("text/event-stream",
                                       [raw, src](size_t, httplib::DataSink& sink) {
                                         SinkWriter writer(sink, raw->stopping);
                                         src(writer);
                                         sink.done();
                                         return true;
                                       });
    });
  }
  s.set_error_handler([raw](const httplib::Request&, httplib::Response& res) {
    if (res.status == 404 && res.body.empty()) {
      res.set_content(base::cat("not found: try ", known_paths(raw->routes), "\n"),
                      "text/plain; charset=utf-8");
    }
  });

  if (port == 0) {
    impl->port = s.bind_to_any_port(bind_host);
  } else {
    impl->port = s.bind_to_port(bind_host, port) ? port : -1;
  }
  if (impl->port <= 0) {
    return absl::UnavailableError(base::cat("http: cannot listen on ", bind_host, ":", port,
                                            " (port in use or bad address)"));
  }
  ::listen(impl->listen_fd, kHttpListenBacklog);
  impl->guard.listening(impl->listen_fd, impl->port);
  impl->thread = std::thread([raw] {
    raw->server.listen_after_bind();
    raw->listen_returned.store(true);
  });
  // The library's stop() does nothing until its accept loop has started: wait for that, so that a
  // stop() right after start() cannot leave the loop running.
  while (!raw->server.is_running() && !raw->listen_returned.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::~HttpServer() {
  stop();
}

uint16_t HttpServer::port() const {
  return static_cast<uint16_t>(impl_->port);
}

void HttpServer::stop() {
  if (impl_->stopping.exchange(true)) return;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

HttpRoutes base_routes(std::function<std::string()> metrics) {
  HttpRoutes routes;
  routes.get["/metrics"] = [metrics = std::move(metrics)](std::string_view) {
    return HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8",
                        metrics() + base::build_info_metric()};
  };
  routes.get["/healthz"] = [](std::string_view) { return HttpResponse{200, "text/plain", "ok\n"}; };
  return routes;
}

}  // namespace cluster
