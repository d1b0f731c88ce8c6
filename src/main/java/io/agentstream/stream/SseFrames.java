package io.agentstream.stream;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The stream's frames as bytes, exactly as Spring's {@code ServerSentEvent} encoder writes
 * them ({@code id:}, {@code event:}, {@code retry:}, comment, {@code data:} lines, then a
 * blank line), so that an event's frame can be encoded once and written to every
 * subscriber instead of being re-encoded per connection.
 */
final class SseFrames {

    static final byte[] HEARTBEAT = ":heartbeat\n\n".getBytes(StandardCharsets.US_ASCII);

    private SseFrames() {
    }

    static byte[] event(long id, String type, String json, boolean named) {
        StringBuilder frame = new StringBuilder(json.length() + type.length() + 48);
        frame.append("id:").append(id).append('\n');
        if (named) {
            frame.append("event:").append(type).append('\n');
        }
        return data(frame, json);
    }

    static byte[] connected(boolean recovered, boolean named, Duration retry) {
        StringBuilder frame = new StringBuilder(96);
        if (named) {
            frame.append("event:connected\n");
        }
        frame.append("retry:").append(retry.toMillis()).append('\n');
        return data(frame, "{\"type\":\"connected\",\"recovered\":" + recovered + "}");
    }

    /** The last event of a stream whose key was revoked; without an id, like {@code connected}. */
    static byte[] keyRevoked(boolean named) {
        StringBuilder frame = new StringBuilder(128);
        if (named) {
            frame.append("event:key_revoked\n");
        }
        return data(frame, "{\"type\":\"key_revoked\",\"detail\":\"The key this stream was opened with has been revoked.\"}");
    }

    /** Sent before a stream ends on purpose. */
    static byte[] reconnect(Duration retry) {
        return ("retry:" + retry.toMillis() + "\n:reconnect\n\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] data(StringBuilder frame, String data) {
        frame.append("data:");
        // A line break inside the data would end the field: it continues on another data: line.
        if (data.indexOf('\n') < 0) {
            frame.append(data);
        } else {
            frame.append(data.replace("\n", "\ndata:"));
        }
        frame.append("\n\n");
        return frame.toString().getBytes(StandardCharsets.UTF_8);
    }
}
