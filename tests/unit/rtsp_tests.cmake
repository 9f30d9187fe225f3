# RTSP wire layer: messages, the incremental stream reader, the Transport header.
rs_test(rtsp_message_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/rtsp_message_test.cpp DEPS rs_rtsp LABELS unit)
rs_test(rtsp_message_reader_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/rtsp_message_reader_test.cpp DEPS rs_rtsp LABELS unit)
rs_test(rtsp_transport_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/rtsp_transport_test.cpp DEPS rs_rtsp LABELS unit)
# RTSP client side: the sans-I/O ClientSession (vendor transcripts, then rule by rule), RTP-Info
# and the client's URL helpers.
rs_test(rtsp_client_session_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/rtsp_client_session_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/rtsp_client_session_rules_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/rtsp_client_session_responses_test.cpp DEPS rs_rtsp LABELS unit)
rs_test(rtsp_rtp_info_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/rtsp_rtp_info_test.cpp DEPS rs_rtsp LABELS unit)
# RTSP server side, publishing: ANNOUNCE, SETUP mode=record, RECORD (ServerSession record mode).
rs_test(server_session_record_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/server_session_record_test.cpp DEPS rs_rtsp LABELS unit)
