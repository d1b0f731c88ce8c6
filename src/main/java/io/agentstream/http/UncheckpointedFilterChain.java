package io.agentstream.http;

import java.util.List;

import org.springframework.security.web.server.WebFilterChainProxy.WebFilterChainDecorator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Runs web filters in their order, exactly as Spring's {@code DefaultWebFilterChain} does,
 * without the {@code checkpoint} operator that chain adds to every filter's result. A
 * checkpoint is three objects and a description string per filter and request, held until the
 * response ends: for the live stream, which stays open for up to SSE_MAX_LIFETIME, the
 * application's and the security chain's checkpoints were held by every open stream
 * (load-test/RESULTS.md, issue 23). Nothing here decides anything: the filters and their order
 * are the ones Spring and Spring Security chose; only the checkpoints are left out.
 */
public final class UncheckpointedFilterChain implements WebFilterChain {

    /** For Spring Security's {@code WebFilterChainProxy.setFilterChainDecorator}. */
    public static final WebFilterChainDecorator DECORATOR = new WebFilterChainDecorator() {
        @Override
        public WebFilterChain decorate(WebFilterChain original) {
            return original;
        }

        @Override
        public WebFilterChain decorate(WebFilterChain original, List<WebFilter> filters) {
            // A list collected for this request, read only.
            return new UncheckpointedFilterChain(filters, 0, original);
        }
    };

    /** The application's filters, in their order, as one filter that runs them without checkpoints. */
    public static WebFilter asOneFilter(List<WebFilter> filters) {
        List<WebFilter> ordered = List.copyOf(filters);
        return (exchange, chain) -> new UncheckpointedFilterChain(ordered, 0, chain).filter(exchange);
    }

    private final List<WebFilter> filters;
    private final int next;
    private final WebFilterChain after;

    private UncheckpointedFilterChain(List<WebFilter> filters, int next, WebFilterChain after) {
        this.filters = filters;
        this.next = next;
        this.after = after;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange) {
        return Mono.defer(() -> next < filters.size()
                ? filters.get(next).filter(exchange, new UncheckpointedFilterChain(filters, next + 1, after))
                : after.filter(exchange));
    }
}
