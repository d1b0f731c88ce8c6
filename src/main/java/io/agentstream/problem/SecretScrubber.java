package io.agentstream.problem;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import io.r2dbc.spi.R2dbcException;

/**
 * The one scrubber of what leaves the process about a failure, for the log and for Sentry
 * alike. Exception messages are where secrets slip out: a driver quotes the value it could
 * not store (message content), a bug quotes the header it was parsing (a key). No pattern
 * recognises message content, so a failure's messages are not kept at all: the exception
 * class, the stack frames and the causes are, and the one safe detail a database error
 * carries, its SQLSTATE. Free text that is kept (a log line's own message, a URL) has
 * anything shaped like a key or token masked.
 */
public final class SecretScrubber {

    /** What stands where a message or a secret was. */
    public static final String SCRUBBED = "[scrubbed]";

    private static final Pattern SECRET = Pattern.compile(
            "(?i)(bearer\\s+)\\S+|ap_live_[A-Za-z0-9_-]+|(access_token|token|key|password)=[^&\\s]+");

    private SecretScrubber() {
    }

    /** Key- and token-shaped parts of a text masked; the rest kept. */
    public static String mask(String text) {
        return text == null ? null : SECRET.matcher(text).replaceAll(match ->
                match.group(1) != null ? match.group(1) + SCRUBBED
                        : match.group(2) != null ? match.group(2) + "=" + SCRUBBED : SCRUBBED);
    }

    /** What may be told of a failure's message: nothing but a database error's SQLSTATE. */
    public static String message(Throwable failure) {
        if (failure instanceof R2dbcException database && database.getSqlState() != null) {
            return SCRUBBED + " SQLSTATE " + mask(database.getSqlState());
        }
        return SCRUBBED;
    }

    /**
     * A copy of the failure safe to log: each exception of the chain (causes and suppressed)
     * keeps its class name and stack frames, and its message is {@link #message(Throwable)}.
     */
    public static Throwable scrubbed(Throwable failure) {
        return copy(failure, new IdentityHashMap<>());
    }

    private static Throwable copy(Throwable failure, Map<Throwable, ScrubbedFailure> copies) {
        if (failure == null) {
            return null;
        }
        ScrubbedFailure known = copies.get(failure);
        if (known != null) {
            return known;
        }
        ScrubbedFailure copy = new ScrubbedFailure(failure.getClass().getName() + ": " + message(failure));
        copies.put(failure, copy);
        copy.setStackTrace(failure.getStackTrace());
        if (failure.getCause() != null && failure.getCause() != failure) {
            copy.initCause(copy(failure.getCause(), copies));
        }
        for (Throwable suppressed : failure.getSuppressed()) {
            copy.addSuppressed(copy(suppressed, copies));
        }
        return copy;
    }

    /**
     * Stands for an exception in the log, with the original's frames; its message is the
     * original's class name and what may be told of its message, so a log line reads
     * {@code SecretScrubber$ScrubbedFailure: java.lang.IllegalStateException: [scrubbed]}.
     */
    static final class ScrubbedFailure extends RuntimeException {

        /** Causes named by {@link #toString()}; a longer chain is cut there (and may be a cycle). */
        private static final int CAUSES_NAMED = 8;

        ScrubbedFailure(String message) {
            super(message);
        }

        /**
         * One line for the logs that print nothing but this (Spring's "already committed"
         * error): the original's class, the frame that threw it and the causes' classes, so
         * that a client that went away can be told from a bug without the stack trace.
         */
        @Override
        public String toString() {
            StringBuilder line = new StringBuilder(getMessage());
            StackTraceElement[] frames = getStackTrace();
            if (frames.length > 0) {
                line.append(" at ").append(frames[0]);
            }
            Throwable cause = getCause();
            for (int named = 0; cause != null && cause != this && named < CAUSES_NAMED; named++, cause = cause.getCause()) {
                line.append("; caused by ").append(cause.getMessage());
            }
            return line.toString();
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // the original's frames are set instead
        }
    }
}
