// Client transcripts of RTSP server software for rtsp_client_session_test (sources are listed
// there): live555, gst-rtsp-server, MediaMTX, a server relaying ffmpeg's SDP, and our own edge.
// Text is LF; rtsp::testing::wire() makes the bytes.
// tests/fuzz/corpus/rtsp_response/ holds these answers as fuzz seeds.
#pragma once

#include "tests/unit/rtsp_client_test_util.hpp"

namespace rtsp::testing {

inline const Transcript kServerTranscripts[] = {
    {"live555 media server: Content-Base, a=control:track1, udp, version string in GET_PARAMETER",
     "rtsp://192.168.1.48:8554/test.264",
     {{"OPTIONS",
       R"(OPTIONS rtsp://192.168.1.48:8554/test.264 RTSP/1.0
CSeq: 1
User-Agent: rtsp-streamer/0.1

)",
       R"(RTSP/1.0 200 OK
CSeq: 1
Date: Sat, Mar 02 2024 10:00:00 GMT
Public: OPTIONS, DESCRIBE, SETUP, TEARDOWN, PLAY, PAUSE, GET_PARAMETER, SET_PARAMETER

)"},
      {"DESCRIBE",
       R"(DESCRIBE rtsp://192.168.1.48:8554/test.264 RTSP/1.0
CSeq: 2
User-Agent: rtsp-streamer/0.1
Accept: application/sdp

)",
       R"(RTSP/1.0 200 OK
CSeq: 2
Date: Sat, Mar 02 2024 10:00:00 GMT
Content-Base: rtsp://192.168.1.48:8554/test.264/
Content-Type: application/sdp

v=0
o=- 1709373600123456 1 IN IP4 192.168.1.48
s=H.264 Video, streamed by the LIVE555 Media Server
i=test.264
t=0 0
a=tool:LIVE555 Streaming Media v2020.01.11
a=type:broadcast
a=control:*
a=range:npt=0-
a=x-qt-text-nam:H.264 Video, streamed by the LIVE555 Media Server
a=x-qt-text-inf:test.264
m=video 0 RTP/AVP 96
c=IN IP4 0.0.0.0
b=AS:500
a=rtpmap:96 H264/90000
a=fmtp:96 packetization-mode=1;profile-level-id=640033;sprop-parameter-sets=Z2QAM6zoAoALWQ==,aO48MA==
a=control:track1
)"},
      {"SETUP 0 RTP/AVP;unicast;client_port=56120-56121",
       R"(SETUP rtsp://192.168.1.48:8554/test.264/track1 RTSP/1.0
CSeq: 3
User-Agent: rtsp-streamer/0.1
Transport: RTP/AVP;unicast;client_port=56120-56121

)",
       R"(RTSP/1.0 200 OK
CSeq: 3
Date: Sat, Mar 02 2024 10:00:00 GMT
Transport: RTP/AVP;unicast;destination=192.168.1.20;source=192.168.1.48;client_port=56120-56121;server_port=6970-6971
Session: 5AB6F7E1;timeout=65

)"},
      {"PLAY",
       R"(PLAY rtsp://192.168.1.48:8554/test.264/ RTSP/1.0
CSeq: 4
User-Agent: rtsp-streamer/0.1
Range: npt=0.000-
Session: 5AB6F7E1

)",
       R"(RTSP/1.0 200 OK
CSeq: 4
Date: Sat, Mar 02 2024 10:00:00 GMT
Range: npt=0.000-
Session: 5AB6F7E1
RTP-Info: url=rtsp://192.168.1.48:8554/test.264/track1;seq=26578;rtptime=3134004651

)"},
      {"GET_PARAMETER",
       R"(GET_PARAMETER rtsp://192.168.1.48:8554/test.264/ RTSP/1.0
CSeq: 5
User-Agent: rtsp-streamer/0.1
Session: 5AB6F7E1

)",
       R"(RTSP/1.0 200 OK
