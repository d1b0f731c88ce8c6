package io.agentstream.conversation;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a page ends: the sort key of the last row returned (an optional sequence number, a
 * timestamp in microseconds, a row id). Clients see it only signed, as {@link CursorCodec}
 * writes it.
 */
record PageCursor(Long sequence, long timeMicros, String id) {

    private static final Pattern FORMAT = Pattern.compile("(-|\\d{1,10}):(-?\\d{1,19}):(.{1,128})", Pattern.DOTALL);

    byte[] toBytes() {
        String raw = (sequence == null ? "-" : sequence.toString()) + ":" + timeMicros + ":" + id;
        return raw.getBytes(StandardCharsets.UTF_8);
    }

    /** Null when the bytes are not a cursor. Only ever given bytes this API signed. */
    static PageCursor fromBytes(byte[] bytes) {
        Matcher matcher = FORMAT.matcher(new String(bytes, StandardCharsets.UTF_8));
        if (!matcher.matches()) {
            return null;
        }
        try {
            Long sequence = matcher.group(1).equals("-") ? null : Long.parseLong(matcher.group(1));
            return new PageCursor(sequence, Long.parseLong(matcher.group(2)), matcher.group(3));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
