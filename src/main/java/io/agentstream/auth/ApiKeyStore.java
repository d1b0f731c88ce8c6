package io.agentstream.auth;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import io.agentstream.auth.ApiKeyPrincipal.Scope;
import io.agentstream.database.Queries;
import io.r2dbc.spi.Readable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Stored keys in {@code api_keys}: only hashes, names, prefixes, scopes and timestamps. */
@Component
public class ApiKeyStore {

    static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final String PRINCIPAL_PREFIX = "key-";

    /** A key as listed: everything but the secret, which is not stored. */
    public record StoredKey(long id, String name, String prefix, List<String> scopes, OffsetDateTime createdAt,
                            OffsetDateTime lastUsedAt, OffsetDateTime revokedAt) {
    }

    /** A key that works: its hash (hex) and who it makes the caller. */
    record ActiveKey(String hashHex, ApiKeyPrincipal principal) {
    }

    /** A new key and, once only, its secret. */
    public record CreatedKey(StoredKey key, String secret) {
    }

    private final DatabaseClient db;

    ApiKeyStore(DatabaseClient db) {
        this.db = db;
    }

    public Mono<CreatedKey> create(String name, Set<Scope> scopes) {
        String secret = ApiKeyFormat.generate();
        String prefix = ApiKeyFormat.displayPrefix(secret);
        List<String> scopeNames = scopes.stream().sorted().map(Scope::wireName).toList();
        return db.sql(AuthSql.INSERT)
                .bind("name", name).bind("prefix", prefix)
                .bind("key_hash", ByteBuffer.wrap(ApiKeyFormat.sha256(secret)))
                .bind("scopes", scopeNames.toArray(String[]::new))
                .map(row -> new CreatedKey(new StoredKey(row.get("id", Long.class), name, prefix, scopeNames,
                        row.get("created_at", OffsetDateTime.class), null, null), secret))
                .one()
                .transform(ApiKeyStore::guarded);
    }

    public Flux<StoredKey> list() {
        return Queries.bounded(db.sql(AuthSql.LIST).map(ApiKeyStore::stored).all(), TIMEOUT);
    }

    /** Empty when no key has this id. */
    public Mono<OffsetDateTime> revoke(long id) {
        return db.sql(AuthSql.REVOKE).bind("id", id).map(row -> row.get("revoked_at", OffsetDateTime.class)).one()
                .transform(ApiKeyStore::guarded);
    }

    /** Every key not revoked (a few hundred rows, read every few seconds: no paging). */
    Flux<ActiveKey> active() {
        return Queries.bounded(db.sql(AuthSql.ACTIVE)
                .map(row -> new ActiveKey(hex(row.get("key_hash", ByteBuffer.class)), principal(row))).all(), TIMEOUT);
    }

    private static String hex(ByteBuffer hash) {
        byte[] bytes = new byte[hash.remaining()];
        hash.get(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }

    private static ApiKeyPrincipal principal(Readable row) {
        return new ApiKeyPrincipal(PRINCIPAL_PREFIX + row.get("id", Long.class), row.get("name", String.class),
                scopes(row.get("scopes", String[].class)), null);
    }

    Mono<ApiKeyPrincipal> findActive(byte[] hash) {
        return db.sql(AuthSql.FIND_ACTIVE).bind("key_hash", ByteBuffer.wrap(hash))
                .map(ApiKeyStore::principal)
                .one()
                .transform(ApiKeyStore::guarded);
    }

    Mono<Boolean> isActive(long id) {
        return db.sql(AuthSql.IS_ACTIVE).bind("id", id).map(row -> row.get(0, Boolean.class)).one()
                .defaultIfEmpty(false)
                .transform(ApiKeyStore::guarded);
    }

    Mono<Void> touch(String principalId) {
        return db.sql(AuthSql.TOUCH).bind("id", storedId(principalId)).then().timeout(TIMEOUT);
    }

    /** The principal id of the stored key with this row id. */
    static String principalId(long id) {
        return PRINCIPAL_PREFIX + id;
    }

    /** The row id a stored key's principal id ({@code key-<id>}) names; null for any other id. */
    static Long storedId(String principalId) {
        if (principalId == null || !principalId.matches("key-\\d{1,18}")) {
            return null;
        }
        return Long.parseLong(principalId.substring(PRINCIPAL_PREFIX.length()));
    }

    private static <T> Mono<T> guarded(Mono<T> query) {
        return Queries.bounded(query, TIMEOUT);
    }

    private static StoredKey stored(Readable row) {
        return new StoredKey(row.get("id", Long.class), row.get("name", String.class), row.get("prefix", String.class),
                Arrays.asList(row.get("scopes", String[].class)), row.get("created_at", OffsetDateTime.class),
                row.get("last_used_at", OffsetDateTime.class), row.get("revoked_at", OffsetDateTime.class));
    }

    static Set<Scope> scopes(String[] names) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String name : names) {
            scopes.add(Scope.valueOf(name.toUpperCase(java.util.Locale.ROOT)));
        }
        return scopes;
    }
}
