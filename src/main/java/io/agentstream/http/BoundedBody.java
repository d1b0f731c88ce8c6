package io.agentstream.http;

import java.time.Duration;
import java.util.Arrays;

import io.agentstream.problem.ApiProblem;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import reactor.core.publisher.Mono;

/**
 * Reads a request body into memory, never more than a limit: a declared Content-Length
 * above it is refused before reading, and the count is checked again while reading, for
 * chunked bodies. A body that stalls gets 408 instead of holding the connection.
 * ({@link BodyLines} reads an ndjson body without holding it.)
 */
public final class BoundedBody {

    private BoundedBody() {
    }

    /**
     * The body's bytes, on the heap: each network buffer is copied as it arrives and released at
     * once, so a body being read holds no pooled direct memory (which is small and shared by
     * every connection) and the heap holds it once, sized by its Content-Length when declared.
     *
     * @param limitVariable the environment variable that sets {@code maxBytes}, named in the 413
     * @param timeoutVariable the environment variable that sets {@code timeout}, named in the 408
     */
    public static Mono<byte[]> read(ServerHttpRequest request, long maxBytes, String limitVariable,
                                    Duration timeout, String timeoutVariable) {
        long declared = request.getHeaders().getContentLength();
        if (declared > maxBytes) {
            return Mono.error(tooLarge(maxBytes, limitVariable));
        }
        int limit = (int) Math.min(maxBytes, Integer.MAX_VALUE - 8);
        return request.getBody()
                .collect(() -> new HeapBody(declared, limit, limitVariable), HeapBody::append)
                .map(HeapBody::bytes)
                .timeout(timeout, Mono.error(() -> tooSlow(timeout, timeoutVariable)));
    }

    /** A body being copied to the heap, never past its limit. */
    private static final class HeapBody {

        private final int limit;
        private final String limitVariable;
        private byte[] bytes;
        private int size;

        HeapBody(long declared, int limit, String limitVariable) {
            this.limit = limit;
            this.limitVariable = limitVariable;
            this.bytes = new byte[declared > 0 ? (int) declared : 1024];
        }

        void append(DataBuffer buffer) {
            try {
                int count = buffer.readableByteCount();
                if ((long) size + count > limit) {
                    throw tooLarge(limit, limitVariable);
                }
                if (size + count > bytes.length) {
                    bytes = Arrays.copyOf(bytes, (int) Math.min(limit, Math.max(bytes.length * 2L, size + count)));
                }
                buffer.read(bytes, size, count);
                size += count;
            } finally {
                DataBufferUtils.release(buffer);
            }
        }

        byte[] bytes() {
            return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
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
