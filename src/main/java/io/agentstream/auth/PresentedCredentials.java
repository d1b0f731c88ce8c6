package io.agentstream.auth;

import java.util.List;

import org.springframework.security.authentication.AbstractAuthenticationToken;

/**
 * What a request presented, before it is checked: a bearer key, or (on the stream only) a
 * stream token with the conversation the request filters on. Never printed: it holds a secret.
 */
final class PresentedCredentials extends AbstractAuthenticationToken {

    sealed interface Credential permits BearerKey, StreamToken {
    }

    record BearerKey(String key) implements Credential {
        @Override
        public String toString() {
            return "BearerKey[redacted]";
        }
    }

    /** @param requestedConversation the stream's conversation_id filter, which a bound token must equal */
    record StreamToken(String token, String requestedConversation) implements Credential {
        @Override
        public String toString() {
            return "StreamToken[redacted]";
        }
    }

    private final Credential credential;

    PresentedCredentials(Credential credential) {
        super(List.of());
        this.credential = credential;
        setAuthenticated(false);
    }

    Credential credential() {
        return credential;
    }

    @Override
    public Object getCredentials() {
        return credential;
    }

    @Override
    public Object getPrincipal() {
        return null;
    }

    @Override
    public String toString() {
        return "PresentedCredentials[redacted]";
    }
}
