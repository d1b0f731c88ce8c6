package io.agentstream.validation;

import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import org.hibernate.validator.constraintvalidation.HibernateConstraintValidatorContext;

/** Created by Spring's constraint validator factory, which injects the configured limits. */
class WithinLimitValidator implements ConstraintValidator<WithinLimit, CharSequence> {

    private final TextLimits limits;
    private Limit limit;

    WithinLimitValidator(TextLimits limits) {
        this.limits = limits;
    }

    @Override
    public void initialize(WithinLimit annotation) {
        this.limit = annotation.value();
    }

    @Override
    public boolean isValid(CharSequence value, ConstraintValidatorContext context) {
        if (value == null) {
            return true;
        }
        int max = limits.maxLength(limit);
        // Characters as the CLI counts them (code points), not UTF-16 units.
        if (value.codePoints().limit((long) max + 1).count() <= max) {
            return true;
        }
        context.unwrap(HibernateConstraintValidatorContext.class).addMessageParameter("max", max);
        return false;
    }
}
