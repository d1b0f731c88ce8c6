package io.agentstream.ingest.event;

import java.math.BigDecimal;

import io.agentstream.ingest.validation.Amount;
import io.agentstream.ingest.validation.Count;
import io.agentstream.ingest.validation.Limit;
import io.agentstream.ingest.validation.ShortText;
import io.agentstream.ingest.validation.WithinLimit;

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
