// Client transcripts of IP cameras for rtsp_client_session_test (sources are listed there): the
// calls a player makes, the exact requests ClientSession must write, the camera's answers, and
// what the session must understand. Text is LF; rtsp::testing::wire() makes the bytes.
// tests/fuzz/corpus/rtsp_response/ holds these answers as fuzz seeds.
#pragma once

#include "tests/unit/rtsp_client_test_util.hpp"

namespace rtsp::testing {

inline const Transcript kCameraTranscripts[] = {
    {"hikvision: Digest MD5 on DESCRIBE, absolute controls, RTP-Info urls with a trailing '/', "
     "padded Session",
     "rtsp://admin:12345@192.168.0.221/Streaming/channels/103",
     {{"OPTIONS",
       R"(OPTIONS rtsp://192.168.0.221/Streaming/channels/103 RTSP/1.0
CSeq: 1
User-Agent: rtsp-streamer/0.1

)",
       R"(RTSP/1.0 200 OK
CSeq: 1
Public: OPTIONS, DESCRIBE, PLAY, PAUSE, SETUP, TEARDOWN, SET_PARAMETER, GET_PARAMETER
Date:  Wed, Apr 26 2023 14:04:10 GMT

)"},
      {"DESCRIBE",
       R"(DESCRIBE rtsp://192.168.0.221/Streaming/channels/103 RTSP/1.0
CSeq: 2
User-Agent: rtsp-streamer/0.1
Accept: application/sdp

)",
       R"x(RTSP/1.0 401 Unauthorized
CSeq: 2
WWW-Authenticate: Digest realm="IP Camera(C2732)", nonce="9f479ccb412b209b411039131bbfec69", stale="FALSE"
Date:  Wed, Apr 26 2023 14:04:10 GMT

)x",
       ClientReaction::Kind::RetryWithAuth},
      {"DESCRIBE",
       R"x(DESCRIBE rtsp://192.168.0.221/Streaming/channels/103 RTSP/1.0
CSeq: 3
User-Agent: rtsp-streamer/0.1
Accept: application/sdp
Authorization: Digest username="admin", realm="IP Camera(C2732)", nonce="9f479ccb412b209b411039131bbfec69", uri="rtsp://192.168.0.221/Streaming/channels/103", response="4062d2958b446b8e2eace784db4e1b56"

)x",
       R"(RTSP/1.0 200 OK
CSeq: 3
Content-Type: application/sdp
Content-Base: rtsp://192.168.0.221/Streaming/channels/103/

v=0
o=- 1628966255381873 1628966255381873 IN IP4 192.168.0.221
s=Media Presentation
e=NONE
b=AS:5050
t=0 0
a=control:rtsp://192.168.0.221/Streaming/channels/103/
m=video 0 RTP/AVP 96
c=IN IP4 0.0.0.0
b=AS:5000
a=recvonly
a=x-dimensions:640,480
a=control:rtsp://192.168.0.221/Streaming/channels/103/trackID=1
a=rtpmap:96 H264/90000
a=fmtp:96 profile-level-id=420029; packetization-mode=1; sprop-parameter-sets=Z00AH52oFAFum4CAgKAAAAMAIAAABlCA,aO48gA==
a=Media_header:MEDIAINFO=494D4B48010300000400000100000000000000000000000000000000000000000000000000000000;
a=appversion:1.0
m=audio 0 RTP/AVP 8
c=IN IP4 0.0.0.0
b=AS:50
a=recvonly
a=control:rtsp://192.168.0.221/Streaming/channels/103/trackID=2
a=rtpmap:8 PCMA/8000
a=Media_header:MEDIAINFO=494D4B48010300000400000100000000000000000000000000000000000000000000000000000000;
a=appversion:1.0
)"},
      {"SETUP 0 RTP/AVP/TCP;unicast;interleaved=0-1",
       R"x(SETUP rtsp://192.168.0.221/Streaming/channels/103/trackID=1 RTSP/1.0
CSeq: 4
User-Agent: rtsp-streamer/0.1
Transport: RTP/AVP/TCP;unicast;interleaved=0-1
Authorization: Digest username="admin", realm="IP Camera(C2732)", nonce="9f479ccb412b209b411039131bbfec69", uri="rtsp://192.168.0.221/Streaming/channels/103/trackID=1", response="2c3cdf0d0d6f02beec3252261788d9d5"

)x",
       R"(RTSP/1.0 200 OK
