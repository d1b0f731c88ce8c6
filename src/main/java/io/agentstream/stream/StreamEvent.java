package io.agentstream.stream;

import java.util.Objects;

/**
 * One committed event as the stream delivers it. {@code json} is the SSE data line, rendered
 * once by the tailer. Its SSE frame, unnamed or named, is encoded on first use and the same
 * bytes are then written to every subscriber and every replay that sends this event.
 */
final class StreamEvent {

    private final long id;
    private final String type;
    private final String conversationId;
    private final String json;
    /** When its transaction stored it (PostgreSQL's clock), for the delivery latency; 0 when unknown. */
    private final long committedAtMillis;
    // Racing first uses may both encode: the bytes are equal, so either may win.
    private volatile byte[] frame;
    private volatile byte[] namedFrame;

    StreamEvent(long id, String type, String conversationId, String json) {
        this(id, type, conversationId, json, 0);
    }

    StreamEvent(long id, String type, String conversationId, String json, long committedAtMillis) {
        this.id = id;
        this.type = Objects.requireNonNull(type);
        this.conversationId = conversationId;
        this.json = Objects.requireNonNull(json);
        this.committedAtMillis = committedAtMillis;
    }

    long committedAtMillis() {
        return committedAtMillis;
    }

    long id() {
        return id;
    }

    String type() {
        return type;
    }

    String conversationId() {
        return conversationId;
    }

    String json() {
        return json;
    }

    /** The SSE frame: {@code id:} and {@code data:} lines, with {@code event:} when named. */
    byte[] frame(boolean named) {
        byte[] bytes = named ? namedFrame : frame;
        if (bytes == null) {
            bytes = SseFrames.event(id, type, json, named);
            if (named) {
                namedFrame = bytes;
            } else {
                frame = bytes;
            }
        }
        return bytes;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StreamEvent event && id == event.id && type.equals(event.type)
                && Objects.equals(conversationId, event.conversationId) && json.equals(event.json);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id);
    }

    @Override
    public String toString() {
        return "StreamEvent[id=" + id + ", type=" + type + ", conversationId=" + conversationId + "]";
    }
}
