package io.agentstream.auth;

import io.agentstream.auth.PresentedCredentials.BearerKey;
import io.agentstream.auth.PresentedCredentials.StreamToken;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.core.Authentication;
import reactor.core.publisher.Mono;

/**
 * Checks presented credentials: a key against the bootstrap and stored keys; a stream token
 * by its signature and expiry, its conversation binding, and whether the key that issued it
 * is still active, so a revoked key's tokens stop opening streams as soon as the key does.
 * Every refusal is the same {@link BadCredentialsException}: a caller learns nothing about
 * which keys exist.
 */
final class ApiKeyAuthenticationManager implements ReactiveAuthenticationManager {

    private final KeyAuthenticator keys;
    private final StreamTokens tokens;

    ApiKeyAuthenticationManager(KeyAuthenticator keys, StreamTokens tokens) {
        this.keys = keys;
        this.tokens = tokens;
    }

    @Override
    public Mono<Authentication> authenticate(Authentication authentication) {
        if (!(authentication instanceof PresentedCredentials presented)) {
            return Mono.empty();
        }
        Mono<ApiKeyPrincipal> principal = switch (presented.credential()) {
            case BearerKey key -> keys.authenticate(key.key());
            case StreamToken token -> Mono.justOrEmpty(tokens.verify(token.token()))
                    .filter(claimed -> claimed.conversationId() == null
                            || claimed.conversationId().equals(token.requestedConversation()))
                    .filterWhen(claimed -> keys.isActive(claimed.id()));
        };
        return principal.<Authentication>map(KeyAuthentication::new)
                .switchIfEmpty(Mono.error(() -> new BadCredentialsException("no active key matches")));
    }
}