CSeq: 4
Session:       1299260789;timeout=60
Transport: RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=0cb32b85;mode="play"
Date:  Wed, Apr 26 2023 14:04:10 GMT

)"},
      {"SETUP 1 RTP/AVP/TCP;unicast;interleaved=2-3",
       R"x(SETUP rtsp://192.168.0.221/Streaming/channels/103/trackID=2 RTSP/1.0
CSeq: 5
User-Agent: rtsp-streamer/0.1
Transport: RTP/AVP/TCP;unicast;interleaved=2-3
Session: 1299260789
Authorization: Digest username="admin", realm="IP Camera(C2732)", nonce="9f479ccb412b209b411039131bbfec69", uri="rtsp://192.168.0.221/Streaming/channels/103/trackID=2", response="54d031003ff9b37585641c42fffeda90"

)x",
       R"(RTSP/1.0 200 OK
CSeq: 5
Session:       1299260789;timeout=60
Transport: RTP/AVP/TCP;unicast;interleaved=2-3;ssrc=529f1429;mode="play"
Date:  Wed, Apr 26 2023 14:04:10 GMT

)"},
      {"PLAY",
       R"x(PLAY rtsp://192.168.0.221/Streaming/channels/103/ RTSP/1.0
CSeq: 6
User-Agent: rtsp-streamer/0.1
Range: npt=0.000-
Session: 1299260789
Authorization: Digest username="admin", realm="IP Camera(C2732)", nonce="9f479ccb412b209b411039131bbfec69", uri="rtsp://192.168.0.221/Streaming/channels/103/", response="8501752b60e8aa6a7bdbea693996c070"

)x",
       R"(RTSP/1.0 200 OK
CSeq: 6
Session:        1299260789
RTP-Info: url=rtsp://192.168.0.221/Streaming/channels/103/trackID=1/;seq=63478;rtptime=1173688470,url=rtsp://192.168.0.221/Streaming/channels/103/trackID=2/;seq=21370;rtptime=3211360
Date:  Mon, Jul 05 2021 17:56:55 GMT

)"},
      {"GET_PARAMETER",
       R"x(GET_PARAMETER rtsp://192.168.0.221/Streaming/channels/103/ RTSP/1.0
CSeq: 7
User-Agent: rtsp-streamer/0.1
Session: 1299260789
Authorization: Digest username="admin", realm="IP Camera(C2732)", nonce="9f479ccb412b209b411039131bbfec69", uri="rtsp://192.168.0.221/Streaming/channels/103/", response="8d84196857977f24a911e88beb4a430e"

)x",
       R"(RTSP/1.0 200 OK
CSeq: 7
Date:  Mon, Jul 05 2021 17:57:25 GMT

)"},
      {"TEARDOWN",
       R"x(TEARDOWN rtsp://192.168.0.221/Streaming/channels/103/ RTSP/1.0
CSeq: 8
User-Agent: rtsp-streamer/0.1
Session: 1299260789
Authorization: Digest username="admin", realm="IP Camera(C2732)", nonce="9f479ccb412b209b411039131bbfec69", uri="rtsp://192.168.0.221/Streaming/channels/103/", response="972fa08e895ad4d49f9e5096cce16afb"

)x",
       R"(RTSP/1.0 200 OK
CSeq: 8
Date:  Mon, Jul 05 2021 17:57:30 GMT

)"}},
     {{media::Codec::H264, "rtsp://192.168.0.221/Streaming/channels/103/trackID=1",
       "RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=0CB32B85;mode=play", 63478, 1173688470},
      {media::Codec::Pcma, "rtsp://192.168.0.221/Streaming/channels/103/trackID=2",
       "RTP/AVP/TCP;unicast;interleaved=2-3;ssrc=529F1429;mode=play", 21370, 3211360}},
     "1299260789",
     60,
     "rtsp://192.168.0.221/Streaming/channels/103/"},

    {"dahua: Digest on OPTIONS, Content-Base ending in '?...subtype=0/', relative trackID, udp",
     "rtsp://admin:admin123@192.168.0.141:554/cam/realmonitor?channel=1&subtype=0",
     {{"OPTIONS",
       R"(OPTIONS rtsp://192.168.0.141:554/cam/realmonitor?channel=1&subtype=0 RTSP/1.0
CSeq: 1
User-Agent: rtsp-streamer/0.1

)",
       R"(RTSP/1.0 401 Unauthorized
CSeq: 1
WWW-Authenticate: Digest realm="Login to be8c87b7ecbc1c2c89f8b4da109a4f78", nonce="1ae117ce84194f06b41c1557c008dc31"

)",
       ClientReaction::Kind::RetryWithAuth},
      {"OPTIONS",
       R"(OPTIONS rtsp://192.168.0.141:554/cam/realmonitor?channel=1&subtype=0 RTSP/1.0
CSeq: 2
User-Agent: rtsp-streamer/0.1
Authorization: Digest username="admin", realm="Login to be8c87b7ecbc1c2c89f8b4da109a4f78", nonce="1ae117ce84194f06b41c1557c008dc31", uri="rtsp://192.168.0.141:554/cam/realmonitor?channel=1&subtype=0", response="fcde779aa1c6a5b955823f59ca6e9df2"

)",
       R"(RTSP/1.0 200 OK
