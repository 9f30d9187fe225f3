# media/: H.264 helpers, capture-time SEI, RTP, RTP/H.264 packetization, SDP.
foreach(t h264_test sei_test rtp_test rtp_h264_test sdp_test)
  rs_test(${t} SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/${t}.cpp DEPS rs_media LABELS media)
endforeach()
