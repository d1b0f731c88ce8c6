package io.agentstream.validation;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Numbers agentstream stores: PostgreSQL's {@code numeric} (cost columns, and every number in
 * a {@code jsonb} payload) holds at most 131,072 digits before the decimal point and 16,383
 * after, and fails the whole statement past them. A JSON number as short as {@code 1e200000}
 * is past them, and one like {@code 1e300} is stored and streamed back written out in full,
 * 60 times its size. So a number is accepted only within the range and precision of a 64-bit
 * float, which is every number an agent CLI sends: at most {@value #MAX_INTEGER_DIGITS} digits
 * before the decimal point and {@value #MAX_FRACTION_DIGITS} after.
 */
public final class StorableNumber {

    /** The digits of the largest 64-bit float, 1.8e308. */
    public static final int MAX_INTEGER_DIGITS = 309;
    /** The decimals of the smallest 64-bit float written out, 4.9e-324, to its 17 significant digits. */
    public static final int MAX_FRACTION_DIGITS = 340;

    private static final BigInteger INTEGER_BOUND = BigInteger.TEN.pow(MAX_INTEGER_DIGITS);

    static final String MESSAGE = "must be a number with at most " + MAX_INTEGER_DIGITS + " digits before the decimal point and "
            + MAX_FRACTION_DIGITS + " after";

    private StorableNumber() {
    }

    /** What is wrong with the number, worded to follow the field's name; null when it is storable. */
    public static String problem(Number number) {
        return switch (number) {
            case BigDecimal decimal -> storable(decimal) ? null : MESSAGE;
            case BigInteger integer -> integer.abs().compareTo(INTEGER_BOUND) < 0 ? null : MESSAGE;
            case Double value -> Double.isFinite(value) ? null : "must be a finite number";
            case Float value -> Float.isFinite(value) ? null : "must be a finite number";
            default -> null;
        };
    }

    /** How many characters the number takes written out in full, as PostgreSQL writes it back. */
    public static int plainLength(BigDecimal decimal) {
        int sign = decimal.signum() < 0 ? 1 : 0;
        int precision = decimal.precision();
        int scale = decimal.scale();
        if (scale <= 0) {
            return sign + precision - scale;
        }
        if (scale >= precision) {
            return sign + 2 + scale;
        }
        return sign + precision + 1;
    }

    private static boolean storable(BigDecimal decimal) {
        // precision - scale is the digits before the point (for 0.00x it is negative: none).
        return decimal.scale() <= MAX_FRACTION_DIGITS && (long) decimal.precision() - decimal.scale() <= MAX_INTEGER_DIGITS;
    }
}
