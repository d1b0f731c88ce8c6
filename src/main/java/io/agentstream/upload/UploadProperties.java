package io.agentstream.upload;

import io.agentstream.problem.ApiProblem;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.http.HttpStatus;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * @param maxBytes    UPLOAD_MAX_BYTES: largest upload body (the body is held in memory once)
 * @param maxMessages UPLOAD_MAX_MESSAGES: most messages (or events) in one upload
 */
@Validated
@ConfigurationProperties("agentstream.upload")
public record UploadProperties(
        @DefaultValue("50MB") @NotNull DataSize maxBytes,
        @Min(value = 1, message = "UPLOAD_MAX_MESSAGES must be at least 1") @DefaultValue("100000") int maxMessages) {

    /** The 413 for an upload of {@code messages} messages, when that is over UPLOAD_MAX_MESSAGES. */
    ApiProblem tooManyMessages(long messages) {
        return new ApiProblem(HttpStatus.CONTENT_TOO_LARGE, "too-many-messages", "Too many messages",
                "An upload holds at most " + maxMessages + " messages (UPLOAD_MAX_MESSAGES); this one has " + messages + ".");
    }
}
