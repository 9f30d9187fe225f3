// SlowRequestGuard: a deadline and a byte budget for each HTTP request head on HttpServer's
// connections.
//
// cpp-httplib's read timeout applies to each read, so a client that sends one byte a second
// holds its connection's thread for as long as it likes, and kMaxHttpConnections such clients
// leave /healthz unanswered (a health check that fails restarts a healthy node). Its head limit
// applies to each line, so a head of a million short header lines is read and kept whole. The
// guard gives every connection `deadline` from its accept, and again from the start of each
// request it makes, to send its next request head, and `max_bytes` (the kernel's count of bytes
// received, TCP_INFO) in which to do it; a connection past either is shut down (checked every
// 100 ms). An event stream is exempt once its request came in.
//
// The library does not say which socket a connection is: right after an accept (on the accept
// thread, before anything else in this server accepts) the guard finds the new socket among the
// process's descriptors by its local port and inode, and keeps a duplicate descriptor of it.
// Shutting the duplicate down ends the connection, whatever the library's descriptor number has
// become since; the duplicate is closed when the connection's thread ends.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace cluster {

class SlowRequestGuard {
 public:
  using Clock = std::chrono::steady_clock;

  SlowRequestGuard(Clock::duration deadline, uint64_t max_bytes);
  ~SlowRequestGuard();  // stops the sweeper, closes the duplicates
  SlowRequestGuard(const SlowRequestGuard&) = delete;
  SlowRequestGuard& operator=(const SlowRequestGuard&) = delete;

  // The server's listening socket and port, once bound.
  void listening(int listen_fd, int port);

  // On the accept thread, after an accept: starts the clock of every connection to the port not
  // yet known; returns their ids, for forget() when the connection's thread ends.
  std::vector<uint64_t> track_new();
  void forget(const std::vector<uint64_t>& ids);

  // A request head from `remote_addr`:`remote_port` was read: its connection gets a new deadline;
  // an event stream none.
  void on_request(const std::string& remote_addr, int remote_port, bool event_stream);

  // Connections shut down for missing their deadline, since the start.
  uint64_t cut() const;

 private:
  struct Connection {
    int dup_fd = -1;
    ino_t inode = 0;
    std::string host;
    int port = 0;
    Clock::time_point deadline;
    uint64_t bytes_at_request = 0;  // received before the current request head began
    bool exempt = false;
  };
  void sweep();

  const Clock::duration deadline_;
  const uint64_t max_bytes_;
  int listen_fd_ = -1;
  int port_ = 0;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  uint64_t next_id_ = 1;
  uint64_t cut_ = 0;
  std::map<uint64_t, Connection> connections_;
  std::set<ino_t> inodes_;
  std::thread sweeper_;
};

}  // namespace cluster
