// Tiny HTTP/1.1 server (RFC 9112): GET, Connection: close, Content-Length always set.
#include "cluster/http_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/log.hpp"
#include "base/strings.hpp"

namespace cluster {
namespace {

const char* reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 431:
      return "Request Header Fields Too Large";
    default:
      return "Error";
  }
}

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void respond(int fd, const HttpResponse& r) {
  std::string head =
      base::cat("HTTP/1.1 ", r.status, " ", reason(r.status), "\r\nContent-Type: ", r.content_type,
                "\r\nContent-Length: ", r.body.size(), "\r\nConnection: close\r\n\r\n");
  write_all(fd, head);
  write_all(fd, r.body);
}

}  // namespace

std::string_view http_request_path(std::string_view head) {
  // RFC 9112 section 3: request-line = method SP request-target SP HTTP-version
  const size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  if (line.substr(0, 4) != "GET ") return {};
  line.remove_prefix(4);
  const size_t sp = line.find(' ');
  if (sp == std::string_view::npos || line.substr(sp + 1, 5) != "HTTP/") return {};
  const std::string_view target = line.substr(0, sp);
  if (target.empty() || target[0] != '/') return {};
  return target;
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::start(const std::string& host,
                                                              uint16_t port, Handler handler) {
  std::unique_ptr<HttpServer> server(new HttpServer());
  server->handler_ = std::move(handler);
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(base::cat("http: socket: ", std::strerror(errno)));
  server->listen_fd_ = fd;
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.empty() ? "0.0.0.0" : host.c_str(), &addr.sin_addr) != 1) {
    return absl::InvalidArgumentError(base::cat("http: not an IPv4 address: ", host));
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(fd, 64) != 0) {
    return absl::UnavailableError(
        base::cat("http: cannot listen on ", host, ":", port, ": ", std::strerror(errno)));
  }
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  server->port_ = ntohs(addr.sin_port);
  if (::pipe2(server->wake_pipe_, O_CLOEXEC) != 0) {
    return absl::InternalError(base::cat("http: pipe: ", std::strerror(errno)));
  }
  server->thread_ = std::thread([s = server.get()] { s->run(); });
  return server;
}

HttpServer::~HttpServer() {
  stop();
  for (int fd : {listen_fd_, wake_pipe_[0], wake_pipe_[1]}) {
    if (fd >= 0) ::close(fd);
  }
}

void HttpServer::stop() {
  if (stopping_.exchange(true)) return;
  if (wake_pipe_[1] >= 0) {
    const char b = 1;
    ssize_t ignored = ::write(wake_pipe_[1], &b, 1);
    (void)ignored;
  }
  if (thread_.joinable()) thread_.join();
}

void HttpServer::run() {
  while (!stopping_.load()) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    serve(client);
    ::close(client);
  }
}

void HttpServer::serve(int fd) {
  timeval tv{kHttpReadTimeoutMs / 1000, (kHttpReadTimeoutMs % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  std::string head;
  char buf[2048];
  while (head.find("\r\n\r\n") == std::string::npos) {
    if (head.size() > kMaxHttpRequestHead) return respond(fd, {431, "text/plain", "too large\n"});
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return;
    head.append(buf, static_cast<size_t>(n));
  }
  const std::string_view path = http_request_path(head);
  if (path.empty()) return respond(fd, {400, "text/plain", "only GET is served\n"});
  respond(fd, handler_(path));
}

}  // namespace cluster
