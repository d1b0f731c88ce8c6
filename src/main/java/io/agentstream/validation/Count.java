package io.agentstream.validation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import jakarta.validation.ReportAsSingleViolation;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.PositiveOrZero;

/** A token count or a duration: finite, not negative, and small enough that sums cannot overflow. */
@PositiveOrZero
@Max(1_000_000_000_000L)
@ReportAsSingleViolation
@Constraint(validatedBy = {})
@Documented
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.TYPE_USE})
@Retention(RetentionPolicy.RUNTIME)
public @interface Count {

    String message() default "must be a whole number between 0 and 1000000000000";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
