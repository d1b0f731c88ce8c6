package io.agentstream.ingest.event;

import io.agentstream.ingest.validation.Identifier;
import io.agentstream.ingest.validation.Limit;
import io.agentstream.ingest.validation.ShortText;
import io.agentstream.ingest.validation.WithinLimit;
import jakarta.validation.constraints.NotNull;

public record ConversationError(
        @NotNull @Identifier String conversationId,
        @NotNull @WithinLimit(Limit.CONTENT) String errorMessage,
        @ShortText String errorType,
        @ShortText String agentType) implements EventData {
}
