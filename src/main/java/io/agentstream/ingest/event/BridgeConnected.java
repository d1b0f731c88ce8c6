package io.agentstream.ingest.event;

import io.agentstream.ingest.validation.Rfc3339;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

public record BridgeConnected(
        @NotNull @Valid SystemInfo systemInfo,
        @NotNull @Rfc3339 String connectedAt) implements EventData {
}
