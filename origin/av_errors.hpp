// Reasons for a lost or refused source, worded for the one log line each reconnect attempt gets:
// "401 unauthorized", "404 not found", "timeout", "EOF", "connection refused", "file missing"...
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"

#include "origin/source_url.hpp"

namespace origin {

// Describes a libavformat error code. `timed_out`: our interrupt deadline fired (the call was
// cut short, whatever code it returned). `timeout_ms` is quoted in the timeout message.
std::string describe_av_error(int code, bool timed_out, SourceKind kind, int64_t timeout_ms);

// The same words for a camera read with our own RTSP client (RtspCameraSource): `status` is the
// receiver's error, `rtsp_status` the camera's answer when it refused a request.
std::string describe_camera_error(const absl::Status& status, std::optional<int> rtsp_status,
                                  int64_t timeout_ms);

}  // namespace origin