CSeq: 5
Date: Sat, Mar 02 2024 10:00:30 GMT
Session: 5AB6F7E1

2020.01.11)"},
      {"TEARDOWN",
       R"(TEARDOWN rtsp://192.168.1.48:8554/test.264/ RTSP/1.0
CSeq: 6
User-Agent: rtsp-streamer/0.1
Session: 5AB6F7E1

)",
       R"(RTSP/1.0 200 OK
CSeq: 6
Date: Sat, Mar 02 2024 10:00:31 GMT

)"}},
     {{media::Codec::H264, "rtsp://192.168.1.48:8554/test.264/track1",
       "RTP/AVP;unicast;destination=192.168.1.20;source=192.168.1.48;client_port=56120-56121;"
       "server_port=6970-6971",
       26578, 3134004651}},
     "5AB6F7E1",
     65,
     "rtsp://192.168.1.48:8554/test.264/"},

    {"gst-rtsp-server: stream=0 controls under Content-Base, absolute session control, h265+opus",
     "rtsp://127.0.0.1:8554/test",
     {{"OPTIONS",
       R"(OPTIONS rtsp://127.0.0.1:8554/test RTSP/1.0
CSeq: 1
User-Agent: rtsp-streamer/0.1

)",
       R"(RTSP/1.0 200 OK
CSeq: 1
Public: OPTIONS, DESCRIBE, ANNOUNCE, GET_PARAMETER, PAUSE, PLAY, RECORD, SETUP, SET_PARAMETER, TEARDOWN
Server: GStreamer RTSP server
Date: Mon, 04 Mar 2024 12:00:00 GMT

)"},
      {"DESCRIBE",
       R"(DESCRIBE rtsp://127.0.0.1:8554/test RTSP/1.0
CSeq: 2
User-Agent: rtsp-streamer/0.1
Accept: application/sdp

)",
       R"(RTSP/1.0 200 OK
CSeq: 2
Content-Type: application/sdp
Content-Base: rtsp://127.0.0.1:8554/test/
Server: GStreamer RTSP server
Date: Mon, 04 Mar 2024 12:00:00 GMT

v=0
o=- 1188340656180883 1 IN IP4 127.0.0.1
s=Session streamed with GStreamer
i=rtsp-server
t=0 0
a=tool:GStreamer
a=type:broadcast
a=range:npt=now-
a=control:rtsp://127.0.0.1:8554/test
m=video 0 RTP/AVP 96
c=IN IP4 0.0.0.0
a=rtpmap:96 H265/90000
a=fmtp:96 sprop-vps=QAEMAf//AWAAAAMAsAAAAwAAAwB4FwJA;sprop-pps=RAHAcvBTJA==
a=control:stream=0
a=ts-refclk:local
a=mediaclk:sender
m=audio 0 RTP/AVP 97
c=IN IP4 0.0.0.0
a=rtpmap:97 OPUS/48000/2
a=fmtp:97 sprop-stereo=0
a=control:stream=1
a=ts-refclk:local
a=mediaclk:sender
)"},
      {"SETUP 0 RTP/AVP/TCP;unicast;interleaved=0-1",
       R"(SETUP rtsp://127.0.0.1:8554/test/stream=0 RTSP/1.0
CSeq: 3
User-Agent: rtsp-streamer/0.1
Transport: RTP/AVP/TCP;unicast;interleaved=0-1

)",
       R"(RTSP/1.0 200 OK
CSeq: 3
Transport: RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=6E5ECA3F;mode="PLAY"
Server: GStreamer RTSP server
Session: IXRj4AHKq1-UvJ-m;timeout=60
Date: Mon, 04 Mar 2024 12:00:00 GMT

)"},
      {"SETUP 1 RTP/AVP/TCP;unicast;interleaved=2-3",
       R"(SETUP rtsp://127.0.0.1:8554/test/stream=1 RTSP/1.0
CSeq: 4
User-Agent: rtsp-streamer/0.1
Transport: RTP/AVP/TCP;unicast;interleaved=2-3
Session: IXRj4AHKq1-UvJ-m

)",
       R"(RTSP/1.0 200 OK
