package io.agentstream.ops;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.sentry.Breadcrumb;
import io.sentry.Hint;
import io.sentry.SentryEvent;
import io.sentry.SentryOptions;
import io.sentry.protocol.Message;
import io.sentry.protocol.Request;
import io.agentstream.problem.SecretScrubber;
import io.sentry.protocol.SentryException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.stereotype.Component;

/**
 * The last look at every event before it leaves for Sentry (SENTRY_DSN): it carries the
 * release, and none of what a client sent — no headers but a harmless few (so no
 * Authorization), no query string (stream tokens travel there) in the request or the
 * breadcrumbs, no body (message content), no cookies —, exceptions without their messages
 * and anything in a log message that looks like a key or token masked: {@link SecretScrubber},
 * which the log's unexpected failures go through too.
 */
@Component
class SentryScrubber implements SentryOptions.BeforeSendCallback {

    private static final Set<String> KEPT_HEADERS = Set.of("accept", "content-type", "content-length", "user-agent");

    private final String release;

    SentryScrubber(ObjectProvider<BuildProperties> build) {
        BuildProperties properties = build.getIfAvailable();
        this.release = "agentstream@" + (properties != null ? properties.getVersion() : "unknown");
    }

    @Override
    public SentryEvent execute(SentryEvent event, Hint hint) {
        if (event.getRelease() == null) {
            event.setRelease(release);
        }
        Request request = event.getRequest();
        if (request != null) {
            Map<String, String> headers = new LinkedHashMap<>();
            if (request.getHeaders() != null) {
                request.getHeaders().forEach((name, value) -> {
                    if (KEPT_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                        headers.put(name, value);
                    }
                });
            }
            request.setHeaders(headers);
            request.setQueryString(null);
            request.setData(null);
            request.setCookies(null);
            request.setEnvs(null);
            request.setUrl(withoutQuery(request.getUrl()));
        }
        Message message = event.getMessage();
        if (message != null) {
            message.setFormatted(mask(message.getFormatted()));
            message.setMessage(mask(message.getMessage()));
            message.setParams(null);
        }
        List<SentryException> exceptions = event.getExceptions();
        if (exceptions != null) {
            exceptions.forEach(exception -> exception.setValue(SecretScrubber.SCRUBBED));
        }
        if (event.getBreadcrumbs() != null) {
            for (Breadcrumb breadcrumb : event.getBreadcrumbs()) {
                breadcrumb.removeData("http.query");
                Object url = breadcrumb.getData("url");
                if (url instanceof String text) {
                    breadcrumb.setData("url", withoutQuery(text));
                }
                breadcrumb.setMessage(mask(breadcrumb.getMessage()));
            }
        }
        event.setUser(null);
        return event;
    }

    private static String withoutQuery(String url) {
        return url == null ? null : url.replaceAll("\\?.*$", "");
    }

    static String mask(String text) {
        return SecretScrubber.mask(text);
    }
}
