package io.agentstream.http;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import io.agentstream.problem.ApiProblem;
import io.agentstream.problem.FieldError;
import io.agentstream.validation.Identifiers;
import io.agentstream.validation.Rfc3339Validator;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.util.MultiValueMap;

/**
 * Query parameters checked up front: each reader notes what is wrong with its parameter,
 * and {@link #failIfInvalid()} answers one 400 problem naming every bad one.
 */
public final class QueryParameters {

    private static final Pattern WHOLE_NUMBER = Pattern.compile("\\d{1,9}");

    private final MultiValueMap<String, String> params;
    private final List<FieldError> errors = new ArrayList<>();

    public QueryParameters(ServerHttpRequest request) {
        this.params = request.getQueryParams();
    }

    /** The parameter's one value, or null when absent; given twice is an error. */
    public String single(String name) {
        List<String> values = params.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            reject(name, "must be given once");
        }
        return values.getFirst() == null ? "" : values.getFirst();
    }

    public int integer(String name, int defaultValue, int min, int max) {
        String value = single(name);
        if (value == null) {
            return defaultValue;
        }
        if (WHOLE_NUMBER.matcher(value).matches()) {
            int number = Integer.parseInt(value);
            if (number >= min && number <= max) {
                return number;
            }
        }
        reject(name, "must be a whole number from " + min + " to " + max);
        return defaultValue;
    }

    public OffsetDateTime timestamp(String name) {
        String value = single(name);
        if (value == null) {
            return null;
        }
        return Rfc3339Validator.parse(value).orElseGet(() -> {
            reject(name, "must be an RFC 3339 timestamp such as 2026-11-20T10:15:02Z");
            return null;
        });
    }

    /** A text filter of at most {@code maxLength} characters, without NUL. */
    public String text(String name, int maxLength) {
        String value = single(name);
        if (value != null && (value.isEmpty() || value.length() > maxLength || value.indexOf('\0') >= 0)) {
            reject(name, "must be 1 to " + maxLength + " characters");
            return null;
        }
        return value;
    }

    /** An id as the CLI sends it. */
    public String identifier(String name) {
        String value = single(name);
        if (value != null && !Identifiers.isValid(value)) {
            reject(name, Identifiers.MESSAGE);
            return null;
        }
        return value;
    }

    public String oneOf(String name, List<String> allowed) {
        String value = single(name);
        if (value != null && !allowed.contains(value)) {
            reject(name, "must be one of " + String.join(", ", allowed));
            return null;
        }
        return value;
    }

    public void reject(String name, String message) {
        errors.add(new FieldError(name, message));
    }

    public void failIfInvalid() {
        if (!errors.isEmpty()) {
            throw new ApiProblem(HttpStatus.BAD_REQUEST, "invalid-query", "Invalid query parameters",
                    "Some query parameters are invalid; see errors.").withErrors(errors);
        }
    }
}