CSeq: 4
Transport: RTP/AVP/TCP;unicast;interleaved=2-3;ssrc=8C8D1D2A;mode="PLAY"
Server: GStreamer RTSP server
Session: IXRj4AHKq1-UvJ-m;timeout=60
Date: Mon, 04 Mar 2024 12:00:00 GMT

)"},
      {"PLAY",
       R"(PLAY rtsp://127.0.0.1:8554/test RTSP/1.0
CSeq: 5
User-Agent: rtsp-streamer/0.1
Range: npt=0.000-
Session: IXRj4AHKq1-UvJ-m

)",
       R"(RTSP/1.0 200 OK
CSeq: 5
RTP-Info: url=rtsp://127.0.0.1:8554/test/stream=0;seq=32365;rtptime=3216489497, url=rtsp://127.0.0.1:8554/test/stream=1;seq=12003;rtptime=2750372010
Range: npt=now-
Server: GStreamer RTSP server
Session: IXRj4AHKq1-UvJ-m;timeout=60
Date: Mon, 04 Mar 2024 12:00:00 GMT

)"},
      {"GET_PARAMETER",
       R"(GET_PARAMETER rtsp://127.0.0.1:8554/test RTSP/1.0
CSeq: 6
User-Agent: rtsp-streamer/0.1
Session: IXRj4AHKq1-UvJ-m

)",
       R"(RTSP/1.0 200 OK
CSeq: 6
Server: GStreamer RTSP server
Session: IXRj4AHKq1-UvJ-m;timeout=60
Date: Mon, 04 Mar 2024 12:00:30 GMT

)"},
      {"TEARDOWN",
       R"(TEARDOWN rtsp://127.0.0.1:8554/test RTSP/1.0
CSeq: 7
User-Agent: rtsp-streamer/0.1
Session: IXRj4AHKq1-UvJ-m

)",
       R"(RTSP/1.0 200 OK
CSeq: 7
Server: GStreamer RTSP server
Session: IXRj4AHKq1-UvJ-m;timeout=60
Connection: close
Date: Mon, 04 Mar 2024 12:00:31 GMT

)"}},
     {{media::Codec::H265, "rtsp://127.0.0.1:8554/test/stream=0",
       "RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=6E5ECA3F;mode=play", 32365, 3216489497},
      {media::Codec::Opus, "rtsp://127.0.0.1:8554/test/stream=1",
       "RTP/AVP/TCP;unicast;interleaved=2-3;ssrc=8C8D1D2A;mode=play", 12003, 2750372010}},
     "IXRj4AHKq1-UvJ-m",
     60,
     "rtsp://127.0.0.1:8554/test"},

    {"mediamtx: trackID=0 under Content-Base, no session control",
     "rtsp://localhost:8554/mystream",
     {{"OPTIONS",
       R"(OPTIONS rtsp://localhost:8554/mystream RTSP/1.0
CSeq: 1
User-Agent: rtsp-streamer/0.1

)",
       R"(RTSP/1.0 200 OK
CSeq: 1
Public: DESCRIBE, ANNOUNCE, SETUP, PLAY, RECORD, PAUSE, GET_PARAMETER, TEARDOWN
Server: gortsplib

)"},
      {"DESCRIBE",
       R"(DESCRIBE rtsp://localhost:8554/mystream RTSP/1.0
CSeq: 2
User-Agent: rtsp-streamer/0.1
Accept: application/sdp

)",
       R"(RTSP/1.0 200 OK
CSeq: 2
Content-Base: rtsp://localhost:8554/mystream/
Content-Type: application/sdp
Server: gortsplib

v=0
o=- 0 0 IN IP4 127.0.0.1
s=Stream
c=IN IP4 0.0.0.0
t=0 0
m=video 0 RTP/AVP 96
a=control:trackID=0
a=rtpmap:96 H264/90000
a=fmtp:96 packetization-mode=1; sprop-parameter-sets=Z2QAM6zoAoALWQ==,aO48MA==; profile-level-id=640033
m=audio 0 RTP/AVP 97
a=control:trackID=1
a=rtpmap:97 mpeg4-generic/48000/2
a=fmtp:97 config=1190; indexdeltalength=3; indexlength=3; mode=AAC-hbr; profile-level-id=1; sizelength=13; streamtype=5
)"},
      {"SETUP 0 RTP/AVP/TCP;unicast;interleaved=0-1",
       R"(SETUP rtsp://localhost:8554/mystream/trackID=0 RTSP/1.0
CSeq: 3
User-Agent: rtsp-streamer/0.1
Transport: RTP/AVP/TCP;unicast;interleaved=0-1

)",
       R"(RTSP/1.0 200 OK
