package io.agentstream.event;

import io.agentstream.validation.Rfc3339;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

public record BridgeConnected(
        @NotNull @Valid SystemInfo systemInfo,
        @NotNull @Rfc3339 String connectedAt) implements EventData {
}