CSeq: 2
Server: Rtsp Server/3.0
Public: OPTIONS, DESCRIBE, ANNOUNCE, SETUP, PLAY, RECORD, PAUSE, TEARDOWN, SET_PARAMETER, GET_PARAMETER

)"},
      {"DESCRIBE",
       R"(DESCRIBE rtsp://192.168.0.141:554/cam/realmonitor?channel=1&subtype=0 RTSP/1.0
CSeq: 3
User-Agent: rtsp-streamer/0.1
Accept: application/sdp
Authorization: Digest username="admin", realm="Login to be8c87b7ecbc1c2c89f8b4da109a4f78", nonce="1ae117ce84194f06b41c1557c008dc31", uri="rtsp://192.168.0.141:554/cam/realmonitor?channel=1&subtype=0", response="56d6ece37fbb6856aea8886c91a738b4"

)",
       R"(RTSP/1.0 200 OK
CSeq: 3
x-Accept-Dynamic-Rate: 1
Content-Base: rtsp://192.168.0.141:554/cam/realmonitor?channel=1&subtype=0/
Cache-Control: must-revalidate
Content-Type: application/sdp

v=0
o=- 2251938508 2251938508 IN IP4 0.0.0.0
s=Media Server
c=IN IP4 0.0.0.0
t=0 0
a=control:*
a=packetization-supported:DH
a=rtppayload-supported:DH
a=range:npt=now-
m=video 0 RTP/AVP 96
a=control:trackID=0
a=framerate:10.000000
a=rtpmap:96 H264/90000
a=fmtp:96 packetization-mode=1;profile-level-id=4D4028;sprop-parameter-sets=Z01AKKaAeAIn5UAA,aO48gAA=
a=recvonly
m=audio 0 RTP/AVP 8
a=control:trackID=1
a=rtpmap:8 PCMA/8000
a=recvonly
)"},
      {"SETUP 0 RTP/AVP;unicast;client_port=50000-50001",
       R"(SETUP rtsp://192.168.0.141:554/cam/realmonitor?channel=1&subtype=0/trackID=0 RTSP/1.0
CSeq: 4
User-Agent: rtsp-streamer/0.1
Transport: RTP/AVP;unicast;client_port=50000-50001
Authorization: Digest username="admin", realm="Login to be8c87b7ecbc1c2c89f8b4da109a4f78", nonce="1ae117ce84194f06b41c1557c008dc31", uri="rtsp://192.168.0.141:554/cam/realmonitor?channel=1&subtype=0/trackID=0", response="d46bf677613faa0f47dd4d310635749a"

)",
       R"(RTSP/1.0 200 OK
CSeq: 4
Session: 1235136712;timeout=60
Transport: RTP/AVP/UDP;unicast;client_port=50000-50001;server_port=40000-40001;ssrc=5D2A1E2B
x-Dynamic-Rate: 1

)"},
      {"SETUP 1 RTP/AVP;unicast;client_port=50002-50003",
       R"(SETUP rtsp://192.168.0.141:554/cam/realmonitor?channel=1&subtype=0/trackID=1 RTSP/1.0
CSeq: 5
User-Agent: rtsp-streamer/0.1
Transport: RTP/AVP;unicast;client_port=50002-50003
Session: 1235136712
Authorization: Digest username="admin", realm="Login to be8c87b7ecbc1c2c89f8b4da109a4f78", nonce="1ae117ce84194f06b41c1557c008dc31", uri="rtsp://192.168.0.141:554/cam/realmonitor?channel=1&subtype=0/trackID=1", response="e034e6bec276a01ff0b1f09775c88b18"

)",
       R"(RTSP/1.0 200 OK
