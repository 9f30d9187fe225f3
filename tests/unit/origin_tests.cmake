# Unit tests of the origin library (origin/).
rs_test(origin_source_url_test
  SOURCES origin_source_url_test.cpp origin_config_test.cpp origin_config_file_test.cpp
  DEPS rs_origin LABELS unit)
rs_test(origin_test_pattern_test DEPS rs_origin LABELS unit)
rs_test(origin_h264_encoder_test DEPS rs_origin LABELS unit)
rs_test(origin_timeline_test
  SOURCES origin_timeline_test.cpp origin_parameter_sets_test.cpp origin_av_errors_test.cpp
  DEPS rs_origin LABELS unit)
rs_test(origin_webcam_source_test DEPS rs_origin LABELS unit)
# Push ingest: IngestHub (one publisher per stream, takeover, limits), PushQueue and PushSource.
rs_test(origin_ingest_test DEPS rs_origin LABELS unit)
