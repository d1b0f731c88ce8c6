package io.agentstream.ingest.event;

import io.agentstream.ingest.validation.Limit;
import io.agentstream.ingest.validation.WithinLimit;
import jakarta.validation.Valid;

public record BridgeTest(
        @WithinLimit(Limit.CONTENT) String message,
        @Valid SystemInfo systemInfo) implements EventData {
}
