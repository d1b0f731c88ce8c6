package io.agentstream.http;

import java.net.InetSocketAddress;
import java.util.List;

import io.agentstream.config.InvalidConfigurationException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientAddressesTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private MockServerHttpRequest request(String peer, String... forwardedFor) {
        MockServerHttpRequest.BaseBuilder<?> request = MockServerHttpRequest.get("/api/realtime/stream")
                .remoteAddress(new InetSocketAddress(peer, 40000));
        for (String header : forwardedFor) {
            request.header("X-Forwarded-For", header);
        }
        return request.build();
    }

    private String client(List<String> trusted, String peer, String... forwardedFor) {
        return new ClientAddresses(new HttpProperties(trusted, List.of()), meters).clientAddress(request(peer, forwardedFor));
    }

    private String key(List<String> trusted, String peer, String... forwardedFor) {
        return new ClientAddresses(new HttpProperties(trusted, List.of()), meters).clientKey(request(peer, forwardedFor));
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
    void garbageInTheHeaderStopsTheWalkAndIsCounted() {
        assertThat(client(List.of("10.0.0.0/8"), "10.1.2.3", "example.com")).isEqualTo("10.1.2.3");
        assertThat(client(List.of("10.0.0.0/8"), "10.1.2.3")).isEqualTo("10.1.2.3");
        assertThat(meters.counter("agentstream.http.forwarded.invalid").count()).isEqualTo(1);
    }

    @Test
    void aNameThatLooksLikeAnAddressIsNeverLookedUp() {
        // Hex letters and three dots, or a host name: InetAddress would ask DNS for these, on the event loop.
        for (String name : List.of("beef.dead.face.cafe", "abc.def.ab.cd", "1.2.3.4.example", "0x7f.0.0.1",
                "localhost", "fe80::1%eth0", "1.2.3", "256.1.1.1", "01.2.3.4")) {
            assertThat(client(List.of("10.0.0.0/8"), "10.1.2.3", name)).as(name).isEqualTo("10.1.2.3");
            assertThatThrownBy(() -> AddressRange.literal(name)).as(name).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(meters.counter("agentstream.http.forwarded.invalid").count()).isEqualTo(9);
        assertThat(AddressRange.literal("192.0.2.1").getHostAddress()).isEqualTo("192.0.2.1");
        assertThat(AddressRange.literal("::ffff:192.0.2.1").getHostAddress()).isEqualTo("192.0.2.1");
    }

    @Test
    void limitsCountAnIpv6ClientByItsSlash64AndAnIpv4ClientByItsAddress() {
        assertThat(key(List.of(), "2001:db8:1:2:aaaa::1")).isEqualTo("2001:db8:1:2:0:0:0:0/64");
        assertThat(key(List.of(), "2001:db8:1:2:bbbb:cccc:dddd:eeee")).isEqualTo("2001:db8:1:2:0:0:0:0/64");
        assertThat(key(List.of(), "2001:db8:1:3::1")).isEqualTo("2001:db8:1:3:0:0:0:0/64");
        assertThat(key(List.of("10.0.0.0/8"), "10.1.2.3", "2001:db8:9:9::77")).isEqualTo("2001:db8:9:9:0:0:0:0/64");
        assertThat(key(List.of("10.0.0.0/8"), "10.1.2.3", "198.51.100.7")).isEqualTo("198.51.100.7");
        // Logs keep the whole address.
        assertThat(client(List.of(), "2001:db8:1:2:aaaa::1")).isEqualTo("2001:db8:1:2:aaaa:0:0:1");
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
