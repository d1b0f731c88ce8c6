package io.agentstream.event;

import java.math.BigDecimal;

import io.agentstream.validation.Amount;
import io.agentstream.validation.Count;
import io.agentstream.validation.Limit;
import io.agentstream.validation.ShortText;
import io.agentstream.validation.WithinLimit;

public record Summary(
        @WithinLimit(Limit.SUMMARY_SHORT_TEXT) String shortText,
        @WithinLimit(Limit.SUMMARY_TEXT) String text,
        @ShortText String agentType,
        @ShortText String model,
        @Count Long inputTokens,
        @Count Long outputTokens,
        @Count Long totalTokens,
        @Amount BigDecimal cost,
        @Count Long durationMs) {
}