CSeq: 5
Session: 1235136712;timeout=60
Transport: RTP/AVP/UDP;unicast;client_port=50002-50003;server_port=40002-40003;ssrc=0E5C77A1
x-Dynamic-Rate: 1

)"},
      {"PLAY",
       R"(PLAY rtsp://192.168.0.141:554/cam/realmonitor?channel=1&subtype=0/ RTSP/1.0
CSeq: 6
User-Agent: rtsp-streamer/0.1
Range: npt=0.000-
Session: 1235136712
Authorization: Digest username="admin", realm="Login to be8c87b7ecbc1c2c89f8b4da109a4f78", nonce="1ae117ce84194f06b41c1557c008dc31", uri="rtsp://192.168.0.141:554/cam/realmonitor?channel=1&subtype=0/", response="29eba2d73f6cecc494a66c378b7ea323"

)",
       R"(RTSP/1.0 200 OK
CSeq: 6
Session: 1235136712
Range: npt=0.000000-
RTP-Info: url=rtsp://192.168.0.141:554/cam/realmonitor?channel=1&subtype=0/trackID=0;seq=17923;rtptime=2442862216,url=rtsp://192.168.0.141:554/cam/realmonitor?channel=1&subtype=0/trackID=1;seq=50412;rtptime=1184301

)"},
      {"TEARDOWN",
       R"(TEARDOWN rtsp://192.168.0.141:554/cam/realmonitor?channel=1&subtype=0/ RTSP/1.0
CSeq: 7
User-Agent: rtsp-streamer/0.1
Session: 1235136712
Authorization: Digest username="admin", realm="Login to be8c87b7ecbc1c2c89f8b4da109a4f78", nonce="1ae117ce84194f06b41c1557c008dc31", uri="rtsp://192.168.0.141:554/cam/realmonitor?channel=1&subtype=0/", response="0d1d8a0b6b8f9c9eba16506a2fa9d4e2"

)",
       R"(RTSP/1.0 200 OK
CSeq: 7
Session: 1235136712

)"}},
     {{media::Codec::H264, "rtsp://192.168.0.141:554/cam/realmonitor?channel=1&subtype=0/trackID=0",
       "RTP/AVP;unicast;client_port=50000-50001;server_port=40000-40001;ssrc=5D2A1E2B", 17923,
       2442862216},
      {media::Codec::Pcma, "rtsp://192.168.0.141:554/cam/realmonitor?channel=1&subtype=0/trackID=1",
       "RTP/AVP;unicast;client_port=50002-50003;server_port=40002-40003;ssrc=0E5C77A1", 50412,
       1184301}},
     "1235136712",
     60,
     "rtsp://192.168.0.141:554/cam/realmonitor?channel=1&subtype=0/"},

    {"axis: Basic, absolute controls with a query, RTP-Info entries after ', ', OPTIONS keep-alive",
     "rtsp://root:pass@192.168.0.90/axis-media/media.amp?videocodec=h264",
     {{"DESCRIBE",
       R"(DESCRIBE rtsp://192.168.0.90/axis-media/media.amp?videocodec=h264 RTSP/1.0
CSeq: 1
User-Agent: rtsp-streamer/0.1
Accept: application/sdp

)",
       R"(RTSP/1.0 401 Unauthorized
CSeq: 1
WWW-Authenticate: Basic realm="AXIS_ACCC8E000000"
Date: Tue, 05 Mar 2024 09:12:01 GMT

)",
       ClientReaction::Kind::RetryWithAuth},
      {"DESCRIBE",
       R"(DESCRIBE rtsp://192.168.0.90/axis-media/media.amp?videocodec=h264 RTSP/1.0
CSeq: 2
User-Agent: rtsp-streamer/0.1
Accept: application/sdp
Authorization: Basic cm9vdDpwYXNz

)",
       R"(RTSP/1.0 200 OK
CSeq: 2
Content-Type: application/sdp
Content-Base: rtsp://192.168.0.90/axis-media/media.amp/
Date: Tue, 05 Mar 2024 09:12:01 GMT

v=0
o=- 7393543437312785133 1 IN IP4 192.168.0.90
s=Session streamed with GStreamer
i=rtsp-server
t=0 0
a=tool:GStreamer
a=type:broadcast
a=range:npt=now-
a=control:rtsp://192.168.0.90/axis-media/media.amp?videocodec=h264
m=video 0 RTP/AVP 96
c=IN IP4 0.0.0.0
b=AS:50000
a=rtpmap:96 H264/90000
a=fmtp:96 packetization-mode=1;profile-level-id=4d0029;sprop-parameter-sets=Z00AH52oFAFum4CAgKAAAAMAIAAABlCA,aO48gA==
a=ts-refclk:local
a=mediaclk:sender
a=recvonly
a=control:rtsp://192.168.0.90/axis-media/media.amp/stream=0?videocodec=h264
a=framerate:30.000000
m=audio 0 RTP/AVP 97
c=IN IP4 0.0.0.0
b=AS:32
a=rtpmap:97 MPEG4-GENERIC/16000/1
a=fmtp:97 streamtype=5;profile-level-id=2;mode=AAC-hbr;config=1408;sizelength=13;indexlength=3;indexdeltalength=3
a=recvonly
a=control:rtsp://192.168.0.90/axis-media/media.amp/stream=1?videocodec=h264
)"},
      {"SETUP 0 RTP/AVP/TCP;unicast;interleaved=0-1",
       R"(SETUP rtsp://192.168.0.90/axis-media/media.amp/stream=0?videocodec=h264 RTSP/1.0
CSeq: 3
User-Agent: rtsp-streamer/0.1
Transport: RTP/AVP/TCP;unicast;interleaved=0-1
Authorization: Basic cm9vdDpwYXNz

)",
       R"(RTSP/1.0 200 OK
