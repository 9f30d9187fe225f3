# Unit tests of the origin library (origin/).
rs_test(origin_source_url_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/origin_source_url_test.cpp
          ${CMAKE_CURRENT_SOURCE_DIR}/origin_config_test.cpp
          ${CMAKE_CURRENT_SOURCE_DIR}/origin_config_file_test.cpp
  DEPS rs_origin LABELS unit)
rs_test(origin_test_pattern_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/origin_test_pattern_test.cpp
  DEPS rs_origin LABELS unit)
rs_test(origin_h264_encoder_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/origin_h264_encoder_test.cpp
  DEPS rs_origin LABELS unit)
rs_test(origin_timeline_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/origin_timeline_test.cpp
          ${CMAKE_CURRENT_SOURCE_DIR}/origin_parameter_sets_test.cpp
          ${CMAKE_CURRENT_SOURCE_DIR}/origin_av_errors_test.cpp
  DEPS rs_origin LABELS unit)
rs_test(origin_webcam_source_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/origin_webcam_source_test.cpp
  DEPS rs_origin LABELS unit)
# Push ingest: IngestHub (one publisher per stream, takeover, limits), PushQueue and PushSource.
rs_test(origin_ingest_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/origin_ingest_test.cpp
  DEPS rs_origin LABELS unit)
