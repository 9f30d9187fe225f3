# RTSP wire layer: messages, the incremental stream reader, the Transport header.
rs_test(rtsp_message_test DEPS rs_rtsp LABELS unit)
rs_test(rtsp_message_reader_test DEPS rs_rtsp LABELS unit)
rs_test(rtsp_transport_test DEPS rs_rtsp LABELS unit)
# RTSP client side: the sans-I/O ClientSession (vendor transcripts, one file each under
# tests/unit/transcripts/, then rule by rule), RTP-Info and the client's URL helpers.
rs_test(rtsp_client_session_test
  SOURCES rtsp_client_session_test.cpp
  rtsp_client_session_rules_test.cpp
  rtsp_client_session_responses_test.cpp DEPS rs_rtsp LABELS unit)
rs_test(rtsp_rtp_info_test DEPS rs_rtsp LABELS unit)
# RTSP server side, publishing: ANNOUNCE, SETUP mode=record, RECORD (ServerSession record mode).
rs_test(server_session_record_test DEPS rs_rtsp LABELS unit)
