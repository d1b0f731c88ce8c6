package io.agentstream.problem;

/** One bad field of a request: {@code field} is its path as the client wrote it, e.g. {@code data.content}. */
public record FieldError(String field, String message) {
}