CSeq: 3
Server: gortsplib
Session: 5c2a0e3f6d;timeout=60
Transport: RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=8E2C1E62

)"},
      {"SETUP 1 RTP/AVP/TCP;unicast;interleaved=2-3",
       R"(SETUP rtsp://localhost:8554/mystream/trackID=1 RTSP/1.0
CSeq: 4
User-Agent: rtsp-streamer/0.1
Transport: RTP/AVP/TCP;unicast;interleaved=2-3
Session: 5c2a0e3f6d

)",
       R"(RTSP/1.0 200 OK
CSeq: 4
Server: gortsplib
Session: 5c2a0e3f6d;timeout=60
Transport: RTP/AVP/TCP;unicast;interleaved=2-3;ssrc=3D05A7C9

)"},
      {"PLAY",
       R"(PLAY rtsp://localhost:8554/mystream/ RTSP/1.0
CSeq: 5
User-Agent: rtsp-streamer/0.1
Range: npt=0.000-
Session: 5c2a0e3f6d

)",
       R"(RTSP/1.0 200 OK
CSeq: 5
RTP-Info: url=rtsp://localhost:8554/mystream/trackID=0;seq=29535;rtptime=1290213413,url=rtsp://localhost:8554/mystream/trackID=1;seq=6443;rtptime=3502946162
Server: gortsplib
Session: 5c2a0e3f6d;timeout=60

)"},
      {"GET_PARAMETER",
       R"(GET_PARAMETER rtsp://localhost:8554/mystream/ RTSP/1.0
CSeq: 6
User-Agent: rtsp-streamer/0.1
Session: 5c2a0e3f6d

)",
       R"(RTSP/1.0 200 OK
CSeq: 6
Server: gortsplib
Session: 5c2a0e3f6d;timeout=60

)"},
      {"TEARDOWN",
       R"(TEARDOWN rtsp://localhost:8554/mystream/ RTSP/1.0
CSeq: 7
User-Agent: rtsp-streamer/0.1
Session: 5c2a0e3f6d

)",
       R"(RTSP/1.0 200 OK
