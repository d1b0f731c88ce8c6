package io.agentstream.http;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * Requests the HTTP decoder refuses before any handler sees them — a request line over
 * {@code server.netty.max-initial-line-length} (414), headers over
 * {@code server.max-http-request-header-size} (431), a line that is not HTTP (400) — are
 * answered by the server with an empty body. This gives them the problem document every
 * other error has. It sits between the codec and the server's own handler and rewrites
 * only such empty answers; the connection is still closed after them, as the server does.
 */
@Component
class DecodingFailureProblems implements NettyServerCustomizer {

    @Override
    public HttpServer apply(HttpServer server) {
        return server.doOnChannelInit((observer, channel, address) -> {
            if (channel.pipeline().get(NettyPipeline.HttpCodec) != null) {
                channel.pipeline().addAfter(NettyPipeline.HttpCodec, "agentstream.decodingFailureProblems", new Rewriter());
            }
        });
    }

    static final class Rewriter extends ChannelDuplexHandler {

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof FullHttpResponse response && response.content().readableBytes() == 0
                    && isDecodingFailure(response.status())) {
                ByteBuf body = Unpooled.copiedBuffer(problem(response.status()), StandardCharsets.UTF_8);
                FullHttpResponse problem = new DefaultFullHttpResponse(response.protocolVersion(), response.status(), body);
                problem.headers().set(response.headers());
                problem.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json");
                problem.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
                response.release();
                super.write(ctx, problem, promise);
                return;
            }
            super.write(ctx, msg, promise);
        }

        private static boolean isDecodingFailure(HttpResponseStatus status) {
            return status.code() == 414 || status.code() == 431 || status.code() == 400;
        }

        private static String problem(HttpResponseStatus status) {
            return switch (status.code()) {
                case 414 -> document("uri-too-long", "URI too long", 414,
                        "The request line exceeds the server's limit (16 KB); send long filters in fewer or shorter parameters.");
                case 431 -> document("headers-too-large", "Request header fields too large", 431,
                        "The request headers exceed the server's limit (16 KB).");
                default -> document("malformed-request", "Bad request", 400, "The request is not valid HTTP.");
            };
        }

        private static String document(String type, String title, int status, String detail) {
            return "{\"type\":\"urn:problem:agentstream:" + type + "\",\"title\":\"" + title + "\",\"status\":" + status
                    + ",\"detail\":\"" + detail + "\"}";
        }
    }
}
