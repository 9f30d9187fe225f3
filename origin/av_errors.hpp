// Reasons for a lost or refused source, worded for the one log line each reconnect attempt gets:
// "401 unauthorized", "404 not found", "timeout", "EOF", "connection refused", "file missing"...
#pragma once

#include <string>

#include "origin/source_url.hpp"

namespace origin {

// Describes a libavformat error code. `timed_out`: our interrupt deadline fired (the call was
// cut short, whatever code it returned). `timeout_ms` is quoted in the timeout message.
std::string describe_av_error(int code, bool timed_out, SourceKind kind, int64_t timeout_ms);

}  // namespace origin