CSeq: 3
Transport: RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=1E7AD5F5;mode="PLAY"
Session: 0lxbQyiQkPGGJV0z;timeout=60
Date: Tue, 05 Mar 2024 09:12:01 GMT

)"},
      {"SETUP 1 RTP/AVP/TCP;unicast;interleaved=2-3",
       R"(SETUP rtsp://192.168.0.90/axis-media/media.amp/stream=1?videocodec=h264 RTSP/1.0
CSeq: 4
User-Agent: rtsp-streamer/0.1
Transport: RTP/AVP/TCP;unicast;interleaved=2-3
Session: 0lxbQyiQkPGGJV0z
Authorization: Basic cm9vdDpwYXNz

)",
       R"(RTSP/1.0 200 OK
CSeq: 4
Transport: RTP/AVP/TCP;unicast;interleaved=2-3;ssrc=7C3E6F0A;mode="PLAY"
Session: 0lxbQyiQkPGGJV0z;timeout=60
Date: Tue, 05 Mar 2024 09:12:01 GMT

)"},
      {"PLAY",
       R"(PLAY rtsp://192.168.0.90/axis-media/media.amp?videocodec=h264 RTSP/1.0
CSeq: 5
User-Agent: rtsp-streamer/0.1
Range: npt=0.000-
Session: 0lxbQyiQkPGGJV0z
Authorization: Basic cm9vdDpwYXNz

)",
       R"(RTSP/1.0 200 OK
CSeq: 5
RTP-Info: url=rtsp://192.168.0.90/axis-media/media.amp/stream=0?videocodec=h264;seq=18305;rtptime=1708425577, url=rtsp://192.168.0.90/axis-media/media.amp/stream=1?videocodec=h264;seq=2311;rtptime=1422531245
Range: npt=now-
Session: 0lxbQyiQkPGGJV0z;timeout=60
Date: Tue, 05 Mar 2024 09:12:01 GMT

)"},
      {"OPTIONS",
       R"(OPTIONS rtsp://192.168.0.90/axis-media/media.amp?videocodec=h264 RTSP/1.0
CSeq: 6
User-Agent: rtsp-streamer/0.1
Session: 0lxbQyiQkPGGJV0z
Authorization: Basic cm9vdDpwYXNz

)",
       R"(RTSP/1.0 200 OK
CSeq: 6
Public: OPTIONS, DESCRIBE, ANNOUNCE, GET_PARAMETER, PAUSE, PLAY, RECORD, SETUP, SET_PARAMETER, TEARDOWN
Date: Tue, 05 Mar 2024 09:12:31 GMT

)"},
      {"TEARDOWN",
       R"(TEARDOWN rtsp://192.168.0.90/axis-media/media.amp?videocodec=h264 RTSP/1.0
CSeq: 7
User-Agent: rtsp-streamer/0.1
Session: 0lxbQyiQkPGGJV0z
Authorization: Basic cm9vdDpwYXNz

)",
       R"(RTSP/1.0 200 OK
CSeq: 7
Date: Tue, 05 Mar 2024 09:12:35 GMT

)"}},
     {{media::Codec::H264, "rtsp://192.168.0.90/axis-media/media.amp/stream=0?videocodec=h264",
       "RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=1E7AD5F5;mode=play", 18305, 1708425577},
      {media::Codec::Aac, "rtsp://192.168.0.90/axis-media/media.amp/stream=1?videocodec=h264",
       "RTP/AVP/TCP;unicast;interleaved=2-3;ssrc=7C3E6F0A;mode=play", 2311, 1422531245}},
     "0lxbQyiQkPGGJV0z",
     60,
     "rtsp://192.168.0.90/axis-media/media.amp?videocodec=h264"},
};

}  // namespace rtsp::testing
