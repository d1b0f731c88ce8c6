package io.agentstream.database;

import java.util.List;
import java.util.function.Function;

/**
 * Multi-row statements bind one array per column and {@code unnest} them. The arrays go as
 * text and are cast in SQL ({@code cast(:costs as numeric[])}), so that a null element needs
 * no type and every column binds the same way.
 */
public final class ArrayParameters {

    private ArrayParameters() {
    }

    public static <T> String[] column(List<T> rows, Function<T, Object> field) {
        String[] values = new String[rows.size()];
        for (int i = 0; i < values.length; i++) {
            Object value = field.apply(rows.get(i));
            values[i] = value == null ? null : value.toString();
        }
        return values;
    }
}
