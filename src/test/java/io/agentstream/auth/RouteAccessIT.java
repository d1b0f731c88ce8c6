package io.agentstream.auth;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.agentstream.auth.ApiKeyPrincipal.Scope;
import io.agentstream.http.ManagementPort;
import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import io.agentstream.support.RawHttp;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.support.RouterFunctionMapping;
import org.springframework.web.reactive.result.method.RequestMappingInfo;
import org.springframework.web.reactive.result.method.RequestMappingInfoHandlerMapping;
import org.springframework.web.util.pattern.PathPattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static io.agentstream.support.Api.fixture;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Access is decided on the path the router routes: every route the application registers is
 * refused without a key unless it is on the documented public list, and no spelling of a
 * path (matrix parameters, percent-encoding, doubled slashes, dot segments, case, encoded
 * separators) reaches a handler without a key of the right scope, changes a row, or fails.
 */
@IntegrationTest
class RouteAccessIT {

    /** The documented public routes (README, "Access"): health, and the dashboard's page. */
    private static final Set<String> PUBLIC = Set.of("GET /api/health", "GET /actuator/health", "GET /actuator/health/{*path}",
            "GET /", "GET /conversations/{id}", "GET /assets/config.json");

    private static final String CONVERSATION = "route-access-conversation";
    private static final List<String> TABLES = List.of("api_keys", "conversations", "messages", "events");

    @Autowired
    Api api;

    @Autowired
    ApplicationContext context;

    @Autowired
    MeterRegistry meters;

    @LocalServerPort
    int port;

    private RawHttp http;
    private final Map<Scope, String> keyWith = new java.util.EnumMap<>(Scope.class);
    private long storedKeyId;

    /** A route as registered: one method and one pattern. */
    record Route(HttpMethod method, String pattern) {

        @Override
        public String toString() {
            return method.name() + " " + pattern;
        }
    }

    @BeforeEach
    void seed() {
        http = new RawHttp(port);
        for (Scope scope : Scope.values()) {
            JsonNode created = createKey("route-access-" + scope.wireName(), scope.wireName());
            keyWith.put(scope, created.get("key").asString());
            storedKeyId = created.get("id").asLong();
        }
        api.ingest(fixture("conversation-started.json").replace(Api.CONVERSATION, CONVERSATION)).expectStatus().is2xxSuccessful();
    }

