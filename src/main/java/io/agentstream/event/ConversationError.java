package io.agentstream.event;

import io.agentstream.validation.Identifier;
import io.agentstream.validation.Limit;
import io.agentstream.validation.ShortText;
import io.agentstream.validation.WithinLimit;
import jakarta.validation.constraints.NotNull;

public record ConversationError(
        @NotNull @Identifier String conversationId,
        @NotNull @WithinLimit(Limit.CONTENT) String errorMessage,
        @ShortText String errorType,
        @ShortText String agentType) implements EventData {
}
