package io.agentstream.stream;

import io.agentstream.http.KeysRevoked;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** A revoked key's open streams end on every instance as soon as the instance knows of the revocation. */
@Component
class RevokedKeyStreams {

    private final StreamHub hub;

    RevokedKeyStreams(StreamHub hub) {
        this.hub = hub;
    }

    @EventListener
    void on(KeysRevoked revoked) {
        hub.endKeys(revoked.keyIds());
    }
}
