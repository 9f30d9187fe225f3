# Interop tests: ffprobe/ffmpeg, GStreamer and OpenCV (clients no one here wrote) against an
# edge fed by a test-pattern origin. Each binary shares one origin + edge between its tests.
set(_rs_interop_dir ${CMAKE_CURRENT_SOURCE_DIR})
rs_test(ffmpeg_interop_test SOURCES ${_rs_interop_dir}/ffmpeg_interop_test.cpp
  DEPS rs_test_support LABELS interop TIMEOUT 120)
rs_test(gstreamer_interop_test SOURCES ${_rs_interop_dir}/gstreamer_interop_test.cpp
  DEPS rs_test_support LABELS interop TIMEOUT 120)
rs_test(opencv_interop_test SOURCES ${_rs_interop_dir}/opencv_interop_test.cpp
  DEPS rs_test_support ${OpenCV_LIBS} LABELS interop TIMEOUT 120)
foreach(_t ffmpeg_interop_test gstreamer_interop_test opencv_interop_test)
  add_dependencies(${_t} rtsp-origin rtsp-edge)
endforeach()
