package io.agentstream.validation;

/**
 * Text PostgreSQL can store as {@code text} and {@code jsonb}. It cannot hold NUL, and a
 * UTF-16 surrogate without its pair (a lone JSON escape in the range D800-DFFF) is not a
 * Unicode character: the driver would store it as "?". Both are named as bad input instead.
 */
public final class StorableText {

    private StorableText() {
    }

    /** What makes the text unstorable, worded to follow "must not contain"; null when it is storable. */
    public static String problem(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\0') {
                return "the NUL character (U+0000)";
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "an unpaired UTF-16 surrogate (not a Unicode character)";
            }
        }
        return null;
    }

    /** The text with what is unstorable escaped, fit to echo back (a field name in a problem). */
    public static String escaped(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.chars().forEach(c -> out.append(c == 0 || Character.isSurrogate((char) c) ? "\\u%04x".formatted(c) : Character.toString(c)));
        return out.toString();
    }
}
