package io.agentstream.auth;

import io.agentstream.auth.ApiKeyPrincipal.Scope;
import org.springframework.http.HttpMethod;

/**
 * Which scope each endpoint needs: ingest and upload need {@code ingest}; key management,
 * deleting a conversation and the actuator's metrics need {@code admin}; everything else
 * under {@code /api} (the stream, events, the read API, stream tokens) needs {@code read}.
 * Null means public.
 */
final class AccessPolicy {

    private AccessPolicy() {
    }

    static Scope required(HttpMethod method, String path, boolean publicStream) {
        if (path.equals("/api/health") || path.startsWith("/actuator/health")) {
            return null;
        }
        if (publicStream && (path.equals("/api/realtime/stream") || path.equals("/api/events"))) {
            return null;
        }
        if (path.startsWith("/actuator/")) {
            return Scope.ADMIN;
        }
        if (!path.startsWith("/api/")) {
            return null;
        }
        if (path.equals("/api/ingest") || path.equals("/api/sessions/upload")) {
            return Scope.INGEST;
        }
        if (path.equals("/api/keys") || path.startsWith("/api/keys/")
                || (HttpMethod.DELETE.equals(method) && path.startsWith("/api/conversations/"))) {
            return Scope.ADMIN;
        }
        return Scope.READ;
    }
}
