# Integration tests of rtsp-origin: real processes, a gst-rtsp-server camera stand-in and
# ffmpeg-made clips, a relay::FrameSubscriber recording what the origin publishes.
foreach(_t origin_camera_test origin_file_test origin_cli_test)
  rs_test(${_t} SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/${_t}.cpp DEPS rs_camera_support
          LABELS integration TIMEOUT 180)
  add_dependencies(${_t} rtsp-origin rtsp-edge)
endforeach()
