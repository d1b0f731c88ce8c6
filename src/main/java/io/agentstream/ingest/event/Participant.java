package io.agentstream.ingest.event;

import io.agentstream.ingest.validation.Identifier;
import io.agentstream.ingest.validation.Limit;
import io.agentstream.ingest.validation.ShortText;
import io.agentstream.ingest.validation.WithinLimit;
import jakarta.validation.constraints.NotBlank;

public record Participant(
        @NotBlank @ShortText String agentType,
        @Identifier String agentId,
        @ShortText String agentVersion,
        @ShortText String model,
        @ShortText String name,
        @WithinLimit(Limit.CONTENT) String prompt,
        @ShortText String cliVersion) {
}
