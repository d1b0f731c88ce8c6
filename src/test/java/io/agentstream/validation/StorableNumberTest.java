package io.agentstream.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StorableNumberTest {

    @ParameterizedTest
    @ValueSource(strings = {"0", "0.00213", "-5.2", "1.7976931348623157e308", "4.9406564584124654e-324", "1e308", "123456789012345678901234567890"})
    void numbersWithinA64BitFloatAreStorable(String number) {
        assertThat(StorableNumber.problem(new BigDecimal(number))).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e309", "-1e310", "1e200000", "1e-341", "1e-20000", "1.5e-16383"})
    void numbersPastThemAreNot(String number) {
        assertThat(StorableNumber.problem(new BigDecimal(number))).isEqualTo(StorableNumber.MESSAGE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1e308", "-1e308", "1e-340", "0.00213", "-0.5", "123.456", "5"})
    void thePlainLengthIsWhatTheNumberWrittenOutTakes(String number) {
        BigDecimal decimal = new BigDecimal(number);
        assertThat(StorableNumber.plainLength(decimal)).isEqualTo(decimal.toPlainString().length());
    }

    @ParameterizedTest
    @ValueSource(ints = {308, 309})
    void integersAreBoundedByDigits(int digits) {
        BigInteger integer = new BigInteger("9".repeat(digits));
        assertThat(StorableNumber.problem(integer)).isNull();
        assertThat(StorableNumber.problem(integer.add(BigInteger.ONE))).isEqualTo(digits == 309 ? StorableNumber.MESSAGE : null);
    }
}
