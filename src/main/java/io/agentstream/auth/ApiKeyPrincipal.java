package io.agentstream.auth;

import java.util.Set;

/** Who called: the key's display name (never the key) and what it may do. */
public record ApiKeyPrincipal(String name, Set<Scope> scopes) {

    public enum Scope { INGEST, READ, ADMIN }

    public static final String EXCHANGE_ATTRIBUTE = ApiKeyPrincipal.class.getName();
}
