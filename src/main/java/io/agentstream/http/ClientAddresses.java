package io.agentstream.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;

/**
 * Who the client is, for per-client limits: the socket's peer, or, when that peer is a
 * trusted proxy, the nearest address in X-Forwarded-For that is not itself a trusted proxy
 * (walking from the right, because only the entries our proxies appended can be believed).
 */
@Component
public class ClientAddresses {

    private final List<AddressRange> trustedProxies;

    public ClientAddresses(HttpProperties properties) {
        this.trustedProxies = properties.trustedProxies().stream().map(AddressRange::parse).toList();
    }

    public String clientAddress(ServerHttpRequest request) {
        InetSocketAddress remote = request.getRemoteAddress();
        InetAddress peer = remote == null ? null : remote.getAddress();
        if (peer == null) {
            return "unknown";
        }
        if (!isTrusted(peer)) {
            return peer.getHostAddress();
        }
        List<String> forwarded = request.getHeaders().getValuesAsList("X-Forwarded-For");
        InetAddress client = peer;
        for (int i = forwarded.size() - 1; i >= 0; i--) {
            InetAddress hop;
            try {
                hop = AddressRange.literal(forwarded.get(i).strip());
            } catch (IllegalArgumentException e) {
                break;
            }
            client = hop;
            if (!isTrusted(hop)) {
                break;
            }
        }
        return client.getHostAddress();
    }

    /** Whether the socket's peer is one of TRUSTED_PROXIES (whose forwarded headers count). */
    public boolean fromTrustedProxy(ServerHttpRequest request) {
        InetSocketAddress remote = request.getRemoteAddress();
        return remote != null && remote.getAddress() != null && isTrusted(remote.getAddress());
    }

    private boolean isTrusted(InetAddress address) {
        for (AddressRange range : trustedProxies) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
