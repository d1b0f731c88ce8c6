package io.agentstream.auth;

import reactor.core.publisher.Mono;

/**
 * Resolves a presented bearer key to its principal, or empty when no active key matches.
 * Implementations compare hashes in constant time and never log the key.
 */
public interface ApiKeyAuthenticator {

    Mono<ApiKeyPrincipal> authenticate(String presentedKey);
}