CSeq: 7
Server: gortsplib

)"}},
     {{media::Codec::H264, "rtsp://localhost:8554/mystream/trackID=0",
       "RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=8E2C1E62", 29535, 1290213413},
      {media::Codec::Aac, "rtsp://localhost:8554/mystream/trackID=1",
       "RTP/AVP/TCP;unicast;interleaved=2-3;ssrc=3D05A7C9", 6443, 3502946162}},
     "5c2a0e3f6d",
     60,
     "rtsp://localhost:8554/mystream/"},

    {"ffmpeg sdp without Content-Base or Content-Type: streamid=N appended to the request url, "
     "Session without timeout, no RTP-Info",
     "rtsp://10.0.0.5:8554/live",
     {{"DESCRIBE",
       R"(DESCRIBE rtsp://10.0.0.5:8554/live RTSP/1.0
CSeq: 1
User-Agent: rtsp-streamer/0.1
Accept: application/sdp

)",
       R"(RTSP/1.0 200 OK
CSeq: 1

v=0
o=- 0 0 IN IP4 127.0.0.1
s=No Name
c=IN IP4 0.0.0.0
t=0 0
a=tool:libavformat 59.27.100
m=video 0 RTP/AVP 96
b=AS:253
a=rtpmap:96 H264/90000
a=fmtp:96 packetization-mode=1; sprop-parameter-sets=J2QAHqxWgKA9pqAgIMBA,KO48sA==; profile-level-id=64001E
a=control:streamid=0
m=audio 0 RTP/AVP 97
b=AS:189
a=rtpmap:97 MPEG4-GENERIC/48000/1
a=fmtp:97 profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3; config=118856E500
a=control:streamid=1
)"},
      {"SETUP 0 RTP/AVP;unicast;client_port=5000-5001",
       R"(SETUP rtsp://10.0.0.5:8554/live/streamid=0 RTSP/1.0
CSeq: 2
User-Agent: rtsp-streamer/0.1
Transport: RTP/AVP;unicast;client_port=5000-5001

)",
       R"(RTSP/1.0 200 OK
CSeq: 2
Session: 12345678
Transport: RTP/AVP/UDP;unicast;client_port=5000-5001;server_port=5002-5003

)"},
      {"SETUP 1 RTP/AVP;unicast;client_port=5004-5005",
       R"(SETUP rtsp://10.0.0.5:8554/live/streamid=1 RTSP/1.0
CSeq: 3
User-Agent: rtsp-streamer/0.1
Transport: RTP/AVP;unicast;client_port=5004-5005
Session: 12345678

)",
       R"(RTSP/1.0 200 OK
CSeq: 3
Session: 12345678
Transport: RTP/AVP/UDP;unicast;client_port=5004-5005;server_port=5006-5007

)"},
      {"PLAY",
       R"(PLAY rtsp://10.0.0.5:8554/live RTSP/1.0
CSeq: 4
User-Agent: rtsp-streamer/0.1
Range: npt=0.000-
Session: 12345678

)",
       R"(RTSP/1.0 200 OK
CSeq: 4
Session: 12345678

)"},
      {"TEARDOWN",
       R"(TEARDOWN rtsp://10.0.0.5:8554/live RTSP/1.0
CSeq: 5
User-Agent: rtsp-streamer/0.1
Session: 12345678

)",
       R"(RTSP/1.0 200 OK
CSeq: 5

)"}},
     {{media::Codec::H264, "rtsp://10.0.0.5:8554/live/streamid=0",
       "RTP/AVP;unicast;client_port=5000-5001;server_port=5002-5003", std::nullopt, std::nullopt},
      {media::Codec::Aac, "rtsp://10.0.0.5:8554/live/streamid=1",
       "RTP/AVP;unicast;client_port=5004-5005;server_port=5006-5007", std::nullopt, std::nullopt}},
     "12345678",
     60,
     "rtsp://10.0.0.5:8554/live"},

    {"our edge (rtsp::ServerSession): trackID=N under Content-Base, Session timeout=30",
     "rtsp://edge-a:8554/cam1",
     {{"OPTIONS",
       R"(OPTIONS rtsp://edge-a:8554/cam1 RTSP/1.0
CSeq: 1
User-Agent: rtsp-streamer/0.1

)",
       R"(RTSP/1.0 200 OK
CSeq: 1
Server: rtsp-streamer/0.1
Public: OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER

)"},
      {"DESCRIBE",
       R"(DESCRIBE rtsp://edge-a:8554/cam1 RTSP/1.0
CSeq: 2
User-Agent: rtsp-streamer/0.1
Accept: application/sdp

)",
       R"(RTSP/1.0 200 OK
CSeq: 2
Server: rtsp-streamer/0.1
Content-Base: rtsp://edge-a:8554/cam1/
Content-Type: application/sdp

v=0
o=- 42 1 IN IP4 10.0.0.7
s=cam1
c=IN IP4 0.0.0.0
t=0 0
a=control:*
a=range:npt=now-
m=video 0 RTP/AVP 96
a=rtpmap:96 H264/90000
a=fmtp:96 packetization-mode=1;profile-level-id=64001f;sprop-parameter-sets=Z2QAH6yyAKALdgIgAAADACAAAAeR4wZJ,aOvDyyLA
a=framerate:30
a=control:trackID=0
m=audio 0 RTP/AVP 97
a=rtpmap:97 mpeg4-generic/48000/2
a=fmtp:97 streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=119056e500
a=control:trackID=1
)"},
      {"SETUP 0 RTP/AVP/TCP;unicast;interleaved=0-1",
       R"(SETUP rtsp://edge-a:8554/cam1/trackID=0 RTSP/1.0
CSeq: 3
User-Agent: rtsp-streamer/0.1
Transport: RTP/AVP/TCP;unicast;interleaved=0-1

)",
       R"(RTSP/1.0 200 OK
