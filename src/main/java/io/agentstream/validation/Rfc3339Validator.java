package io.agentstream.validation;

import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;

public class Rfc3339Validator implements ConstraintValidator<Rfc3339, String> {

    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
        return value == null || parse(value).isPresent();
    }

    /** The instant, or empty when the text is not an RFC 3339 timestamp. */
    public static Optional<OffsetDateTime> parse(String value) {
        // The ISO parser alone would also accept a missing seconds field or a seconds offset,
        // which RFC 3339 does not; the pattern holds the shape, the parser checks the calendar.
        if (!RFC_3339.matcher(value).matches()) {
            return Optional.empty();
        }
        try {
            // Year 0000 is valid RFC 3339 but not a year PostgreSQL can read (it has 1 BC instead).
            return Optional.of(OffsetDateTime.parse(value.toUpperCase(Locale.ROOT))).filter(time -> time.getYear() >= 1);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static final Pattern RFC_3339 =
            Pattern.compile("\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})");
}
