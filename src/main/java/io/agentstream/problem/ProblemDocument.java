package io.agentstream.problem;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponse;

/**
 * The RFC 9457 members of a problem, as one response body or as one result of a batch:
 * {@code type}, {@code title}, {@code status}, {@code detail}, then the problem's own
 * members (such as {@code errors}).
 */
public final class ProblemDocument {

    private ProblemDocument() {
    }

    /** A mutable, ordered map, so that the caller can add members such as {@code instance}. */
    public static Map<String, Object> of(ErrorResponse error) {
        ProblemDetail problem = error.getBody();
        HttpStatusCode status = error.getStatusCode();
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("type", typeOf(problem, status));
        document.put("title", problem.getTitle() != null ? problem.getTitle() : reasonPhrase(status));
        document.put("status", status.value());
        document.put("detail", problem.getDetail() != null ? problem.getDetail() : reasonPhrase(status));
        if (problem.getProperties() != null) {
            document.putAll(problem.getProperties());
        }
        return document;
    }

    /** Spring's own errors (routing, codecs) get a type URI per status, like ours. */
    private static String typeOf(ProblemDetail problem, HttpStatusCode status) {
        if (problem.getType() != null && !"about:blank".equals(problem.getType().toString())) {
            return problem.getType().toString();
        }
        return switch (status.value()) {
            case 400 -> ApiProblem.TYPE_PREFIX + "bad-request";
            case 404 -> ApiProblem.TYPE_PREFIX + "not-found";
            case 405 -> ApiProblem.TYPE_PREFIX + "method-not-allowed";
            case 406 -> ApiProblem.TYPE_PREFIX + "not-acceptable";
            case 413 -> ApiProblem.TYPE_PREFIX + "body-too-large";
            case 415 -> ApiProblem.TYPE_PREFIX + "unsupported-media-type";
            default -> "about:blank";
        };
    }

    private static String reasonPhrase(HttpStatusCode status) {
        HttpStatus known = HttpStatus.resolve(status.value());
        return known != null ? known.getReasonPhrase() : "HTTP " + status.value();
    }
}
