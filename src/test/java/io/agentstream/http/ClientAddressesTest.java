package io.agentstream.http;

import java.net.InetSocketAddress;
import java.util.List;

import io.agentstream.config.InvalidConfigurationException;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientAddressesTest {

    private static String client(List<String> trusted, String peer, String... forwardedFor) {
        MockServerHttpRequest.BaseBuilder<?> request = MockServerHttpRequest.get("/api/realtime/stream")
                .remoteAddress(new InetSocketAddress(peer, 40000));
        for (String header : forwardedFor) {
            request.header("X-Forwarded-For", header);
        }
        return new ClientAddresses(new HttpProperties(trusted, List.of())).clientAddress(request.build());
    }

    @Test
    void anUntrustedPeerIsTheClientWhateverItForwards() {
        assertThat(client(List.of(), "203.0.113.9", "10.0.0.1")).isEqualTo("203.0.113.9");
        assertThat(client(List.of("10.0.0.0/8"), "203.0.113.9", "10.0.0.1")).isEqualTo("203.0.113.9");
    }

    @Test
    void aTrustedProxyNamesTheNearestUntrustedHop() {
        assertThat(client(List.of("10.0.0.0/8"), "10.1.2.3", "198.51.100.7")).isEqualTo("198.51.100.7");
        // The leftmost entry is whatever the client claimed; only the hops our proxies appended count.
        assertThat(client(List.of("10.0.0.0/8"), "10.1.2.3", "1.1.1.1, 198.51.100.7, 10.9.9.9")).isEqualTo("198.51.100.7");
        assertThat(client(List.of("10.0.0.0/8"), "10.1.2.3", "1.1.1.1", "198.51.100.7")).isEqualTo("198.51.100.7");
        assertThat(client(List.of("::1"), "::1", "2001:db8::5")).isEqualTo("2001:db8:0:0:0:0:0:5");
    }

    @Test
    void garbageInTheHeaderStopsTheWalk() {
        assertThat(client(List.of("10.0.0.0/8"), "10.1.2.3", "example.com")).isEqualTo("10.1.2.3");
        assertThat(client(List.of("10.0.0.0/8"), "10.1.2.3")).isEqualTo("10.1.2.3");
    }

    @Test
    void badRangesFailAtStartUpNamingTheVariable() {
        for (String bad : List.of("10.0.0.0/33", "example.com", "10.0.0", "::1/129", "10.0.0.0/x")) {
            assertThatThrownBy(() -> new HttpProperties(List.of(bad), List.of()))
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("TRUSTED_PROXIES");
        }
    }
}
