package io.agentstream.auth;

import java.time.Instant;
import java.util.List;

import io.agentstream.http.Routes;
import io.agentstream.problem.ApiProblem;
import io.agentstream.problem.FieldError;
import io.agentstream.validation.Identifiers;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * {@code POST /api/realtime/token} (read scope): a short-lived token for
 * {@code /api/realtime/stream?access_token=}, optionally bound to one conversation.
 */
@RestController
class StreamTokenController {

    record TokenRequest(String conversationId) {
    }

    record TokenResponse(String token, Instant expiresAt, String conversationId) {
    }

    private final StreamTokens tokens;

    StreamTokenController(StreamTokens tokens) {
        this.tokens = tokens;
    }

    @PostMapping(Routes.STREAM_TOKEN)
    Mono<TokenResponse> issue(@RequestBody(required = false) TokenRequest request, ServerWebExchange exchange) {
        String conversation = request == null ? null : request.conversationId();
        if (conversation != null && !Identifiers.isValid(conversation)) {
            return Mono.error(new ApiProblem(HttpStatus.BAD_REQUEST, "invalid-token-request", "Invalid token request",
                    "See errors.").withErrors(List.of(new FieldError("conversation_id", Identifiers.MESSAGE))));
        }
        ApiKeyPrincipal caller = exchange.getAttribute(ApiKeyPrincipal.EXCHANGE_ATTRIBUTE);
        if (caller == null) {
            // The security chain admits only a read key here; should it ever not, refuse rather than sign.
            return Mono.error(new ApiProblem(HttpStatus.UNAUTHORIZED, "unauthorized", "Unauthorized",
                    "A valid API key with the 'read' scope is required."));
        }
        StreamTokens.Issued issued = tokens.issue(caller, conversation);
        return Mono.just(new TokenResponse(issued.token(), issued.expiresAt(), conversation));
    }
}
