package io.agentstream.validation;

import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Text PostgreSQL can store as {@code text} and {@code jsonb}. It cannot hold NUL, and a
 * UTF-16 surrogate without its pair (a lone JSON escape in the range D800-DFFF) is not a
 * Unicode character: the driver would store it as "?". Both are named as bad input instead,
 * and so is a number {@code numeric} cannot hold ({@link StorableNumber}).
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

    /**
     * Walks a value for text (and numbers) PostgreSQL cannot store and reports each place as (path, what is
     * wrong), so the field is named instead of failing the insert or altering the text. A JSON
     * tree is walked whole, unknown fields and field names included; a record graph (lists
     * and records of strings) by its components, named as {@code componentName} says.
     */
    public static void findUnstorable(Object value, String path, UnaryOperator<String> componentName,
                                      BiConsumer<String, String> unstorable) {
        switch (value) {
            case String text -> {
                String problem = problem(text);
                if (problem != null) {
                    unstorable.accept(path, "must not contain " + problem);
                }
            }
            case JsonNode node when node.isString() -> findUnstorable(node.stringValue(), path, componentName, unstorable);
            case JsonNode node when node.isBigDecimal() || node.isBigInteger() -> findUnstorable(node.numberValue(), path,
                    componentName, unstorable);
            case Number number -> {
                String problem = StorableNumber.problem(number);
                if (problem != null) {
                    unstorable.accept(path, problem);
                }
            }
            case ObjectNode object -> object.properties().forEach(e -> {
                String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                String problem = problem(e.getKey());
                if (problem != null) {
                    unstorable.accept(escaped(child), "field names must not contain " + problem);
                } else {
                    findUnstorable(e.getValue(), child, componentName, unstorable);
                }
            });
            case ArrayNode array -> {
                for (int i = 0; i < array.size(); i++) {
                    findUnstorable(array.get(i), path + "[" + i + "]", componentName, unstorable);
                }
            }
            case List<?> list -> {
                for (int i = 0; i < list.size(); i++) {
                    findUnstorable(list.get(i), path + "[" + i + "]", componentName, unstorable);
                }
            }
            case Record record -> {
                for (RecordComponent component : record.getClass().getRecordComponents()) {
                    String name = componentName.apply(component.getName());
                    try {
                        findUnstorable(component.getAccessor().invoke(record), path.isEmpty() ? name : path + "." + name,
                                componentName, unstorable);
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
            case null, default -> {
            }
        }
    }
}
