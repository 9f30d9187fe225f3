# media/: H.264/H.265 helpers, capture-time SEI, RTP, reception statistics for RTCP RR, RTP/H.264 and RTP/H.265 (one typed suite,
# rtp_nal_codec_test, over rtp_h264_cases.hpp and rtp_h265_cases.hpp) and audio packetization,
# SDP.
foreach(t h264_test h265_test sei_test rtp_test rtp_reception_test rtp_nal_codec_test rtp_audio_test)
  rs_test(${t} SOURCES ${t}.cpp DEPS rs_media LABELS unit media)
endforeach()
# SDP: build_sdp (sdp_test.cpp, expected texts in tests/unit/sdp_written/) and parse_sdp (real descriptions from tests/unit/captures/, then
# rule by rule).
rs_test(sdp_test SOURCES sdp_test.cpp
  sdp_parse_test.cpp sdp_parse_rules_test.cpp
  DEPS rs_media LABELS unit media)
