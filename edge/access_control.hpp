// AccessControl: the edge's one Authenticator, shared by all I/O loops behind a mutex (checks
// happen only on DESCRIBE and SETUP), so the failed-attempt limit holds across loops.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

#include "rtsp/auth.hpp"
#include "rtsp/server_session.hpp"

namespace edge {

class AccessControl {
 public:
  explicit AccessControl(std::unique_ptr<rtsp::Authenticator> authenticator)
      : authenticator_(std::move(authenticator)) {}

  // Any thread.
  std::optional<rtsp::ServerSessionHost::Denial> check(const rtsp::Request& request,
                                                       std::string_view stream,
                                                       std::string_view address, int64_t now_us) {
    if (!authenticator_) return std::nullopt;
    std::lock_guard lock(mutex_);
    auto decision = authenticator_->check(request, stream, address, now_us);
    if (decision.allowed) return std::nullopt;
    return rtsp::ServerSessionHost::Denial{decision.status, std::move(decision.www_authenticate),
                                           std::move(decision.reason)};
  }

 private:
  std::mutex mutex_;
  std::unique_ptr<rtsp::Authenticator> authenticator_;
};

}  // namespace edge
