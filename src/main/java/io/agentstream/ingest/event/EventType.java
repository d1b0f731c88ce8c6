package io.agentstream.ingest.event;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The closed set of event types agent CLIs send, with the record their data binds to. */
public enum EventType {
    BRIDGE_CONNECTED("bridge.connected", BridgeConnected.class),
    BRIDGE_TEST("bridge.test", BridgeTest.class),
    CONVERSATION_STARTED("conversation.started", ConversationStarted.class),
    MESSAGE_CREATED("message.created", MessageCreated.class),
    CONVERSATION_COMPLETED("conversation.completed", ConversationCompleted.class),
    CONVERSATION_ERROR("conversation.error", ConversationError.class),
    LOG_ENTRY("log.entry", LogEntry.class);

    private final String wireName;
    private final Class<? extends EventData> dataType;

    EventType(String wireName, Class<? extends EventData> dataType) {
        this.wireName = wireName;
        this.dataType = dataType;
    }

    public String wireName() {
        return wireName;
    }

    public Class<? extends EventData> dataType() {
        return dataType;
    }

    public static Optional<EventType> fromWireName(String name) {
        return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
    }

    public static List<String> wireNames() {
        return Arrays.stream(values()).map(EventType::wireName).toList();
    }
}
