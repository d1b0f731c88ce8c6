package io.agentstream.auth;

import java.util.Set;

import io.agentstream.http.Caller;

/**
 * Who called and what it may do. Never holds the key itself.
 *
 * @param id             stable and not secret: a stored key's row id, or for a key from the
 *                       environment "env-" and the first 12 hex digits of its SHA-256; rate
 *                       limits are kept per id, and stored events and messages record it
 * @param name           the key's display name
 * @param conversationId for a stream token bound to one conversation; null otherwise
 */
public record ApiKeyPrincipal(String id, String name, Set<Scope> scopes, String conversationId) implements Caller {

    public enum Scope {
        INGEST, READ, ADMIN;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The same attribute other features read the {@link Caller} from. */
    public static final String EXCHANGE_ATTRIBUTE = Caller.EXCHANGE_ATTRIBUTE;

    public ApiKeyPrincipal {
        scopes = Set.copyOf(scopes);
    }

    public boolean has(Scope scope) {
        return scopes.contains(scope);
    }

    @Override
    public String keyId() {
        return id;
    }

    @Override
    public boolean mayAudit() {
        return has(Scope.ADMIN);
    }
}
