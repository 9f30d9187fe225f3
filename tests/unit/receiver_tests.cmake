# The RTSP receiver's pure parts: reorder buffer, track depacketization, RTCP RR.
rs_test(receiver_test DEPS rs_receiver LABELS unit)
