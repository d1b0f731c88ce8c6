package io.agentstream.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalysisReporter;

/**
 * Reports an analysed start-up failure as one ERROR line (what is wrong, which variable, how
 * to fix it) instead of Boot's framed block, which {@code AgentstreamApplication} and
 * {@code application.yml} silence. The stack trace is logged at DEBUG only.
 */
public class OneLineFailureReporter implements FailureAnalysisReporter {

    private static final Logger log = LoggerFactory.getLogger(OneLineFailureReporter.class);

    @Override
    public void report(FailureAnalysis analysis) {
        log.debug("Start-up failed", analysis.getCause());
        log.error(oneLine(analysis));
    }

    static String oneLine(FailureAnalysis analysis) {
        String description = collapse(analysis.getDescription());
        String action = collapse(analysis.getAction());
        return action.isEmpty() ? description : description + " " + action;
    }

    private static String collapse(String text) {
        return text == null ? "" : text.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
