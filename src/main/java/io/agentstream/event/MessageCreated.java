package io.agentstream.event;

import java.math.BigDecimal;

import io.agentstream.validation.Amount;
import io.agentstream.validation.Count;
import io.agentstream.validation.Identifier;
import io.agentstream.validation.Limit;
import io.agentstream.validation.ShortText;
import io.agentstream.validation.WithinLimit;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;

public record MessageCreated(
        @NotNull @Identifier String conversationId,
        @Identifier String messageId,
        @Identifier String agentId,
        @NotBlank @ShortText String agentType,
        @ShortText String agentName,
        @ShortText String agentVersion,
        @ShortText String role,
        @NotNull @WithinLimit(Limit.CONTENT) String content,
        @PositiveOrZero @Max(Integer.MAX_VALUE) Long sequenceNumber,
        @PositiveOrZero @Max(Integer.MAX_VALUE) Long turnNumber,
        @Count Long tokensUsed,
        @Count Long inputTokens,
        @Count Long outputTokens,
        @Amount BigDecimal cost,
        @ShortText String model,
        @Count Long durationMs) implements EventData {

    /** Tokens of this message: as reported, else input plus output when either is known. */
    public Long effectiveTokens() {
        if (tokensUsed != null) {
            return tokensUsed;
        }
        if (inputTokens == null && outputTokens == null) {
            return null;
        }
        return (inputTokens == null ? 0 : inputTokens) + (outputTokens == null ? 0 : outputTokens);
    }
}
