package io.agentstream.problem;

import java.net.URI;
import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * An RFC 9457 problem raised anywhere in request handling and rendered by
 * {@link ProblemExceptionHandler}. Each kind of problem has a stable type URI so that
 * clients can branch on it without parsing the title.
 */
public class ApiProblem extends ErrorResponseException {

    public static final String TYPE_PREFIX = "urn:problem:agentstream:";

    public ApiProblem(HttpStatus status, String kind, String title, String detail) {
        this(status, kind, title, detail, null);
    }

    public ApiProblem(HttpStatus status, String kind, String title, String detail, Throwable cause) {
        super(status, problem(status, kind, title, detail), cause);
    }

    private static ProblemDetail problem(HttpStatus status, String kind, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(TYPE_PREFIX + kind));
        problem.setTitle(title);
        return problem;
    }

    /** Adds the list of bad fields, the {@code errors} member clients read. */
    public ApiProblem withErrors(List<FieldError> errors) {
        getBody().setProperty("errors", List.copyOf(errors));
        return this;
    }

    /** The bad fields this problem lists; empty when it names none. */
    @SuppressWarnings("unchecked")
    public List<FieldError> fieldErrors() {
        Object errors = getBody().getProperties() == null ? null : getBody().getProperties().get("errors");
        return errors instanceof List<?> list ? (List<FieldError>) list : List.of();
    }

    public ApiProblem withProperty(String name, Object value) {
        getBody().setProperty(name, value);
        return this;
    }

    public ApiProblem withHeader(String name, String value) {
        getHeaders().set(name, value);
        return this;
    }

    /**
     * For a problem that reports an outage of something the service depends on (the
     * database, say): the kind of failure, safe to log, so the one error handler logs it as a
     * warning. Null for every problem a client caused or was deliberately answered with.
     */
    public String outageReason() {
        return null;
    }

    @Override
    public String getMessage() {
        return getStatusCode().value() + " " + getBody().getTitle() + ": " + getBody().getDetail();
    }
}
