package io.agentstream.stream;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One committed event as the stream delivers it. {@code json} is the SSE data line, rendered
 * once by the tailer. Its SSE frame, unnamed or named, is encoded on first use and the same
 * bytes are then written to every subscriber and every replay that sends this event. Its
 * sizes, which the stream's byte budgets count, are measured without encoding anything.
 */
final class StreamEvent {

    /** The objects of an event besides its text and frames: itself, strings' and arrays' headers. */
    private static final int OVERHEAD = 192;
    /** {@code event:} and its line break, around the type. */
    private static final int NAMED_LINE = 7;
    /** Set in {@link #measured} when the text holds a character beyond Latin-1: two bytes each in the heap. */
    private static final long WIDE = 1L << 32;

    private final long id;
    private final String type;
    private final String conversationId;
    private final String json;
    /** When its transaction stored it (PostgreSQL's clock), for the delivery latency; 0 when unknown. */
    private final long committedAtMillis;
    // Racing first uses may both encode: the bytes are equal, so either may win.
    private volatile byte[] frame;
    private volatile byte[] namedFrame;
    /** The named frame's length and whether the text needs two bytes a character; 0 until measured. */
    private volatile long measured;

    /**
     * Not an event: the heartbeat comment, which the hub's clock puts in an idle subscriber's
     * queue, so that heartbeats travel the stream's one path instead of a timer per stream.
     */
    static final StreamEvent HEARTBEAT = new StreamEvent(SseFrames.HEARTBEAT);

    StreamEvent(long id, String type, String conversationId, String json) {
        this(id, type, conversationId, json, 0);
    }

    private StreamEvent(byte[] comment) {
        this(-1, "heartbeat", null, "", 0);
        this.frame = comment;
        this.namedFrame = comment;
        this.measured = comment.length;
    }

    boolean isHeartbeat() {
        return this == HEARTBEAT;
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

    /** The length of its named frame, the larger of the two: what a subscriber's queue counts. */
    int frameBytes() {
        return (int) measure();
    }

    /**
     * About the most heap it holds: its text, both frames once encoded (only those that some
     * stream reads are), and the objects around them. What the replay ring counts.
     */
    long heapBytes() {
        long sizes = measure();
        long text = (long) json.length() * ((sizes & WIDE) != 0 ? 2 : 1);
        // The unnamed frame is the named one without its event: line; counted as long, for simplicity.
        return OVERHEAD + type.length() + (conversationId == null ? 0 : conversationId.length()) + text
                + 2 * (sizes & Integer.MAX_VALUE);
    }

    /** One pass over the text: the named frame's length in bytes, exactly as {@link SseFrames#event} encodes it. */
    private long measure() {
        long sizes = measured;
        if (sizes == 0) {
            long bytes = 0;
            boolean wide = false;
            int length = json.length();
            for (int i = 0; i < length; i++) {
                char c = json.charAt(i);
                if (c < 0x80) {
                    // A line break continues on another data: line.
                    bytes += c == '\n' ? 6 : 1;
                } else {
                    wide |= c > 0xFF;
                    if (c < 0x800) {
                        bytes += 2;
                    } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(json.charAt(i + 1))) {
                        bytes += 4;
                        i++;
                    } else {
                        // A lone surrogate is encoded as one '?'.
                        bytes += Character.isSurrogate(c) ? 1 : 3;
                    }
                }
            }
            // id:<id>\n event:<type>\n data:<json>\n\n
            long named = 3 + Long.toString(id).length() + 1 + NAMED_LINE + utf8Length(type) + 5 + bytes + 2;
            sizes = Math.min(named, Integer.MAX_VALUE) | (wide ? WIDE : 0);
            measured = sizes;
        }
        return sizes;
    }

    /** A type is a known wire name, ASCII; counted properly all the same. */
    private static int utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
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
