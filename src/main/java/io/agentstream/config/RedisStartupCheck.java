package io.agentstream.config;

import java.time.Duration;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;

/** One PING to REDIS_URL at start-up, bounded by a few seconds. */
final class RedisStartupCheck {

    static final Duration TIMEOUT = Duration.ofSeconds(3);

    static void verify(String url) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(TIMEOUT);
        String address = uri.getHost() + ":" + uri.getPort();
        RedisClient client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .socketOptions(SocketOptions.builder().connectTimeout(TIMEOUT).build()).build());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().ping();
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            String reason = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
            // Lettuce's messages name host and port, never the password.
            throw new RedisUnreachableException(address, reason.replaceAll("\\s+", " ").strip(), e);
        } finally {
            client.shutdown(Duration.ZERO, TIMEOUT);
        }
    }
}
