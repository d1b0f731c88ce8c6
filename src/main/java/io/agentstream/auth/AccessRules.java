package io.agentstream.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.agentstream.auth.ApiKeyPrincipal.Scope;
import org.springframework.http.HttpMethod;
import org.springframework.security.web.server.util.matcher.PathPatternParserServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Every route the service answers, with who may call it: public, or a key (or stream token)
 * with one scope. The security chain is built from this table and refuses whatever it does
 * not list (deny by default). Rules match the routed path, parsed the way the router parses
 * it, after the firewall has refused every ambiguous spelling.
 *
 * @param publicStream STREAM_PUBLIC: the live stream and {@code /api/events} need no key
 */
record AccessRules(boolean publicStream) {

    /** A method and path pattern, and the scope it needs (null: public). */
    record Rule(HttpMethod method, String pattern, Scope scope) {

        ServerWebExchangeMatcher matcher() {
            return new PathPatternParserServerWebExchangeMatcher(pattern, method);
        }

        boolean isPublic() {
            return scope == null;
        }
    }

    static final String STREAM = "/api/realtime/stream";

    List<Rule> rules() {
        List<Rule> rules = new ArrayList<>();
        rules.add(new Rule(HttpMethod.GET, "/api/health", null));
        rules.add(new Rule(HttpMethod.GET, "/actuator/health", null));
        rules.add(new Rule(HttpMethod.GET, "/actuator/health/**", null));
        rules.add(new Rule(HttpMethod.GET, STREAM, publicStream ? null : Scope.READ));
        rules.add(new Rule(HttpMethod.GET, "/api/events", publicStream ? null : Scope.READ));

        rules.add(new Rule(HttpMethod.POST, "/api/ingest", Scope.INGEST));
        rules.add(new Rule(HttpMethod.POST, "/api/sessions/upload", Scope.INGEST));

        rules.add(new Rule(HttpMethod.POST, "/api/realtime/token", Scope.READ));
        rules.add(new Rule(HttpMethod.GET, "/api/conversations", Scope.READ));
        rules.add(new Rule(HttpMethod.GET, "/api/conversations/{id}", Scope.READ));
        rules.add(new Rule(HttpMethod.GET, "/api/conversations/{id}/messages", Scope.READ));
        rules.add(new Rule(HttpMethod.GET, "/api/conversations/{id}/export", Scope.READ));
        rules.add(new Rule(HttpMethod.GET, "/api/metrics/summary", Scope.READ));

        rules.add(new Rule(HttpMethod.DELETE, "/api/conversations/{id}", Scope.ADMIN));
        rules.add(new Rule(HttpMethod.GET, "/api/keys", Scope.ADMIN));
        rules.add(new Rule(HttpMethod.POST, "/api/keys", Scope.ADMIN));
        rules.add(new Rule(HttpMethod.DELETE, "/api/keys/{id}", Scope.ADMIN));
        rules.add(new Rule(HttpMethod.GET, "/actuator/prometheus", Scope.ADMIN));
        rules.add(new Rule(HttpMethod.GET, "/actuator/info", Scope.ADMIN));
        return List.copyOf(rules);
    }

    /** The first rule that matches this request, if any: what a refusal names as missing. */
    Mono<Optional<Rule>> ruleFor(ServerWebExchange exchange) {
        return reactor.core.publisher.Flux.fromIterable(rules())
                .concatMap(rule -> rule.matcher().matches(exchange).map(match -> match.isMatch() ? Optional.of(rule)
                        : Optional.<Rule>empty()))
                .filter(Optional::isPresent)
                .next()
                .defaultIfEmpty(Optional.empty());
    }
}
