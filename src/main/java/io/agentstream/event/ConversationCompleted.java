package io.agentstream.event;

import java.math.BigDecimal;

import io.agentstream.validation.Amount;
import io.agentstream.validation.Count;
import io.agentstream.validation.Identifier;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;

public record ConversationCompleted(
        @NotNull @Identifier String conversationId,
        @NotNull @Pattern(regexp = "completed|interrupted|error", message = "must be completed, interrupted or error")
        String status,
        @Count Long totalMessages,
        @PositiveOrZero @Max(Integer.MAX_VALUE) Long totalTurns,
        @Count Long totalTokens,
        @Amount BigDecimal totalCost,
        @Amount BigDecimal durationSeconds,
        @Valid Summary summary) implements EventData {

    /** The conversation status this completion stands for. */
    public String conversationStatus() {
        return status.toUpperCase(java.util.Locale.ROOT);
    }
}
