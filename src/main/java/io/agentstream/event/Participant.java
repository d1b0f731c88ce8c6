package io.agentstream.event;

import io.agentstream.validation.Identifier;
import io.agentstream.validation.Limit;
import io.agentstream.validation.ShortText;
import io.agentstream.validation.WithinLimit;
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
