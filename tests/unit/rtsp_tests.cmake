# RTSP wire layer: messages, the incremental stream reader, the Transport header.
rs_test(rtsp_message_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/rtsp_message_test.cpp DEPS rs_rtsp)
rs_test(rtsp_message_reader_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/rtsp_message_reader_test.cpp DEPS rs_rtsp)
rs_test(rtsp_transport_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/rtsp_transport_test.cpp DEPS rs_rtsp)
