package io.agentstream.http;

import java.time.Duration;

import io.agentstream.problem.ApiProblem;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import reactor.core.publisher.Mono;

/**
 * Reads a request body into memory, never more than a limit: a declared Content-Length
 * above it is refused before reading, and the count is checked again while reading, for
 * chunked bodies. A body that stalls gets 408 instead of holding the connection.
 */
public final class BoundedBody {

    private BoundedBody() {
    }

    /**
     * @param limitVariable the environment variable that sets {@code maxBytes}, named in the 413
     * @param timeoutVariable the environment variable that sets {@code timeout}, named in the 408
     */
    public static Mono<byte[]> read(ServerHttpRequest request, long maxBytes, String limitVariable,
                                    Duration timeout, String timeoutVariable) {
        return join(request, maxBytes, limitVariable, timeout, timeoutVariable)
                .map(BoundedBody::drain)
                .defaultIfEmpty(new byte[0]);
    }

    /**
     * As {@link #read}, but hands over the joined buffer itself (empty when there is no
     * body), so a large body can be parsed from it without a copy. The caller releases it.
     */
    public static Mono<DataBuffer> join(ServerHttpRequest request, long maxBytes, String limitVariable,
                                        Duration timeout, String timeoutVariable) {
        long declared = request.getHeaders().getContentLength();
        if (declared > maxBytes) {
            return Mono.error(tooLarge(maxBytes, limitVariable));
        }
        return DataBufferUtils.join(request.getBody(), (int) Math.min(maxBytes, Integer.MAX_VALUE))
                .timeout(timeout, Mono.error(() -> tooSlow(timeout, timeoutVariable)))
                .onErrorMap(DataBufferLimitException.class, e -> tooLarge(maxBytes, limitVariable));
    }

    /** The buffer's bytes; the buffer is released. */
    public static byte[] drain(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return bytes;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    /** The 408 for a body that did not arrive within {@code timeout}. */
    public static ApiProblem tooSlow(Duration timeout, String timeoutVariable) {
        return new ApiProblem(HttpStatus.REQUEST_TIMEOUT, "body-timeout", "Request body too slow",
                "The request body did not arrive within " + timeout.toSeconds() + " s (" + timeoutVariable + ").");
    }

    static ApiProblem tooLarge(long maxBytes, String limitVariable) {
        return new ApiProblem(HttpStatus.CONTENT_TOO_LARGE, "body-too-large", "Request body too large",
                "The request body exceeds the limit of " + maxBytes + " bytes (" + limitVariable + ").");
    }
}
