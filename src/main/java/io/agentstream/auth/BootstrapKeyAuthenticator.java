package io.agentstream.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Accepts the keys of AGENTPIPE_BRIDGE_API_KEY for ingest and read. Only their SHA-256
 * hashes are kept; a presented key is hashed and compared against every stored hash with
 * {@link MessageDigest#isEqual}, so timing reveals neither which key nor how much matched.
 */
@Component
class BootstrapKeyAuthenticator implements ApiKeyAuthenticator {

    private static final Logger log = LoggerFactory.getLogger(BootstrapKeyAuthenticator.class);

    private final List<byte[]> keyHashes;

    BootstrapKeyAuthenticator(AuthProperties properties) {
        this.keyHashes = properties.bootstrapKeys().stream().map(BootstrapKeyAuthenticator::sha256).toList();
        if (keyHashes.isEmpty()) {
            log.warn("AGENTPIPE_BRIDGE_API_KEY is not set: every request to /api/ingest will be refused with 401");
        } else {
            log.info("{} bootstrap API key(s) configured", keyHashes.size());
        }
    }

    @Override
    public Mono<ApiKeyPrincipal> authenticate(String presentedKey) {
        byte[] presented = sha256(presentedKey);
        int matched = -1;
        for (int i = 0; i < keyHashes.size(); i++) {
            if (MessageDigest.isEqual(presented, keyHashes.get(i)) && matched < 0) {
                matched = i;
            }
        }
        if (matched < 0) {
            return Mono.empty();
        }
        return Mono.just(new ApiKeyPrincipal("bootstrap-" + (matched + 1),
                EnumSet.of(ApiKeyPrincipal.Scope.INGEST, ApiKeyPrincipal.Scope.READ)));
    }

    static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM provides SHA-256", e);
        }
    }
}
