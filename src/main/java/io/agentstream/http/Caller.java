package io.agentstream.http;

import org.springframework.web.server.ServerWebExchange;

/**
 * Who sent a request, as far as features other than access control need to know: the id of
 * the key (recorded with what it stores, for audits) and whether it may audit others. The
 * authenticated key ({@code auth.ApiKeyPrincipal}) is one, under this exchange attribute.
 */
public interface Caller {

    /** The exchange attribute under which access control leaves the authenticated caller. */
    String EXCHANGE_ATTRIBUTE = "io.agentstream.auth.ApiKeyPrincipal";

    /** Stable and not secret: a stored key's {@code key-<id>}, or {@code env-} and 12 hex digits. */
    String keyId();

    /** Whether it may list what other keys sent. */
    boolean mayAudit();

    /** The caller of this exchange, or null when the route needs no key and none was sent. */
    static Caller of(ServerWebExchange exchange) {
        return exchange.getAttribute(EXCHANGE_ATTRIBUTE) instanceof Caller caller ? caller : null;
    }

    /** The caller's key id, or null. */
    static String keyIdOf(ServerWebExchange exchange) {
        Caller caller = of(exchange);
        return caller == null ? null : caller.keyId();
    }
}
