package io.agentstream.support;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * Under {@code CI=true} a test may not skip itself: an aborted test (a failed assumption,
 * such as "Node.js is not installed") fails instead, so {@code ./mvnw verify} fails. Elsewhere
 * the skip stands, with its one-line reason. Registered for every test class through
 * {@code META-INF/services} (JUnit's extension auto-detection, switched on in
 * {@code junit-platform.properties}); covers test methods and their lifecycle methods.
 */
public final class NoSkipUnderCi implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

    private final boolean ci;

    public NoSkipUnderCi() {
        this(System.getenv("CI"));
    }

    NoSkipUnderCi(String ciVariable) {
        this.ci = "true".equalsIgnoreCase(ciVariable);
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw refused(throwable);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw refused(throwable);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw refused(throwable);
    }

    @Override
    public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw refused(throwable);
    }

    @Override
    public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw refused(throwable);
    }

    /** The failure to report instead: a skip turned into a failure under CI, anything else as it was. */
    Throwable refused(Throwable throwable) {
        if (ci && throwable instanceof TestAbortedException aborted) {
            AssertionFailedError failure = new AssertionFailedError(
                    "Skipped under CI=true, where nothing may be skipped: " + aborted.getMessage());
            failure.initCause(aborted);
            return failure;
        }
        return throwable;
    }
}
