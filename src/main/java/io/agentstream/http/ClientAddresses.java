package io.agentstream.http;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;

/**
 * Who the client is: the socket's peer, or, when that peer is a trusted proxy, the nearest
 * address in X-Forwarded-For that is not itself a trusted proxy (walking from the right,
 * because only the entries our proxies appended can be believed). An entry that is not an
 * address literal ends the walk and is counted; none is ever resolved as a name.
 *
 * <p>{@link #clientAddress} is the address, for logs; {@link #clientKey} is what per-client
 * limits count by: an IPv4 address, or an IPv6 address's /64, since one host commonly holds
 * a whole /64 and could otherwise take a new address for every request.
 */
@Component
public class ClientAddresses {

    private final List<AddressRange> trustedProxies;
    private final Counter notLiterals;

    public ClientAddresses(HttpProperties properties, MeterRegistry meters) {
        this.trustedProxies = properties.trustedProxies().stream().map(AddressRange::parse).toList();
        this.notLiterals = Counter.builder("agentstream.http.forwarded.invalid")
                .description("X-Forwarded-For entries from a trusted proxy that were not an IP address (ignored)")
                .register(meters);
    }

    /** The per-client limits' key: the client's IPv4 address, or the /64 its IPv6 address lies in. */
    public String clientKey(ServerHttpRequest request) {
        InetAddress client = client(request);
        if (client == null) {
            return "unknown";
        }
        if (client instanceof Inet6Address) {
            byte[] prefix = Arrays.copyOf(client.getAddress(), 16);
            Arrays.fill(prefix, 8, 16, (byte) 0);
            try {
                return InetAddress.getByAddress(prefix).getHostAddress() + "/64";
            } catch (UnknownHostException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
        return client.getHostAddress();
    }

    /** The client's address, for logs. */
    public String clientAddress(ServerHttpRequest request) {
        InetAddress client = client(request);
        return client == null ? "unknown" : client.getHostAddress();
    }

    private InetAddress client(ServerHttpRequest request) {
        InetSocketAddress remote = request.getRemoteAddress();
        InetAddress peer = remote == null ? null : remote.getAddress();
        if (peer == null) {
            return null;
        }
        if (!isTrusted(peer)) {
            return peer;
        }
        List<String> forwarded = request.getHeaders().getValuesAsList("X-Forwarded-For");
        InetAddress client = peer;
        for (int i = forwarded.size() - 1; i >= 0; i--) {
            InetAddress hop;
            try {
                hop = AddressRange.literal(forwarded.get(i).strip());
            } catch (IllegalArgumentException e) {
                notLiterals.increment();
                break;
            }
            client = hop;
            if (!isTrusted(hop)) {
                break;
            }
        }
        return client;
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
