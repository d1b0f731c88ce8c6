package io.agentstream.http;

/**
 * Every route the service answers, named once: the controllers map these, the access rules
 * give each its scope, and the rate limiter its group. Patterns are Spring path patterns,
 * matched against the routed (decoded) path.
 */
public final class Routes {

    private Routes() {
    }

    public static final String API = "/api/**";

    public static final String HEALTH = "/api/health";
    /** Every actuator endpoint: on MANAGEMENT_PORT, when set, the only routes served there. */
    public static final String ACTUATOR = "/actuator/**";
    public static final String ACTUATOR_HEALTH = "/actuator/health";
    public static final String ACTUATOR_HEALTH_GROUPS = "/actuator/health/**";
    public static final String ACTUATOR_PROMETHEUS = "/actuator/prometheus";
    public static final String ACTUATOR_INFO = "/actuator/info";

    public static final String INGEST = "/api/ingest";
    public static final String UPLOAD = "/api/sessions/upload";

    public static final String STREAM = "/api/realtime/stream";
    public static final String STREAM_TOKEN = "/api/realtime/token";
    public static final String EVENTS = "/api/events";

    public static final String CONVERSATIONS = "/api/conversations";
    public static final String CONVERSATION = "/api/conversations/{id}";
    public static final String CONVERSATION_MESSAGES = "/api/conversations/{id}/messages";
    public static final String CONVERSATION_EXPORT = "/api/conversations/{id}/export";
    public static final String METRICS_SUMMARY = "/api/metrics/summary";

    public static final String KEYS = "/api/keys";
    public static final String KEY = "/api/keys/{id}";
}
