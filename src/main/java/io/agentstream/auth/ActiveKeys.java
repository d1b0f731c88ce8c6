package io.agentstream.auth;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import io.agentstream.http.KeysRevoked;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Every stored key that works, in memory on each instance: a presented key that is not here is
 * refused without a database query, so a flood of random keys in the stored format costs a
 * hash and a map lookup, not a round trip each. The set is read again every
 * {@link #REFRESH_EVERY} (bounding how long a revocation made elsewhere, or a key created by
 * {@code keys create}, takes to reach this instance without Redis), and at once when this
 * instance creates or revokes a key or hears of it ({@link KeyChanges}).
 *
 * <p>Keys that leave the set are announced on this instance ({@link KeysRevoked}), so that
 * what they opened (streams) ends too.
 *
 * <p>Until the first read has succeeded (the database was down at start-up) it knows
 * nothing, and {@link KeyAuthenticator} asks the database key by key as before.
 */
@Component
class ActiveKeys implements SmartLifecycle {

    static final Duration REFRESH_EVERY = Duration.ofSeconds(4);
    private static final Duration FIRST_READ_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(ActiveKeys.class);

    /** The set as read by one query: by key hash (hex), and the principal ids it holds. */
    private record Snapshot(long sequence, Map<String, ApiKeyPrincipal> byHash, Set<String> ids) {
    }

    private final ApiKeyStore store;
    private final ApplicationEventPublisher events;
    /** Numbers reads in the order they start: a read older than the one installed is dropped. */
    private final AtomicLong reads = new AtomicLong();
    private volatile Snapshot snapshot;
    /** The read started because a change was announced, until it is installed; empty otherwise. */
    private volatile Mono<Void> announcedRead = Mono.empty();
    private volatile boolean failing;
    private Disposable refresher;

    ActiveKeys(ApiKeyStore store, ApplicationEventPublisher events) {
        this.store = store;
        this.events = events;
    }

    /** Whether the set has been read; before that, nothing can be answered from it. */
    boolean known() {
        return snapshot != null;
    }

    /** The active stored key with this hash (hex), or null; only when {@link #known()}. */
    ApiKeyPrincipal byHash(String hashHex) {
        return snapshot.byHash().get(hashHex);
    }

    /** Whether a stored key's principal id is active; only when {@link #known()}. */
    boolean isActive(String principalId) {
        return snapshot.ids().contains(principalId);
    }

    /**
     * Reads the set again and installs it, unless a read started later has been installed
     * first: a read that began before a revocation committed must not bring the key back.
     * Completes once installed (or dropped); fails when the database does.
     */
    Mono<Void> reload() {
        return Mono.defer(() -> {
            long sequence = reads.incrementAndGet();
            return store.active().collectList().doOnNext(keys -> {
                Map<String, ApiKeyPrincipal> byHash = HashMap.newHashMap(keys.size());
                Set<String> ids = HashSet.newHashSet(keys.size());
                for (ApiKeyStore.ActiveKey key : keys) {
                    byHash.put(key.hashHex(), key.principal());
                    ids.add(key.principal().id());
                }
                install(new Snapshot(sequence, Map.copyOf(byHash), Set.copyOf(ids)));
            }).then();
        });
    }

    /**
     * Reads the set again because another instance announced a change. Until that read is
     * installed, a key this instance does not hold waits for it ({@link #afterAnnouncedRead()}):
     * a key created there and used here a moment later is found, not refused.
     */
    Mono<Void> reloadAnnounced() {
        Mono<Void> read = reload().cache();
        announcedRead = read.onErrorResume(error -> Mono.empty());
        return read.doFinally(signal -> announcedRead = Mono.empty());
    }

    /** Completes when the read started by the latest announcement (if any) is done. */
    Mono<Void> afterAnnouncedRead() {
        return announcedRead;
    }

    /**
     * Drops a key this instance has just revoked, before the set is read again: the
     * revocation answers only once the key is refused here, even if that read fails.
     */
    void forget(String principalId) {
        synchronized (this) {
            Snapshot current = snapshot;
            if (current == null || !current.ids().contains(principalId)) {
                return;
            }
            Map<String, ApiKeyPrincipal> byHash = new HashMap<>(current.byHash());
            byHash.values().removeIf(principal -> principal.id().equals(principalId));
            Set<String> ids = new HashSet<>(current.ids());
            ids.remove(principalId);
            snapshot = new Snapshot(reads.incrementAndGet(), Map.copyOf(byHash), Set.copyOf(ids));
        }
        events.publishEvent(new KeysRevoked(Set.of(principalId)));
    }

    private void install(Snapshot read) {
        Set<String> gone = new HashSet<>();
        synchronized (this) {
            Snapshot current = snapshot;
            if (current != null && read.sequence() <= current.sequence()) {
                return;
            }
            snapshot = read;
            if (current != null) {
                current.ids().stream().filter(id -> !read.ids().contains(id)).forEach(gone::add);
            }
        }
        // Outside the lock: listeners end streams, which takes the stream hub's own.
        if (!gone.isEmpty()) {
            events.publishEvent(new KeysRevoked(Set.copyOf(gone)));
        }
    }

    @Override
    public void start() {
        try {
            reload().block(FIRST_READ_TIMEOUT);
        } catch (RuntimeException e) {
            log.warn("Could not read the active API keys ({}); stored keys are looked up one by one until it succeeds",
                    e.getClass().getSimpleName());
        }
        refresher = Flux.interval(REFRESH_EVERY, REFRESH_EVERY)
                .onBackpressureDrop()
                .concatMap(tick -> reload()
                        .doOnSuccess(done -> recovered())
                        .onErrorResume(error -> {
                            if (!failing) {
                                failing = true;
                                log.warn("Could not read the active API keys again ({}); the last set read stays in use",
                                        error.getClass().getSimpleName());
                            }
                            return Mono.empty();
                        }), 0)
                .subscribe();
    }

    private void recovered() {
        if (failing) {
            failing = false;
            log.info("The active API keys are read again");
        }
    }

    @Override
    public void stop() {
        if (refresher != null) {
            refresher.dispose();
            refresher = null;
        }
    }

    /**
     * Read before the web server starts taking requests (Boot starts it at
     * {@code DEFAULT_PHASE - 2048}), stopped after it has stopped.
     */
    @Override
    public int getPhase() {
        return DEFAULT_PHASE - 4096;
    }

    @Override
    public boolean isRunning() {
        return refresher != null;
    }
}
