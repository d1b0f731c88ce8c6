package io.agentstream.validation;

import java.util.regex.Pattern;

/** The one rule for ids as the CLI sends them (conversation, message, agent): used by {@link Identifier} and by query and path checks. */
public final class Identifiers {

    public static final String REGEX = "[A-Za-z0-9._:-]{1,128}";
    public static final String MESSAGE = "must be 1 to 128 characters of A-Z, a-z, 0-9, dot, underscore, colon or hyphen";
    private static final Pattern PATTERN = Pattern.compile(REGEX);

    private Identifiers() {
    }

    public static boolean isValid(String id) {
        return id != null && PATTERN.matcher(id).matches();
    }
}
