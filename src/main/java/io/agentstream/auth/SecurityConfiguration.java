package io.agentstream.auth;

import io.agentstream.auth.AuthFailureThrottle;
import io.agentstream.http.ClientAddresses;
import io.agentstream.http.ManagementPort;
import io.agentstream.http.UncheckpointedFilterChain;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.WebFilterChainProxy;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.authentication.ServerAuthenticationSuccessHandler;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedHandler;
import org.springframework.security.web.server.header.ReferrerPolicyServerHttpHeadersWriter.ReferrerPolicy;
import org.springframework.security.web.server.header.XFrameOptionsServerHttpHeadersWriter.Mode;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.security.web.server.util.matcher.NegatedServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.web.reactive.result.method.RequestMappingInfoHandlerMapping;
import reactor.core.publisher.Flux;

/**
 * Authentication and authorisation, all in Spring Security: the firewall refuses ambiguous
 * paths before anything else looks at them; API keys (and stream tokens) are read and checked
 * on every route that needs them; {@link AccessRules} names every route with its scope and
 * anything it does not name is refused; refusals are problem documents. Stateless: no
 * session, no cookie, no saved request, no CSRF token (no cookie is ever an authority).
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
class SecurityConfiguration {

    /** What an API response may load: nothing. */
    static final String API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

    @Bean
    AccessRules accessRules(AuthProperties properties, ManagementPort managementPort) {
        return new AccessRules(properties.publicStream(), managementPort);
    }

    /**
     * No observation per filter and per authorisation decision: with the per-statement
     * observations they cost about an eighth of the CPU per ingested event (load-test/RESULTS.md) and fed no metric anyone reads.
     * Refusals are counted by {@link AuthenticationFailures}; requests by the server's own timer.
     */
    @Bean
    SecurityObservationSettings noSecurityObservations() {
        return SecurityObservationSettings.noObservations();
    }

    /** The security filters run without a checkpoint each ({@link UncheckpointedFilterChain}). */
    @Bean
    static BeanPostProcessor uncheckpointedSecurityFilters() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                if (bean instanceof WebFilterChainProxy proxy) {
                    proxy.setFilterChainDecorator(UncheckpointedFilterChain.DECORATOR);
                }
                return bean;
            }
        };
    }

    @Bean
    ServerExchangeRejectedHandler ambiguousPathRejection() {
        return new AmbiguousPathRejection();
    }

    @Bean
    SecurityWebFilterChain apiSecurity(ServerHttpSecurity http, AccessRules rules, KeyAuthenticator keys,
                                       StreamTokens tokens, AuthFailureThrottle throttle, ClientAddresses clients,
                                       MeterRegistry meters, ObjectProvider<RequestMappingInfoHandlerMapping> mappings) {
        AuthenticationFailures failures = new AuthenticationFailures(throttle, clients, rules, handlers(mappings), meters);

        AuthenticationWebFilter authentication = new AuthenticationWebFilter(new ApiKeyAuthenticationManager(keys, tokens));
        authentication.setServerAuthenticationConverter(new ApiKeyAuthenticationConverter());
        authentication.setRequiresAuthenticationMatcher(new NegatedServerWebExchangeMatcher(publicRoutes(rules)));
        authentication.setAuthenticationFailureHandler(failures);
        authentication.setAuthenticationSuccessHandler(continueAsCaller());
        authentication.setSecurityContextRepository(NoOpServerSecurityContextRepository.getInstance());

        return http
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .anonymous(ServerHttpSecurity.AnonymousSpec::disable)
                .requestCache(cache -> cache.requestCache(NoOpServerRequestCache.getInstance()))
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .cors(Customizer.withDefaults())
                .headers(headers -> headers
                        .contentSecurityPolicy(csp -> csp.policyDirectives(API_CONTENT_SECURITY_POLICY))
                        .frameOptions(frame -> frame.mode(Mode.DENY))
                        .referrerPolicy(referrer -> referrer.policy(ReferrerPolicy.NO_REFERRER))
                        .hsts(ServerHttpSecurity.HeaderSpec.HstsSpec::disable)
                        .writer(new TlsAwareHsts(clients))
                        .writer(new DashboardHeaders()))
                .addFilterAt(authentication, SecurityWebFiltersOrder.AUTHENTICATION)
                .exceptionHandling(exceptions -> exceptions
                        .authenticationEntryPoint(failures)
                        .accessDeniedHandler(failures))
                .authorizeExchange(exchanges -> {
                    for (AccessRules.Rule rule : rules.rules()) {
                        var access = exchanges.matchers(rule.matcher());
                        if (rule.isPublic()) {
                            access.permitAll();
                        } else {
                            access.hasAuthority(KeyAuthentication.authority(rule.scope()));
                        }
                    }
                    exchanges.anyExchange().denyAll();
                })
                .build();
    }

    /**
     * Asks the request mappings (controllers and actuator endpoints) whether one takes the
     * request. Only to choose the status of a refusal: nothing is ever let through by it.
     */
    private static AuthenticationFailures.Handlers handlers(ObjectProvider<RequestMappingInfoHandlerMapping> mappings) {
        return exchange -> Flux.fromStream(mappings::orderedStream)
                .concatMap(mapping -> mapping.getHandler(exchange).map(handler -> true))
                .next()
                .defaultIfEmpty(false);
    }

    /** Requests whose first matching rule is public: their credentials, if any, are not even read. */
    private static ServerWebExchangeMatcher publicRoutes(AccessRules rules) {
        return exchange -> rules.ruleFor(exchange).flatMap(rule -> rule.isPresent() && rule.get().isPublic()
                ? ServerWebExchangeMatcher.MatchResult.match() : ServerWebExchangeMatcher.MatchResult.notMatch());
    }

    /**
     * After a key or token is accepted the request goes on, with its caller where controllers
     * and the rate limiter read it.
     */
    private static ServerAuthenticationSuccessHandler continueAsCaller() {
        return (exchange, authentication) -> {
            ApiKeyPrincipal caller = ((KeyAuthentication) authentication).getPrincipal();
            exchange.getExchange().getAttributes().put(ApiKeyPrincipal.EXCHANGE_ATTRIBUTE, caller);
            return exchange.getChain().filter(exchange.getExchange());
        };
    }

    static void apiHeaders(ServerHttpResponse response) {
        response.getHeaders().set("X-Content-Type-Options", "nosniff");
        response.getHeaders().set("X-Frame-Options", "DENY");
        response.getHeaders().set("Referrer-Policy", "no-referrer");
        response.getHeaders().set("Content-Security-Policy", API_CONTENT_SECURITY_POLICY);
    }
}
