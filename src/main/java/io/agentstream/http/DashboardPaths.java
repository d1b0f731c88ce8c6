package io.agentstream.http;

import java.util.List;

/**
 * What the dashboard page needs from the access layer: the paths it loads without a key
 * (GET only; its API calls carry the user's key) and the Content-Security-Policy those
 * responses carry. The page runs only its own modules and styles, and talks only to its
 * own origin; API responses keep their stricter policy.
 */
public final class DashboardPaths {

    /** Spring path patterns of the page, its static assets and its deep links. */
    public static final List<String> PUBLIC_PATTERNS = List.of(
            "/", "/index.html", "/conversations/*", "/assets/**", "/favicon.ico");

    /** No inline script or style, no eval, no plug-ins, no framing, requests to this origin only. */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; "
            + "form-action 'none'; frame-ancestors 'none'";

    private DashboardPaths() {
    }
}
