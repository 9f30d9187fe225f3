# The RTSP receiver's pure parts: reorder buffer, track depacketization, RTCP RR.
rs_test(receiver_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/receiver_test.cpp
  DEPS rs_receiver LABELS unit)