    private JsonNode createKey(String name, String scope) {
        byte[] body = api.client().post().uri("/api/keys").header("Authorization", "Bearer " + Api.ADMIN_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", name, "scopes", List.of(scope)))
                .exchange().expectStatus().isCreated().expectBody().returnResult().getResponseBody();
        return JsonMapper.shared().readTree(body);
    }

    /**
     * Every method and pattern of every request-mapping handler mapping (controllers and the
     * actuator) and of every router function (the stream, the dashboard).
     */
    private List<Route> registeredRoutes() {
        Set<Route> routes = new LinkedHashSet<>();
        for (RouterFunctionMapping mapping : context.getBeansOfType(RouterFunctionMapping.class).values()) {
            if (mapping.getRouterFunction() != null) {
                mapping.getRouterFunction().accept(new FunctionalRoutes(routes));
            }
        }
        for (RequestMappingInfoHandlerMapping mapping : context.getBeansOfType(RequestMappingInfoHandlerMapping.class).values()) {
            for (RequestMappingInfo info : mapping.getHandlerMethods().keySet()) {
                Set<org.springframework.web.bind.annotation.RequestMethod> methods = info.getMethodsCondition().getMethods();
                for (PathPattern pattern : info.getPatternsCondition().getPatterns()) {
                    if (methods.isEmpty()) {
                        routes.add(new Route(HttpMethod.GET, pattern.getPatternString()));
                    }
                    methods.forEach(method -> routes.add(new Route(method.asHttpMethod(), pattern.getPatternString())));
                }
            }
        }
        return List.copyOf(routes);
    }

    /** A concrete path for a pattern: the seeded conversation, an existing key, "x" for the rest. */
    private String concrete(Route route) {
        String id = route.pattern().startsWith("/api/keys") ? Long.toString(storedKeyId) : CONVERSATION;
        return route.pattern().replaceAll("\\{\\*[^}]+}", "x").replaceAll("\\{[^}]+}", id);
    }

    private static String body(Route route) {
        if (route.method() != HttpMethod.POST) {
            return null;
        }
        return switch (route.pattern()) {
            case "/api/ingest" -> fixture("message-created.json");
            case "/api/sessions/upload" -> fixture("session-upload.json");
            case "/api/keys" -> "{\"name\":\"spelled\",\"scopes\":[\"admin\",\"read\",\"ingest\"]}";
            default -> "{}";
        };
    }

    @Test
    void everyRegisteredRouteNeedsAKeyUnlessItIsDocumentedAsPublic() {
        List<Route> routes = registeredRoutes();
        assertThat(routes).hasSizeGreaterThan(15);
        assertThat(routes.stream().map(Route::toString)).containsAll(PUBLIC);
        Map<String, Long> before = counts();
        for (Route route : routes) {
            RawHttp.Response response = http.send(route.method().name(), concrete(route), null, body(route));
            if (PUBLIC.contains(route.toString())) {
                assertThat(response.status()).as(route.toString()).isNotIn(401, 403);
            } else {
                assertThat(response.status()).as(route.toString()).isEqualTo(401);
                assertThat(response.header("Content-Type")).as(route.toString()).startsWith("application/problem+json");
                assertThat(response.header("WWW-Authenticate")).as(route.toString()).isEqualTo("Bearer realm=\"agentstream\"");
            }
        }
        assertThat(counts()).isEqualTo(before);
        // What no rule names is refused whatever the key; where no handler would take it either,
        // a valid key gets the router's 404 or 405.
        for (String key : keyWith.values()) {
            assertThat(http.send("GET", "/nowhere", key, null).status()).isEqualTo(404);
            assertThat(http.send("PUT", "/api/conversations", key, "{}").status()).isEqualTo(405);
        }
        assertThat(http.send("GET", "/nowhere", null, null).status()).isEqualTo(401);
        api.assertHealthy();
    }

    @Test
    void headIsAnsweredWherePublicGetIsAndIsNeverAFailedAuthentication() {
        double before = authFailures();
        api.client().head().uri("/api/health").exchange().expectStatus().isOk();
        api.client().head().uri("/actuator/health").exchange().expectStatus().isOk();
        api.client().head().uri("/").exchange().expectStatus().isOk();
        assertThat(authFailures()).isEqualTo(before);
        // Where GET needs a key, so does HEAD.
        api.client().head().uri("/api/conversations").exchange().expectStatus().isUnauthorized();
        assertThat(authFailures()).isEqualTo(before + 1);
    }

    private double authFailures() {
        return meters.find("agentstream.auth.failures").counters().stream().mapToDouble(counter -> counter.count()).sum();
    }

    @Test
    void noSpellingOfAProtectedPathReachesItsHandlerWithoutTheRightKey() {
        Map<String, Long> before = counts();
        int tried = 0;
        for (Route route : registeredRoutes()) {
            if (PUBLIC.contains(route.toString())) {
                continue;
            }
            Scope needed = requiredScope(route);
            List<String> spellings = spellings(concrete(route));
            assertThat(spellings).as(route.toString()).hasSizeGreaterThanOrEqualTo(30);
            for (String spelling : spellings) {
                List<String> keys = new ArrayList<>();
                keys.add(null);
                keyWith.forEach((scope, key) -> {
                    if (scope != needed) {
                        keys.add(key);
                    }
                });
                for (String key : keys) {
                    RawHttp.Response response = http.send(route.method().name(), spelling, key, body(route));
                    String what = route + " as " + route.method() + " " + spelling + (key == null ? " without a key" : " with a wrong-scope key");
                    assertThat(response.status()).as(what).isIn(400, 401, 403, 404, 405);
                    assertThat(response.header("Content-Type")).as(what).startsWith("application/problem+json");
                    // A handler's own answers have types of their own (conversation-not-found, ...):
                    // these are the firewall's, the security chain's and the router's only.
                    assertThat(response.body()).as(what).containsAnyOf("urn:problem:agentstream:ambiguous-request",
                            "urn:problem:agentstream:unauthorized", "urn:problem:agentstream:insufficient-scope",
                            "urn:problem:agentstream:not-found\"", "urn:problem:agentstream:method-not-allowed");
                    tried++;
                }
            }
        }
        System.out.printf("SPELLINGS tried %d requests; none reached a handler%n", tried);
        assertThat(counts()).isEqualTo(before);
        api.assertHealthy();
    }

    /** The requests that made anyone an admin, or reached handlers without a key. */
    @Test
    void theReportedBypassesAreRefusedAndChangeNothing() {
        Map<String, Long> before = counts();
        String read = keyWith.get(Scope.READ);
        String keys = "{\"name\":\"x\",\"scopes\":[\"admin\",\"read\",\"ingest\"]}";
        record Attempt(String method, String target, String key, String body, int status) {
        }
        List<Attempt> attempts = List.of(
                new Attempt("POST", "/api;x/keys", null, keys, 400),
                new Attempt("GET", "/api;x/conversations", null, null, 400),
                new Attempt("GET", "/api;x/events?after=0", null, null, 400),
                new Attempt("GET", "/api;x/realtime/stream", null, null, 400),
                new Attempt("GET", "/actuator;x/prometheus", null, null, 400),
                new Attempt("POST", "/api;x/ingest", null, fixture("message-created.json"), 400),
                new Attempt("DELETE", "/api;x/conversations/" + CONVERSATION, null, null, 400),
                new Attempt("POST", "/api/k%65ys", read, keys, 403),
                new Attempt("POST", "/api/keys;a=b", read, keys, 400),
                new Attempt("DELETE", "/api/k%65ys/" + storedKeyId, read, null, 403),
                new Attempt("POST", "/api/%69ngest", read, fixture("message-created.json"), 403),
                new Attempt("DELETE", "/api/%63onversations/" + CONVERSATION, read, null, 403),
                new Attempt("POST", "/api;x/realtime/token", null, "{}", 400),
                new Attempt("POST", "/api/realtime/token", null, "{}", 401));
        for (Attempt attempt : attempts) {
            RawHttp.Response response = http.send(attempt.method(), attempt.target(), attempt.key(), attempt.body());
            assertThat(response.status()).as(attempt.method() + " " + attempt.target()).isEqualTo(attempt.status());
            assertThat(response.header("Content-Type")).startsWith("application/problem+json");
            assertThat(response.header("X-Content-Type-Options")).isEqualTo("nosniff");
        }
        assertThat(counts()).isEqualTo(before);
        // The same requests, spelled plainly with the right key, do work: the rules are not simply closed.
        assertThat(http.send("POST", "/api/k%65ys", keyWith.get(Scope.ADMIN), keys).status()).isEqualTo(201);
        api.assertHealthy();
    }

    private Scope requiredScope(Route route) {
        for (AccessRules.Rule rule : new AccessRules(false, new ManagementPort()).rules()) {
            // The spellings are sent without query parameters: the route's general rule applies.
            if (rule.method() == route.method() && rule.pattern().equals(route.pattern()) && rule.queryParameter() == null) {
                return rule.scope();
            }
        }
        return null;
    }

    /** At least 30 spellings of one path, each one the router and a naive check could read differently. */
    static List<String> spellings(String path) {
        String[] segments = path.substring(1).split("/");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < segments.length; i++) {
            out.add(withSegment(segments, i, segments[i] + ";x"));
            out.add(withSegment(segments, i, segments[i] + ";a=b"));
            out.add(withSegment(segments, i, segments[i] + "%3bx"));
            out.add(withSegment(segments, i, encodeFirstLetter(segments[i])));
            out.add(withSegment(segments, i, segments[i].toUpperCase(Locale.ROOT)));
            out.add(withSegment(segments, i, "/" + segments[i]));
            out.add(withSegment(segments, i, "./" + segments[i]));
            out.add(withSegment(segments, i, "x/..;/" + segments[i]));
            out.add(withSegment(segments, i, "x/../" + segments[i]));
            out.add(withSegment(segments, i, "%2e/" + segments[i]));
            out.add(withSegment(segments, i, "x/%2e%2e/" + segments[i]));
        }
        for (int i = 1; i < segments.length; i++) {
            out.add("/" + String.join("/", java.util.Arrays.copyOfRange(segments, 0, i)) + "%2f"
                    + String.join("/", java.util.Arrays.copyOfRange(segments, i, segments.length)));
            out.add("/" + String.join("/", java.util.Arrays.copyOfRange(segments, 0, i)) + "%5c"
                    + String.join("/", java.util.Arrays.copyOfRange(segments, i, segments.length)));
        }
        out.add(path + "/");
        out.add(path + "//");
        out.add(path + "/.");
        out.add(path + ";");
        out.add(path + "%00");
        out.add(path + "%25");
        out.add(path + "%2f");
        out.add("/" + path);
        out.add(path.toUpperCase(Locale.ROOT));
        out.add("/." + path);
        for (String suffix : List.of("%2F", "%3B", "/%2e", "/..", "/..;", "%5C", ";jsessionid=x", "/%2E%2E", "%09", "%20")) {
            out.add(path + suffix);
        }
        return out;
    }

