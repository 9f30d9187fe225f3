rs_test(relay_catchup_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/relay_catchup_test.cpp
  DEPS rs_relay LABELS unit TIMEOUT 60)
