package io.agentstream.ingest.validation;

import java.time.OffsetDateTime;
import java.util.Optional;

import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;

public class Rfc3339Validator implements ConstraintValidator<Rfc3339, String> {

    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
        return value == null || parse(value).isPresent();
    }

    /** The instant, or empty when the text is not an RFC 3339 timestamp. */
    public static Optional<OffsetDateTime> parse(String value) {
        try {
            // ISO_OFFSET_DATE_TIME accepts 0-9 fractional digits and Z or +hh:mm: RFC 3339.
            return Optional.of(OffsetDateTime.parse(value));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