    private static String withSegment(String[] segments, int index, String replacement) {
        String[] copy = segments.clone();
        copy[index] = replacement;
        return "/" + String.join("/", copy);
    }

    private static String encodeFirstLetter(String segment) {
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (Character.isLetter(c)) {
                return segment.substring(0, i) + String.format("%%%02x", (int) c) + segment.substring(i + 1);
            }
        }
        return segment;
    }

    private Map<String, Long> counts() {
        Map<String, Long> counts = new java.util.LinkedHashMap<>();
        for (String table : TABLES) {
            counts.put(table, api.count("select count(*) from " + table));
        }
        counts.put("revoked keys", api.count("select count(*) from api_keys where revoked_at is not null"));
        return counts;
    }

    /** The method and path of each route of a router function built with GET(pattern, handler) and the like. */
    private record FunctionalRoutes(Set<Route> routes) implements RouterFunctions.Visitor {

        @Override
        public void route(RequestPredicate predicate, HandlerFunction<?> handler) {
            Set<HttpMethod> methods = new LinkedHashSet<>();
            List<String> paths = new ArrayList<>();
            predicate.accept(new RequestPredicates.Visitor() {
                @Override
                public void method(Set<HttpMethod> visited) {
                    methods.addAll(visited);
                }

                @Override
                public void path(String pattern) {
                    paths.add(pattern);
                }

                @Override
                public void pathExtension(String extension) {
                }

                @Override
                public void header(String name, String value) {
                }

                @Override
                public void queryParam(String name, String value) {
                }

                @Override
                public void version(String version) {
                }

                @Override
                public void startAnd() {
                }

                @Override
                public void and() {
                }

                @Override
                public void endAnd() {
                }

                @Override
                public void startOr() {
                }

                @Override
                public void or() {
                }

                @Override
                public void endOr() {
                }

                @Override
                public void startNegate() {
                }

                @Override
                public void endNegate() {
                }

                @Override
                public void unknown(RequestPredicate unknown) {
                    throw new AssertionError("a route this test cannot read: " + unknown);
                }
            });
            // A HEAD twin of a GET route is checked with its GET here, and on its own by the HEAD
            // test (this test's client reads bodies by their Content-Length, which HEAD has none of).
            methods.remove(HttpMethod.HEAD);
            for (String path : paths) {
                methods.forEach(method -> routes.add(new Route(method, path)));
            }
        }

        @Override
        public void startNested(RequestPredicate predicate) {
            throw new AssertionError("nested routes: read their prefix too");
        }

        @Override
        public void endNested(RequestPredicate predicate) {
        }

        @Override
        public void resources(java.util.function.Function<ServerRequest, reactor.core.publisher.Mono<org.springframework.core.io.Resource>> lookup) {
        }

        @Override
        public void attributes(Map<String, Object> attributes) {
        }

        @Override
        public void unknown(RouterFunction<?> unknown) {
        }
    }
}
