package io.agentstream.http;

import java.net.InetSocketAddress;

import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;

/**
 * The port the actuator listens on when MANAGEMENT_PORT gives it one of its own, learnt from
 * the management server as it starts (MANAGEMENT_PORT=0 picks a free one). Which port a
 * request arrived on is the server socket's own, which no header can change.
 */
@Component
public class ManagementPort implements ApplicationListener<WebServerInitializedEvent> {

    /** The management server's namespace; its events reach this, the parent context, too. */
    private static final String NAMESPACE = "management";

    private volatile int port = -1;

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (NAMESPACE.equals(event.getApplicationContext().getServerNamespace())) {
            port = event.getWebServer().getPort();
        }
    }

    /** Whether the request came in on the management port; never without MANAGEMENT_PORT. */
    public boolean received(ServerHttpRequest request) {
        InetSocketAddress local = request.getLocalAddress();
        int management = port;
        return management > 0 && local != null && local.getPort() == management;
    }
}
