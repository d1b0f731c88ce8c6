package io.agentstream.auth;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.agentstream.auth.ApiKeyPrincipal.Scope;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Resolves a presented key. Keys from the environment (AGENTPIPE_BRIDGE_API_KEY: ingest and
 * read; ADMIN_API_KEY: admin) are compared by hash in constant time. Stored keys are found
 * by hash in the instance's in-memory set of active keys ({@link ActiveKeys}): a revoked key
 * stops working on every instance within its refresh (4 s) even without Redis, and at once
 * with it ({@link KeyChanges}). A key not in the set is looked up in the database only
 * {@link #UNKNOWN_KEY_LOOKUPS_PER_SECOND} times a second per instance (a key created elsewhere
 * a moment ago, before this instance heard of it, still works): a flood of made-up keys costs
 * no more than that. Before the set has first been read, keys are looked up one by one.
 * Last use is written at most once a minute per key.
 */
@Component
class KeyAuthenticator implements ApiKeyAuthenticator {

    private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);
    /** Database lookups a second, per instance, for stored-format keys not in the active set. */
    static final int UNKNOWN_KEY_LOOKUPS_PER_SECOND = 5;
    private static final Logger log = LoggerFactory.getLogger(KeyAuthenticator.class);

    private record EnvironmentKey(byte[] hash, ApiKeyPrincipal principal) {
    }

    private final List<EnvironmentKey> environmentKeys = new ArrayList<>();
    private final ApiKeyStore store;
    private final ActiveKeys activeKeys;
    private final Bucket unknownKeyLookups = Bucket.builder().addLimit(Bandwidth.builder()
            .capacity(UNKNOWN_KEY_LOOKUPS_PER_SECOND)
            .refillGreedy(UNKNOWN_KEY_LOOKUPS_PER_SECOND, Duration.ofSeconds(1)).build()).build();
    private final Cache<String, Boolean> touched = Caffeine.newBuilder()
            .expireAfterWrite(TOUCH_EVERY).maximumSize(100_000).build();

    KeyAuthenticator(AuthProperties properties, ApiKeyStore store, ActiveKeys activeKeys) {
        this.store = store;
        this.activeKeys = activeKeys;
        List<String> bootstrap = properties.bootstrapKeys();
        for (int i = 0; i < bootstrap.size(); i++) {
            byte[] hash = ApiKeyFormat.sha256(bootstrap.get(i));
            environmentKeys.add(new EnvironmentKey(hash, new ApiKeyPrincipal(
                    environmentKeyId(hash), "bootstrap-" + (i + 1), EnumSet.of(Scope.INGEST, Scope.READ), null)));
        }
        List<String> admin = properties.adminKeys();
        for (int i = 0; i < admin.size(); i++) {
            byte[] hash = ApiKeyFormat.sha256(admin.get(i));
            environmentKeys.add(new EnvironmentKey(hash,
                    new ApiKeyPrincipal(environmentKeyId(hash), "admin-" + (i + 1), EnumSet.of(Scope.ADMIN), null)));
        }
        log.info("{} bootstrap API key(s) and {} admin key(s) configured; stored keys are checked too",
                bootstrap.size(), admin.size());
    }

    /**
     * The id of a key from the environment: stable across restarts, instances and reorderings
     * of the variable (unlike its position), so the events it sent can be found again, and
     * not secret: 48 bits of the key's SHA-256 say nothing usable about a key of 16 or more
     * random characters. Stored keys' ids are their row ids, which never start with "env-".
     */
    static String environmentKeyId(byte[] keyHash) {
        return ENVIRONMENT_KEY_ID_PREFIX + HexFormat.of().formatHex(keyHash, 0, 6);
    }

    static final String ENVIRONMENT_KEY_ID_PREFIX = "env-";

    @Override
    public Mono<ApiKeyPrincipal> authenticate(String presentedKey) {
        byte[] hash = ApiKeyFormat.sha256(presentedKey);
        ApiKeyPrincipal matched = null;
        for (EnvironmentKey key : environmentKeys) {
            if (MessageDigest.isEqual(hash, key.hash()) && matched == null) {
                matched = key.principal();
            }
        }
        if (matched != null) {
            return Mono.just(matched);
        }
        if (!ApiKeyFormat.looksLikeStoredKey(presentedKey)) {
            return Mono.empty();
        }
        if (!activeKeys.known()) {
            return store.findActive(hash).doOnNext(this::touch);
        }
        String hashHex = HexFormat.of().formatHex(hash);
        ApiKeyPrincipal held = activeKeys.byHash(hashHex);
        if (held != null) {
            touch(held);
            return Mono.just(held);
        }
        // Not held: a change announced elsewhere may be being read (a key just created there).
        return activeKeys.afterAnnouncedRead().then(Mono.defer(() -> {
            ApiKeyPrincipal read = activeKeys.byHash(hashHex);
            if (read != null) {
                return Mono.just(read);
            }
            // Or created a moment ago elsewhere, before this instance heard of it: looked up in the
            // database, but only a few a second, so a flood of made-up keys costs no more than that.
            if (!unknownKeyLookups.tryConsume(1)) {
                return Mono.<ApiKeyPrincipal>empty();
            }
            return store.findActive(hash)
                    .doOnNext(found -> activeKeys.reload().onErrorResume(error -> Mono.empty()).subscribe())
                    .onErrorResume(error -> Mono.empty());
        })).doOnNext(this::touch);
    }

    /**
     * Whether the key a principal id names still works: a configured key while it is
     * configured, a stored key until it is revoked.
     */
    Mono<Boolean> isActive(String principalId) {
        for (EnvironmentKey key : environmentKeys) {
            if (key.principal().id().equals(principalId)) {
                return Mono.just(true);
            }
        }
        Long storedId = ApiKeyStore.storedId(principalId);
        if (storedId == null) {
            return Mono.just(false);
        }
        return activeKeys.known() ? Mono.just(activeKeys.isActive(principalId)) : store.isActive(storedId);
    }

    private void touch(ApiKeyPrincipal principal) {
        if (touched.asMap().putIfAbsent(principal.id(), Boolean.TRUE) == null) {
            store.touch(principal.id()).onErrorResume(error -> Mono.empty()).subscribe();
        }
    }
}
