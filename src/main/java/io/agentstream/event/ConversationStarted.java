package io.agentstream.event;

import java.util.List;

import io.agentstream.validation.Identifier;
import io.agentstream.validation.Limit;
import io.agentstream.validation.ShortText;
import io.agentstream.validation.WithinLimit;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import tools.jackson.databind.node.ObjectNode;

/** {@code participants} is current; CLIs before 0.5 sent the same list as {@code agents}. */
public record ConversationStarted(
        @NotNull @Identifier String conversationId,
        @NotBlank @ShortText String mode,
        @NotNull @WithinLimit(Limit.CONTENT) String initialPrompt,
        @NotNull @Valid SystemInfo systemInfo,
        @Size(max = 64) List<@NotNull @Valid Participant> participants,
        @Size(max = 64) List<@NotNull @Valid Participant> agents,
        @PositiveOrZero @Max(Integer.MAX_VALUE) Long maxTurns,
        ObjectNode command) implements EventData {

    public List<Participant> effectiveParticipants() {
        return participants != null ? participants : agents != null ? agents : List.of();
    }

    @AssertTrue(message = "participants (or the legacy agents) must be given")
    public boolean isParticipants() {
        return participants != null || agents != null;
    }
}
