package io.agentstream.support;

import java.io.IOException;
import java.net.ServerSocket;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/** The tests' last-resort Redis: the {@code redis-server} binary of a test dependency, one per test JVM. */
final class EmbeddedRedis {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedRedis.class);

    private EmbeddedRedis() {
    }

    static String start() {
        try {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            RedisServer server = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
                    .setting("save \"\"").setting("appendonly no").build();
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.stop();
                } catch (IOException ignored) {
                    // The JVM is exiting; the server dies with its pipes.
                }
            }, "embedded-redis-stop"));
            log.info("Tests use the embedded redis-server on 127.0.0.1:{} (nothing answered on TEST_REDIS_URL)", port);
            return "redis://127.0.0.1:" + port;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start the embedded redis-server (set TEST_REDIS_URL to a Redis)", e);
        }
    }
}
