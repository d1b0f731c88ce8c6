package io.agentstream.problem;

import java.util.Locale;
import java.util.regex.Pattern;

import tools.jackson.core.JacksonException;

/** Field names as clients wrote them: Java bean paths turned back into snake_case JSON paths. */
public final class FieldPaths {

    private static final Pattern CAMEL_HUMP = Pattern.compile("([a-z0-9])([A-Z])");

    private FieldPaths() {
    }

    /** {@code participants[0].agentType} becomes {@code participants[0].agent_type}. */
    public static String wire(String beanPath) {
        String path = beanPath.replace(".<list element>", "").replace("<list element>", "");
        return CAMEL_HUMP.matcher(path).replaceAll("$1_$2").toLowerCase(Locale.ROOT);
    }

    /** Where in the JSON a parse or binding failure is: {@code root.field[2].other}; just root when it names no place. */
    public static String jsonPath(String root, JacksonException e) {
        StringBuilder path = new StringBuilder(root);
        for (JacksonException.Reference reference : e.getPath()) {
            if (reference.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }
}
