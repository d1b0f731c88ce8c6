package io.agentstream.upload;

import io.agentstream.config.MemoryClaim;
import io.agentstream.problem.ApiProblem;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.http.HttpStatus;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * @param maxBytes      UPLOAD_MAX_BYTES: largest upload body (a JSON body is held in memory once;
 *                      an event log is read line by line)
 * @param maxMessages   UPLOAD_MAX_MESSAGES: most messages in one upload
 * @param maxEvents     UPLOAD_MAX_EVENTS: most events (non-blank lines) in one event log upload
 * @param maxConcurrent UPLOAD_MAX_CONCURRENT: uploads one instance runs at once; past it, 503
 *                      with Retry-After. With UPLOAD_MAX_BYTES, it bounds what uploads hold
 */
@Validated
@ConfigurationProperties("agentstream.upload")
public record UploadProperties(
        @DefaultValue("50MB") @NotNull DataSize maxBytes,
        @Min(value = 1, message = "UPLOAD_MAX_MESSAGES must be at least 1") @DefaultValue("100000") int maxMessages,
        @Min(value = 1, message = "UPLOAD_MAX_EVENTS must be at least 1") @DefaultValue("200000") int maxEvents,
        @Min(value = 1, message = "UPLOAD_MAX_CONCURRENT must be at least 1") @DefaultValue("1") int maxConcurrent)
        implements MemoryClaim {

    /** An upload in progress holds its body and its parsed messages: about twice its size. */
    static final int HELD_PER_BODY_BYTE = 2;

    @Override
    public String memoryVariables() {
        return "UPLOAD_MAX_CONCURRENT × UPLOAD_MAX_BYTES";
    }

    @Override
    public long memoryBytes() {
        return maxConcurrent * maxBytes.toBytes() * HELD_PER_BODY_BYTE;
    }

    /** The 413 for an upload of more than UPLOAD_MAX_MESSAGES messages, refused as soon as the one too many is read. */
    ApiProblem tooManyMessages() {
        return new ApiProblem(HttpStatus.CONTENT_TOO_LARGE, "too-many-messages", "Too many messages",
                "An upload holds at most " + maxMessages + " messages (UPLOAD_MAX_MESSAGES); this one has more.");
    }

    /** The 413 for an event log of more than UPLOAD_MAX_EVENTS events, refused as soon as the one too many is read. */
    ApiProblem tooManyEvents() {
        return new ApiProblem(HttpStatus.CONTENT_TOO_LARGE, "too-many-events", "Too many events",
                "An event log upload holds at most " + maxEvents + " events (UPLOAD_MAX_EVENTS); this one has more.");
    }
}
