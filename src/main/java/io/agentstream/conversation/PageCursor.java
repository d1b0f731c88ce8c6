package io.agentstream.conversation;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The opaque {@code cursor} of a page: the sort key of the last row returned (an optional
 * sequence number, a timestamp in microseconds, a row id), base64url-encoded.
 */
record PageCursor(Long sequence, long timeMicros, String id) {

    private static final Pattern FORMAT = Pattern.compile("(-|\\d{1,10}):(-?\\d{1,19}):(.{1,128})");

    String encode() {
        String raw = (sequence == null ? "-" : sequence.toString()) + ":" + timeMicros + ":" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** Null when the text is not a cursor this API issued. */
    static PageCursor decode(String text) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
            Matcher matcher = FORMAT.matcher(raw);
            if (!matcher.matches()) {
                return null;
            }
            Long sequence = matcher.group(1).equals("-") ? null : Long.parseLong(matcher.group(1));
            return new PageCursor(sequence, Long.parseLong(matcher.group(2)), matcher.group(3));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
