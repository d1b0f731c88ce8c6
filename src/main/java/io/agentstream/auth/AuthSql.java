package io.agentstream.auth;

/** Every statement of key management. */
final class AuthSql {

    private AuthSql() {
    }

    static final String INSERT = """
            insert into api_keys (name, prefix, key_hash, scopes) values (:name, :prefix, :key_hash, cast(:scopes as text[]))
            returning id, created_at
            """;

    static final String LIST = """
            select id, name, prefix, scopes, created_at, last_used_at, revoked_at from api_keys order by id
            """;

    static final String FIND_ACTIVE = """
            select id, name, scopes from api_keys where key_hash = :key_hash and revoked_at is null
            """;

    static final String ACTIVE = "select id, name, scopes, key_hash from api_keys where revoked_at is null";

    static final String IS_ACTIVE = "select exists (select 1 from api_keys where id = :id and revoked_at is null)";

    static final String REVOKE = """
            update api_keys set revoked_at = coalesce(revoked_at, now()) where id = :id returning revoked_at
            """;

    static final String TOUCH = "update api_keys set last_used_at = now() where id = :id";
}
