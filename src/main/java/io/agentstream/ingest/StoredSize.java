package io.agentstream.ingest;

import java.math.BigDecimal;

import io.agentstream.validation.StorableNumber;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The size in bytes of an event as it is stored and streamed: its JSON as PostgreSQL writes a
 * {@code jsonb} back ({@code ", "} and {@code ": "} between members, numbers written out in
 * full, text in UTF-8 with JSON's escapes). This, not the size of the request, is what the
 * event costs in the replay ring, in each stream's queue and on every stream it is sent to,
 * so INGEST_MAX_EVENT_SIZE bounds it.
 */
final class StoredSize {

    private StoredSize() {
    }

    static long of(JsonNode node) {
        return switch (node) {
            case ObjectNode object -> {
                long size = 2;
                int members = 0;
                for (var member : object.properties()) {
                    size += text(member.getKey()) + 2 + of(member.getValue());
                    members++;
                }
                yield size + 2L * Math.max(0, members - 1);
            }
            case ArrayNode array -> {
                long size = 2;
                for (JsonNode element : array.values()) {
                    size += of(element);
                }
                yield size + 2L * Math.max(0, array.size() - 1);
            }
            case JsonNode string when string.isString() -> text(string.stringValue());
            case JsonNode number when number.isBigDecimal() -> StorableNumber.plainLength((BigDecimal) number.numberValue());
            case JsonNode number when number.isNumber() -> number.numberValue().toString().length();
            case JsonNode bool when bool.isBoolean() -> bool.booleanValue() ? 4 : 5;
            default -> 4;
        };
    }

    /** A JSON string: quotes, escapes, and UTF-8. */
    private static long text(String text) {
        long size = 2;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') {
                size += 2;
            } else if (c < 0x20) {
                size += 6;
            } else if (c < 0x80) {
                size += 1;
            } else if (c < 0x800) {
                size += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                size += 4;
                i++;
            } else {
                size += 3;
            }
        }
        return size;
    }
}
