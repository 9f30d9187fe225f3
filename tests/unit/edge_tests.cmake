rs_test(server_session_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/server_session_test.cpp
  DEPS rs_rtsp LABELS unit)
rs_test(stream_ingest_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/stream_ingest_test.cpp
  DEPS rs_edge LABELS unit)
rs_test(auth_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/auth_test.cpp DEPS rs_rtsp LABELS unit)
rs_test(rtcp_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/rtcp_test.cpp DEPS rs_media LABELS unit)
rs_test(stream_health_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/stream_health_test.cpp
  DEPS rs_edge LABELS unit)
rs_test(edge_reader_queue_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/edge_reader_queue_test.cpp
  DEPS rs_edge LABELS unit)
rs_test(edge_origin_selector_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/edge_origin_selector_test.cpp
  DEPS rs_edge LABELS unit)
