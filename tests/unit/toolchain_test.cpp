// The project's packages work together in one binary: a real gRPC call over loopback, a ZeroMQ
// PUB/SUB round trip, OpenCV drawing and the libx264 encoder through libavcodec.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>
#include <zmq.hpp>
#include <zmq_addon.hpp>

extern "C" {
#include <libavcodec/avcodec.h>
}

#include "toolchain_smoke.grpc.pb.h"

namespace {

class EchoService final : public rs::smoke::Echo::Service {
  grpc::Status Say(grpc::ServerContext*, const rs::smoke::EchoRequest* request,
                   rs::smoke::EchoReply* reply) override {
    reply->set_text("echo: " + request->text());
    return grpc::Status::OK;
  }
};

TEST(Toolchain, GrpcCallOverLoopback) {
  EchoService service;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  auto server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  ASSERT_GT(port, 0);
  auto channel =
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
  auto stub = rs::smoke::Echo::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  rs::smoke::EchoRequest request;
  request.set_text("hello");
  rs::smoke::EchoReply reply;
  const grpc::Status status = stub->Say(&context, request, &reply);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(reply.text(), "echo: hello");
  server->Shutdown();
}

TEST(Toolchain, ZeroMqPubSubRoundTrip) {
  zmq::context_t context;
  zmq::socket_t pub(context, zmq::socket_type::pub);
  pub.bind("tcp://127.0.0.1:*");
  const std::string endpoint = pub.get(zmq::sockopt::last_endpoint);
  zmq::socket_t sub(context, zmq::socket_type::sub);
  sub.set(zmq::sockopt::subscribe, "v1/");
  sub.set(zmq::sockopt::rcvtimeo, 100);
  sub.connect(endpoint);
  std::vector<zmq::message_t> parts;
  // PUB drops until the subscription has propagated: retry for up to 5 s.
  for (int i = 0; i < 50 && parts.empty(); ++i) {
    std::array<zmq::const_buffer, 2> out = {zmq::str_buffer("v1/cam1"), zmq::str_buffer("payload")};
    zmq::send_multipart(pub, out);
    (void)zmq::recv_multipart(sub, std::back_inserter(parts));
  }
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].to_string(), "v1/cam1");
  EXPECT_EQ(parts[1].to_string(), "payload");
}

TEST(Toolchain, OpenCvDrawsAndX264Encodes) {
  cv::Mat image(240, 320, CV_8UC3, cv::Scalar(0, 0, 0));
  cv::circle(image, {160, 120}, 50, cv::Scalar(0, 0, 255), cv::FILLED);
  EXPECT_EQ(image.at<cv::Vec3b>(120, 160), cv::Vec3b(0, 0, 255));
  cv::Mat yuv;
  cv::cvtColor(image, yuv, cv::COLOR_BGR2YUV_I420);

  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  ASSERT_NE(codec, nullptr) << "libavcodec was built without libx264";
  AVCodecContext* ctx = avcodec_alloc_context3(codec);
  ctx->width = 320;
  ctx->height = 240;
  ctx->time_base = {1, 30};
  ctx->pix_fmt = AV_PIX_FMT_YUV420P;
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "tune", "zerolatency", 0);
  av_dict_set(&opts, "preset", "ultrafast", 0);
  ASSERT_EQ(avcodec_open2(ctx, codec, &opts), 0);
  av_dict_free(&opts);
  AVFrame* frame = av_frame_alloc();
  frame->width = 320;
  frame->height = 240;
  frame->format = AV_PIX_FMT_YUV420P;
  ASSERT_EQ(av_frame_get_buffer(frame, 0), 0);
  for (int row = 0; row < 240; ++row)
    std::memcpy(frame->data[0] + row * frame->linesize[0], yuv.ptr(row), 320);
  for (int plane = 1; plane <= 2; ++plane) {
    const uint8_t* src = yuv.ptr(240) + (plane - 1) * 160 * 120;
    for (int row = 0; row < 120; ++row)
      std::memcpy(frame->data[plane] + row * frame->linesize[plane], src + row * 160, 160);
  }
  frame->pts = 0;
  ASSERT_EQ(avcodec_send_frame(ctx, frame), 0);
  ASSERT_EQ(avcodec_send_frame(ctx, nullptr), 0);
  AVPacket* packet = av_packet_alloc();
  ASSERT_EQ(avcodec_receive_packet(ctx, packet), 0);
  EXPECT_GT(packet->size, 100);
  EXPECT_TRUE(packet->flags & AV_PKT_FLAG_KEY);
  av_packet_free(&packet);
  av_frame_free(&frame);
  avcodec_free_context(&ctx);
}

}  // namespace
