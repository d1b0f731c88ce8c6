package io.agentstream.validation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;

/** An RFC 3339 instant with 0 to 9 fractional digits and {@code Z} or an offset. */
@Constraint(validatedBy = Rfc3339Validator.class)
@Documented
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.TYPE_USE})
@Retention(RetentionPolicy.RUNTIME)
public @interface Rfc3339 {

    String message() default "must be an RFC 3339 timestamp such as 2026-11-20T10:15:02.123Z";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
