package io.agentstream.http;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An {@code application/x-ndjson} body read line by line as it arrives. Each network buffer is
 * scanned for line ends and released at once, so the body is never held whole, and its bytes
 * are counted while reading: past {@code maxBodyBytes} the flux fails with the 413 at once,
 * whatever follows. A line longer than {@code maxLineBytes} is not kept either: it is skipped
 * to its end and arrives as a {@link Line} without bytes, so the caller can name it. Blank
 * lines are not emitted but are counted, so line numbers are those an editor shows.
 */
public final class BodyLines {

    /** How many network buffers are read ahead of the line parser. */
    private static final int PREFETCH = 2;

    /**
     * One non-blank line.
     *
     * @param number its line number, from 1
     * @param bytes  the line without its line end; null when it was longer than the limit
     * @param length its length in bytes, also when it was too long to keep
     */
    public record Line(int number, byte[] bytes, long length) {

        public boolean tooLong() {
            return bytes == null;
        }
    }

    private BodyLines() {
    }

    /**
     * The request's body as lines; a declared Content-Length over the limit is refused before
     * anything is read.
     *
     * @param limitVariable the environment variable that sets {@code maxBodyBytes}, named in the 413
     */
    public static Flux<Line> read(ServerHttpRequest request, long maxBodyBytes, String limitVariable, int maxLineBytes) {
        if (request.getHeaders().getContentLength() > maxBodyBytes) {
            return Flux.error(BoundedBody.tooLarge(maxBodyBytes, limitVariable));
        }
        return read(request.getBody(), maxBodyBytes, limitVariable, maxLineBytes);
    }

    static Flux<Line> read(Flux<DataBuffer> body, long maxBodyBytes, String limitVariable, int maxLineBytes) {
        return Flux.defer(() -> {
            Splitter splitter = new Splitter(maxBodyBytes, limitVariable, maxLineBytes);
            return body.concatMapIterable(splitter::accept, PREFETCH)
                    .concatWith(Mono.fromSupplier(splitter::finish))
                    .doOnDiscard(DataBuffer.class, DataBufferUtils::release);
        });
    }

    /** The state of one body's read: the bytes so far and the line being assembled. */
    private static final class Splitter {

        private final long maxBodyBytes;
        private final String limitVariable;
        private final int maxLineBytes;
        private long bodyBytes;
        private int number = 1;
        private byte[] line = new byte[256];
        private int kept;
        private long length;

        Splitter(long maxBodyBytes, String limitVariable, int maxLineBytes) {
            this.maxBodyBytes = maxBodyBytes;
            this.limitVariable = limitVariable;
            this.maxLineBytes = maxLineBytes;
        }

        List<Line> accept(DataBuffer buffer) {
            try {
                bodyBytes += buffer.readableByteCount();
                if (bodyBytes > maxBodyBytes) {
                    throw BoundedBody.tooLarge(maxBodyBytes, limitVariable);
                }
                List<Line> lines = new ArrayList<>(4);
                while (buffer.readableByteCount() > 0) {
                    int start = buffer.readPosition();
                    int end = buffer.indexOf(b -> b == '\n', start);
                    int segment = (end < 0 ? buffer.writePosition() : end) - start;
                    append(buffer, segment);
                    if (end < 0) {
                        break;
                    }
                    buffer.readPosition(end + 1);
                    emit(lines);
                }
                return lines;
            } finally {
                DataBufferUtils.release(buffer);
            }
        }

        /** The last line, when the body does not end with a line end; else nothing. */
        Line finish() {
            List<Line> last = new ArrayList<>(1);
            emit(last);
            return last.isEmpty() ? null : last.getFirst();
        }

        private void append(DataBuffer buffer, int segment) {
            length += segment;
            if (length <= maxLineBytes) {
                if (kept + segment > line.length) {
                    line = Arrays.copyOf(line, (int) Math.min(maxLineBytes, Math.max(line.length * 2L, kept + segment)));
                }
                buffer.read(line, kept, segment);
                kept += segment;
            } else {
                buffer.readPosition(buffer.readPosition() + segment);
            }
        }

        private void emit(List<Line> lines) {
            if (length > maxLineBytes) {
                lines.add(new Line(number, null, length));
            } else if (!blank(line, kept)) {
                lines.add(new Line(number, Arrays.copyOf(line, kept), length));
            }
            number++;
            kept = 0;
            length = 0;
            if (line.length > 64 * 1024) {
                line = new byte[256];
            }
        }

        private static boolean blank(byte[] bytes, int count) {
            for (int i = 0; i < count; i++) {
                byte b = bytes[i];
                if (b != ' ' && b != '\t' && b != '\r') {
                    return false;
                }
            }
            return true;
        }
    }
}
