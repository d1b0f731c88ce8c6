package io.agentstream.event;

/**
 * The {@code data} object of an event, one record per event type of the wire format.
 * Records hold what agentstream reads; everything else the CLI sends stays in the stored
 * raw event.
 */
public sealed interface EventData
        permits BridgeConnected, BridgeTestEvent, ConversationStarted, MessageCreated,
        ConversationCompleted, ConversationError, LogEntry {

    /** The conversation the event belongs to; null for bridge events. */
    default String conversationId() {
        return null;
    }
}
