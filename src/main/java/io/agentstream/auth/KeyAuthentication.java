package io.agentstream.auth;

import java.util.Collection;

import io.agentstream.auth.ApiKeyPrincipal.Scope;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** An authenticated caller: its principal, and its scopes as {@code SCOPE_<name>} authorities. */
final class KeyAuthentication extends AbstractAuthenticationToken {

    private final ApiKeyPrincipal principal;

    KeyAuthentication(ApiKeyPrincipal principal) {
        super(authorities(principal));
        this.principal = principal;
        setAuthenticated(true);
    }

    static String authority(Scope scope) {
        return "SCOPE_" + scope.wireName();
    }

    private static Collection<GrantedAuthority> authorities(ApiKeyPrincipal principal) {
        return principal.scopes().stream().sorted().<GrantedAuthority>map(scope -> new SimpleGrantedAuthority(authority(scope)))
                .toList();
    }

    @Override
    public Object getCredentials() {
        return null;
    }

    @Override
    public ApiKeyPrincipal getPrincipal() {
        return principal;
    }

    @Override
    public String getName() {
        return principal.id();
    }
}
