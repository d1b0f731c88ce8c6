package io.agentstream.observability;

/**
 * The trace id of a W3C {@code traceparent} header
 * ({@code 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>}), or null when the header
 * is absent or malformed: a malformed one is ignored, as the Trace Context specification asks.
 */
final class TraceParent {

    private static final int LENGTH = 55;

    private TraceParent() {
    }

    static String traceId(String header) {
        if (header == null) {
            return null;
        }
        String value = header.strip();
        // Version 00 is exactly 55 characters; later versions may append fields after a dash.
        if (value.length() < LENGTH || (value.length() > LENGTH && value.charAt(LENGTH) != '-')) {
            return null;
        }
        if (value.charAt(2) != '-' || value.charAt(35) != '-' || value.charAt(52) != '-') {
            return null;
        }
        String version = value.substring(0, 2);
        String traceId = value.substring(3, 35);
        String parentId = value.substring(36, 52);
        String flags = value.substring(53, 55);
        if (!lowerHex(version) || version.equals("ff") || (version.equals("00") && value.length() != LENGTH)
                || !lowerHex(traceId) || !lowerHex(parentId) || !lowerHex(flags)
                || allZeros(traceId) || allZeros(parentId)) {
            return null;
        }
        return traceId;
    }

    private static boolean lowerHex(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean allZeros(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }
}