CSeq: 3
Server: rtsp-streamer/0.1
Transport: RTP/AVP/TCP;unicast;interleaved=0-1
Session: A1B2C3D4E5F60708;timeout=30

)"},
      {"SETUP 1 RTP/AVP/TCP;unicast;interleaved=2-3",
       R"(SETUP rtsp://edge-a:8554/cam1/trackID=1 RTSP/1.0
CSeq: 4
User-Agent: rtsp-streamer/0.1
Transport: RTP/AVP/TCP;unicast;interleaved=2-3
Session: A1B2C3D4E5F60708

)",
       R"(RTSP/1.0 200 OK
CSeq: 4
Server: rtsp-streamer/0.1
Transport: RTP/AVP/TCP;unicast;interleaved=2-3
Session: A1B2C3D4E5F60708;timeout=30

)"},
      {"PLAY",
       R"(PLAY rtsp://edge-a:8554/cam1/ RTSP/1.0
CSeq: 5
User-Agent: rtsp-streamer/0.1
Range: npt=0.000-
Session: A1B2C3D4E5F60708

)",
       R"(RTSP/1.0 200 OK
CSeq: 5
Server: rtsp-streamer/0.1
Session: A1B2C3D4E5F60708;timeout=30
Range: npt=now-
RTP-Info: url=rtsp://edge-a:8554/cam1/trackID=0;seq=1234;rtptime=567890,url=rtsp://edge-a:8554/cam1/trackID=1;seq=77;rtptime=480

)"},
      {"GET_PARAMETER",
       R"(GET_PARAMETER rtsp://edge-a:8554/cam1/ RTSP/1.0
CSeq: 6
User-Agent: rtsp-streamer/0.1
Session: A1B2C3D4E5F60708

)",
       R"(RTSP/1.0 200 OK
CSeq: 6
Server: rtsp-streamer/0.1
Session: A1B2C3D4E5F60708;timeout=30

)"},
      {"TEARDOWN",
       R"(TEARDOWN rtsp://edge-a:8554/cam1/ RTSP/1.0
CSeq: 7
User-Agent: rtsp-streamer/0.1
Session: A1B2C3D4E5F60708

)",
       R"(RTSP/1.0 200 OK
CSeq: 7
Server: rtsp-streamer/0.1

)"}},
     {{media::Codec::H264, "rtsp://edge-a:8554/cam1/trackID=0",
       "RTP/AVP/TCP;unicast;interleaved=0-1", 1234, 567890},
      {media::Codec::Aac, "rtsp://edge-a:8554/cam1/trackID=1",
       "RTP/AVP/TCP;unicast;interleaved=2-3", 77, 480}},
     "A1B2C3D4E5F60708",
     30,
     "rtsp://edge-a:8554/cam1/"},
};

}  // namespace rtsp::testing
