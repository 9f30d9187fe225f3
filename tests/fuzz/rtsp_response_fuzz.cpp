// Fuzz target for the RTSP client path: MessageReader (Kind::Responses) fed in chunk sizes derived
// from the input, and every Response handed to a ClientSession that keeps requests pending (it
// asks for the next step its state allows after each answer, as a player would).
//
// Oracles: the reader's items do not depend on how the input was split; parsed responses
// serialize to something that parses back with the same status, headers and body; every request
// the session builds parses back equal (no header injection from fuzzed challenges, URLs or
// session ids); the session's state matches what it knows (tracks once described, a session id
// once set up) and Ignored answers change nothing.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "rtsp/client_session.hpp"
#include "rtsp/limits.hpp"
#include "rtsp/message.hpp"
#include "rtsp/message_reader.hpp"
#include "tests/fuzz/rtsp_chunks.hpp"

namespace {

using fuzz::check;

void check_response_round_trip(const rtsp::Response& response) {
  auto again = rtsp::Response::parse(response.serialize());
  check(again.ok(), "serialized response does not parse");
  check(again->status == response.status && again->headers == response.headers &&
            again->body == response.body,
        "response round trip differs");
}

void check_request(const absl::StatusOr<rtsp::Request>& request) {
  if (!request.ok()) return;
  auto again = rtsp::Request::parse(request->serialize());
  check(again.ok(), "built request does not parse");
  check(*again == *request, "built request round trip differs");
}

// The next request a player would send in the session's state.
void ask_next(rtsp::ClientSession& session) {
  switch (session.state()) {
    case rtsp::ClientState::Init:
      check_request(session.describe());
      break;
    case rtsp::ClientState::Described:
    case rtsp::ClientState::Ready: {
      const size_t set_up = session.state() == rtsp::ClientState::Ready ? 1 : 0;
      check_request(session.setup(set_up % session.tracks().size(), rtsp::Transport{}));
      if (session.state() == rtsp::ClientState::Ready) check_request(session.play());
      break;
    }
    case rtsp::ClientState::Playing:
      check_request(session.get_parameter());
      check_request(session.teardown());
      break;
    case rtsp::ClientState::Closed:
      check_request(session.options());
      break;
  }
}

void check_invariants(const rtsp::ClientSession& session) {
  const rtsp::ClientState state = session.state();
  if (state == rtsp::ClientState::Described || state == rtsp::ClientState::Ready ||
      state == rtsp::ClientState::Playing) {
    check(!session.tracks().empty(), "described without tracks");
    for (const auto& t : session.tracks()) {
      check(!t.control_url.empty(), "track without control URL");
      check(t.codec != media::Codec::Unknown, "track with an unknown codec");
    }
  }
  if (state == rtsp::ClientState::Ready || state == rtsp::ClientState::Playing) {
    check(!session.session_id().empty(), "set up without a session id");
  }
  check(session.session_timeout().count() > 0, "non-positive session timeout");
  check(!session.host().empty() && !session.url().empty(), "lost the server");
}

void drive_session(const std::vector<rtsp::ReaderItem>& items) {
  auto created = rtsp::ClientSession::create({.url = "rtsp://u:p@cam:554/live", .cnonce = "c"});
  check(created.ok(), "cannot create the session");
  rtsp::ClientSession& session = *created;
  check_request(session.options());
  check_request(session.describe());
  for (const auto& item : items) {
    const auto* response = std::get_if<rtsp::Response>(&item);
    if (!response) continue;
    const rtsp::ClientState before = session.state();
    const std::string session_id = session.session_id();
    auto reaction = session.on_response(*response);
    if (reaction.ok() && reaction->kind == rtsp::ClientReaction::Kind::Ignored) {
      check(session.state() == before && session.session_id() == session_id,
            "an ignored response changed the session");
    }
    check_invariants(session);
    ask_next(session);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  rtsp::MessageReader whole(rtsp::MessageReader::Kind::Responses);
  std::vector<rtsp::ReaderItem> items = whole.feed(input);
  check(fuzz::feed_chunked(rtsp::MessageReader::Kind::Responses, input) == items,
        "items depend on how the input was split");
  for (const auto& item : items) {
    check(!std::holds_alternative<rtsp::Request>(item), "request from a response reader");
    if (const auto* response = std::get_if<rtsp::Response>(&item)) {
      check_response_round_trip(*response);
    }
  }
  drive_session(items);
  return 0;
}
