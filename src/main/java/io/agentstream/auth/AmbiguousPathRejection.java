package io.agentstream.auth;

import io.agentstream.problem.ApiProblem;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedException;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedHandler;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * A request the firewall refused before routing (a {@code ;} parameter, an encoded {@code /},
 * {@code \} or {@code %}, a dot segment, {@code //}, a control character): a 400 problem. Such
 * a path could be read one way by a rule and another by the router, so none is served. The
 * detail does not echo the path.
 */
final class AmbiguousPathRejection implements ServerExchangeRejectedHandler {

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, ServerExchangeRejectedException rejected) {
        // Refused before the security chain, whose header writer therefore never ran.
        SecurityConfiguration.apiHeaders(exchange.getResponse());
        return Mono.error(new ApiProblem(HttpStatus.BAD_REQUEST, "ambiguous-request", "Ambiguous request",
                "The request was refused before routing: its path or headers hold a ';' parameter, an encoded '/', '\\\\' "
                        + "or '%', a '.' or '..' segment, '//', or a control character. Send the plain path."));
    }
}
