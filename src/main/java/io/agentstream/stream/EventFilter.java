package io.agentstream.stream;

import java.util.Set;

/** A subscriber's selection: one conversation and/or some event types; null means any. */
record EventFilter(String conversationId, Set<String> types) {

    static final EventFilter ALL = new EventFilter(null, null);

    boolean matches(StreamEvent event) {
        return (conversationId == null || conversationId.equals(event.conversationId()))
                && (types == null || types.contains(event.type()));
    }
}
