package io.agentstream.event;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The closed set of event types the event log holds: those agent CLIs send, each with the
 * record its data binds to, and the one the service records itself for an upload.
 */
public enum EventType {
    BRIDGE_CONNECTED("bridge.connected", BridgeConnected.class),
    BRIDGE_TEST("bridge.test", BridgeTestEvent.class),
    CONVERSATION_STARTED("conversation.started", ConversationStarted.class),
    MESSAGE_CREATED("message.created", MessageCreated.class),
    CONVERSATION_COMPLETED("conversation.completed", ConversationCompleted.class),
    CONVERSATION_ERROR("conversation.error", ConversationError.class),
    LOG_ENTRY("log.entry", LogEntry.class),
    /** Recorded by the service when an upload added to a conversation; never accepted from a client. */
    SESSION_UPLOADED("session.uploaded", null);

    private static final List<EventType> SENT_BY_CLIENTS = Arrays.stream(values()).filter(EventType::sentByClients).toList();

    private final String wireName;
    private final Class<? extends EventData> dataType;

    EventType(String wireName, Class<? extends EventData> dataType) {
        this.wireName = wireName;
        this.dataType = dataType;
    }

    public String wireName() {
        return wireName;
    }

    /** The record a client's event data binds to; null for a type only the service records. */
    public Class<? extends EventData> dataType() {
        return dataType;
    }

    public boolean sentByClients() {
        return dataType != null;
    }

    /** A type a client may send. */
    public static Optional<EventType> fromWireName(String name) {
        return SENT_BY_CLIENTS.stream().filter(t -> t.wireName.equals(name)).findFirst();
    }

    /** The types a client may send. */
    public static List<String> wireNames() {
        return SENT_BY_CLIENTS.stream().map(EventType::wireName).toList();
    }

    /** Every type the event log holds: what clients send and what the service records. */
    public static List<String> storedWireNames() {
        return Arrays.stream(values()).map(EventType::wireName).toList();
    }
}
