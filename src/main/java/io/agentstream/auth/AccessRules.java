package io.agentstream.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.agentstream.auth.ApiKeyPrincipal.Scope;
import io.agentstream.http.DashboardPaths;
import io.agentstream.http.ManagementPort;
import io.agentstream.http.Routes;
import org.springframework.http.HttpMethod;
import org.springframework.security.web.server.util.matcher.PathPatternParserServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Every route the service answers, with who may call it: public, or a key (or stream token)
 * with one scope. The security chain is built from this table and refuses whatever it does
 * not list (deny by default). Rules match the routed path, parsed the way the router parses
 * it, after the firewall has refused every ambiguous spelling.
 *
 * <p>The table and each rule's matcher (a parsed path pattern) are built once: the chain asks
 * {@link #ruleFor} on every request.
 */
final class AccessRules {

    /** A rule with its matcher, parsed once. */
    private record Matching(Rule rule, ServerWebExchangeMatcher matcher) {
    }

    private final boolean publicStream;
    private final ManagementPort managementPort;
    private final List<Rule> rules;
    private final List<Matching> matching;

    /**
     * @param publicStream   STREAM_PUBLIC: the live stream and {@code /api/events} need no key
     * @param managementPort MANAGEMENT_PORT's server, whose actuator endpoints need no key
     */
    AccessRules(boolean publicStream, ManagementPort managementPort) {
        this.publicStream = publicStream;
        this.managementPort = managementPort;
        this.rules = build();
        this.matching = rules.stream().map(rule -> new Matching(rule, rule.matcher())).toList();
    }

    /**
     * A method and path pattern, and the scope it needs (null: public). With a query
     * parameter, the rule matches only requests that carry it (the audit listing of
     * {@code /api/events?key_id=}), and stands before the route's general rule. With
     * {@code managementPortOnly}, only requests that came in on MANAGEMENT_PORT's server.
     */
    record Rule(HttpMethod method, String pattern, String queryParameter, Scope scope, ManagementPort managementPortOnly) {

        Rule(HttpMethod method, String pattern, Scope scope) {
            this(method, pattern, null, scope, null);
        }

        Rule(HttpMethod method, String pattern, String queryParameter, Scope scope) {
            this(method, pattern, queryParameter, scope, null);
        }

        ServerWebExchangeMatcher matcher() {
            ServerWebExchangeMatcher path = new PathPatternParserServerWebExchangeMatcher(pattern, method);
            if (managementPortOnly != null) {
                return exchange -> managementPortOnly.received(exchange.getRequest())
                        ? path.matches(exchange) : ServerWebExchangeMatcher.MatchResult.notMatch();
            }
            if (queryParameter == null) {
                return path;
            }
            return exchange -> exchange.getRequest().getQueryParams().containsKey(queryParameter)
                    ? path.matches(exchange) : ServerWebExchangeMatcher.MatchResult.notMatch();
        }

        boolean isPublic() {
            return scope == null;
        }
    }

    List<Rule> rules() {
        return rules;
    }

    private List<Rule> build() {
        List<Rule> rules = new ArrayList<>();
        // MANAGEMENT_PORT is private by contract (README, RUNBOOK): Prometheus and the
        // orchestrator's probes reach it without a key. The service port's rules follow.
        rules.add(new Rule(HttpMethod.GET, Routes.ACTUATOR, null, null, managementPort));
        rules.add(new Rule(HttpMethod.GET, Routes.HEALTH, null));
        rules.add(new Rule(HttpMethod.GET, Routes.ACTUATOR_HEALTH, null));
        rules.add(new Rule(HttpMethod.GET, Routes.ACTUATOR_HEALTH_GROUPS, null));
        // The dashboard's page, assets and deep links: static, public; its API calls carry the user's key.
        for (String pattern : DashboardPaths.PUBLIC_PATTERNS) {
            rules.add(new Rule(HttpMethod.GET, pattern, null));
        }
        rules.add(new Rule(HttpMethod.GET, Routes.STREAM, publicStream ? null : Scope.READ));
        // Listing what one key sent is an audit, whatever STREAM_PUBLIC says.
        rules.add(new Rule(HttpMethod.GET, Routes.EVENTS, "key_id", Scope.ADMIN));
        rules.add(new Rule(HttpMethod.GET, Routes.EVENTS, publicStream ? null : Scope.READ));

        rules.add(new Rule(HttpMethod.POST, Routes.INGEST, Scope.INGEST));
        rules.add(new Rule(HttpMethod.POST, Routes.UPLOAD, Scope.INGEST));

        rules.add(new Rule(HttpMethod.POST, Routes.STREAM_TOKEN, Scope.READ));
        rules.add(new Rule(HttpMethod.GET, Routes.CONVERSATIONS, Scope.READ));
        rules.add(new Rule(HttpMethod.GET, Routes.CONVERSATION, Scope.READ));
        rules.add(new Rule(HttpMethod.GET, Routes.CONVERSATION_MESSAGES, Scope.READ));
        rules.add(new Rule(HttpMethod.GET, Routes.CONVERSATION_EXPORT, Scope.READ));
        rules.add(new Rule(HttpMethod.GET, Routes.METRICS_SUMMARY, Scope.READ));

        rules.add(new Rule(HttpMethod.DELETE, Routes.CONVERSATION, Scope.ADMIN));
        rules.add(new Rule(HttpMethod.GET, Routes.KEYS, Scope.ADMIN));
        rules.add(new Rule(HttpMethod.POST, Routes.KEYS, Scope.ADMIN));
        rules.add(new Rule(HttpMethod.DELETE, Routes.KEY, Scope.ADMIN));
        rules.add(new Rule(HttpMethod.GET, Routes.ACTUATOR_PROMETHEUS, Scope.ADMIN));
        rules.add(new Rule(HttpMethod.GET, Routes.ACTUATOR_INFO, Scope.ADMIN));

        // HEAD wherever GET is public (health, the dashboard, the management port): a monitor's
        // or a browser's HEAD is answered like its GET, not refused as a failed authentication.
        // Not the stream and /api/events, which are public only with STREAM_PUBLIC and read data.
        for (Rule rule : List.copyOf(rules)) {
            if (rule.method() == HttpMethod.GET && rule.isPublic() && rule.queryParameter() == null
                    && !Routes.STREAM.equals(rule.pattern()) && !Routes.EVENTS.equals(rule.pattern())) {
                rules.add(new Rule(HttpMethod.HEAD, rule.pattern(), null, null, rule.managementPortOnly()));
            }
        }
        return List.copyOf(rules);
    }

    /** The first rule that matches this request, if any: what a refusal names as missing. */
    Mono<Optional<Rule>> ruleFor(ServerWebExchange exchange) {
        return Flux.fromIterable(matching)
                .concatMap(entry -> entry.matcher().matches(exchange).map(match -> match.isMatch() ? Optional.of(entry.rule())
                        : Optional.<Rule>empty()))
                .filter(Optional::isPresent)
                .next()
                .defaultIfEmpty(Optional.empty());
    }
}
