package io.agentstream.event;

import io.agentstream.validation.Identifier;
import io.agentstream.validation.Limit;
import io.agentstream.validation.ShortText;
import io.agentstream.validation.WithinLimit;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import tools.jackson.databind.JsonNode;

public record LogEntry(
        @NotNull @Identifier String conversationId,
        @NotBlank @ShortText String level,
        @NotNull @WithinLimit(Limit.CONTENT) String content,
        @Identifier String agentId,
        @ShortText String agentName,
        @ShortText String agentType,
        @ShortText String role,
        JsonNode metrics,
        JsonNode metadata) implements EventData {
}
