package io.agentstream.event;

import io.agentstream.validation.Limit;
import io.agentstream.validation.WithinLimit;
import jakarta.validation.Valid;

public record BridgeTestEvent(
        @WithinLimit(Limit.CONTENT) String message,
        @Valid SystemInfo systemInfo) implements EventData {
}
