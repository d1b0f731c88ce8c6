package io.agentstream.http;

import org.springframework.web.server.ServerWebExchange;

/**
 * Who made a request, as far as features other than auth need to know: the id of its key
 * (stable, not secret; never the key itself), set by authentication. Logs, audit columns and
 * metrics read it here, so that they need nothing from auth.
 */
public final class Callers {

    /** The exchange attribute holding the caller's key id; absent for a request without one. */
    public static final String KEY_ID = Callers.class.getName() + ".keyId";

    private Callers() {
    }

    /** The caller's key id, or null when the request carried none (a public route). */
    public static String keyId(ServerWebExchange exchange) {
        return exchange.getAttribute(KEY_ID);
    }
}
