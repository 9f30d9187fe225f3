// EventInbox: a multi-producer queue drained by one loop thread, with an eventfd wake-up.
#pragma once

#include <sys/eventfd.h>
#include <unistd.h>

#include <mutex>
#include <utility>
#include <vector>

namespace edge {

template <typename T>
class EventInbox {
 public:
  EventInbox() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
  ~EventInbox() {
    if (fd_ >= 0) ::close(fd_);
  }
  EventInbox(const EventInbox&) = delete;
  EventInbox& operator=(const EventInbox&) = delete;

  bool valid() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  // Any thread. Never blocks beyond the mutex; wakes the loop only on empty -> non-empty.
  void push(T item) {
    bool was_empty;
    {
      std::lock_guard lock(mutex_);
      was_empty = items_.empty();
      items_.push_back(std::move(item));
    }
    if (was_empty) {
      const uint64_t one = 1;
      ssize_t ignored = ::write(fd_, &one, sizeof one);
      (void)ignored;
    }
  }

  // Loop thread: takes everything queued so far.
  std::vector<T> drain() {
    uint64_t count;
    ssize_t ignored = ::read(fd_, &count, sizeof count);
    (void)ignored;
    std::vector<T> out;
    std::lock_guard lock(mutex_);
    out.swap(items_);
    return out;
  }

 private:
  int fd_;
  std::mutex mutex_;
  std::vector<T> items_;
};

}  // namespace edge
