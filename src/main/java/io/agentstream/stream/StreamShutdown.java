package io.agentstream.stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * On shutdown, before the web server drains its requests: refuse new streams and end the
 * open ones with a reconnect hint, so clients resume on another instance instead of
 * holding the graceful shutdown until its timeout.
 */
@Component
class StreamShutdown implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(StreamShutdown.class);

    private final ConnectionRegistry registry;
    private final StreamHub hub;
    private volatile boolean running;

    StreamShutdown(ConnectionRegistry registry, StreamHub hub) {
        this.registry = registry;
        this.hub = hub;
    }

    /** Also after a stop: a stopped context can be started again (tests pause idle contexts). */
    @Override
    public void start() {
        registry.startAccepting();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        registry.stopAccepting();
        int open = hub.subscriberCount();
        hub.completeAll();
        log.info("Ended {} streams with a reconnect hint for shutdown", open);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // Stops before the web server's graceful shutdown (DEFAULT_PHASE - 1024).
        return SmartLifecycle.DEFAULT_PHASE;
    }
}
