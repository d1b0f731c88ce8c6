package io.agentstream.stream;

import reactor.core.publisher.Flux;

/** Single-node mode (no REDIS_URL): local commits wake the tailer directly; nothing to share. */
final class LocalWakeUpBus implements WakeUpBus {

    @Override
    public void announce() {
    }

    @Override
    public Flux<Object> wakeUps() {
        return Flux.never();
    }
}
