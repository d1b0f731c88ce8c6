package io.agentstream.database;

import java.util.Map;

import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;

/**
 * Binds named parameters from a map, nulls included: the driver needs a null's SQL type, so
 * each nullable parameter that is not text names its Java type.
 */
public final class NamedParameters {

    private NamedParameters() {
    }

    /** @param nullTypes the Java type of each non-text parameter that may be null; text by default */
    public static GenericExecuteSpec bindAll(GenericExecuteSpec spec, Map<String, Object> values, Map<String, Class<?>> nullTypes) {
        for (Map.Entry<String, Object> value : values.entrySet()) {
            Class<?> type = nullTypes.getOrDefault(value.getKey(), String.class);
            spec = value.getValue() == null ? spec.bindNull(value.getKey(), type) : spec.bind(value.getKey(), value.getValue());
        }
        return spec;
    }
}
