package io.agentstream.upload;

import java.math.BigDecimal;
import java.util.List;

import io.agentstream.event.Summary;
import io.agentstream.event.SystemInfo;
import io.agentstream.validation.Amount;
import io.agentstream.validation.Count;
import io.agentstream.validation.Identifier;
import io.agentstream.validation.Limit;
import io.agentstream.validation.Rfc3339;
import io.agentstream.validation.ShortText;
import io.agentstream.validation.WithinLimit;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import tools.jackson.databind.node.ObjectNode;

/**
 * A recorded session as the AgentPipe web app takes it ({@code POST /api/sessions/upload},
 * application/json), which is also what {@code export?format=json} writes. Field rules
 * mirror the events' ({@code conversation.started}, {@code message.created}).
 */
public record SessionUpload(
        @NotNull @Valid Conversation conversation,
        List<@NotNull @Valid Agent> agents,
        @NotNull List<@NotNull @Valid Message> messages) {

    /**
     * @param totalDuration   milliseconds, as the web app's schema has it
     * @param durationSeconds the CLI's reported duration exactly (export writes it beside
     *                        totalDuration, which rounds to milliseconds); wins over totalDuration
     * @param command         the CLI's command line as conversation.started gave it
     * @param summary         as conversation.completed gave it
     * @param error           as conversation.error gave it
     */
    public record Conversation(
            @Identifier String id,
            @ShortText String name,
            @ShortText String mode,
            @WithinLimit(Limit.CONTENT) String initialPrompt,
            @PositiveOrZero @Max(Integer.MAX_VALUE) Long maxTurns,
            @NotNull @Rfc3339 String startedAt,
            @Rfc3339 String completedAt,
            @NotNull @Pattern(regexp = "ACTIVE|COMPLETED|INTERRUPTED|ERROR",
                    message = "must be one of ACTIVE, COMPLETED, INTERRUPTED, ERROR") String status,
            @Count Long totalMessages,
            @PositiveOrZero @Max(Integer.MAX_VALUE) Long totalTurns,
            @Count Long totalTokens,
            @Amount BigDecimal totalCost,
            @Count Long totalDuration,
            @Valid SystemInfo systemInfo,
            @DecimalMin("0") @DecimalMax("1000000000000") BigDecimal durationSeconds,
            ObjectNode command,
            @Valid Summary summary,
            @Valid Failure error) {
    }

    /** A conversation's error, as {@code conversation.error} reports it. */
    public record Failure(
            @NotNull @WithinLimit(Limit.CONTENT) String message,
            @ShortText String type,
            @ShortText String agentType) {
    }

    public record Agent(
            @NotBlank @ShortText String agentType,
            @ShortText String agentName,
            @Identifier String agentId,
            @ShortText String model,
            @ShortText String cliVersion,
            @ShortText String agentVersion,
            @WithinLimit(Limit.CONTENT) String prompt) {
    }

    public record Message(
            @Identifier String messageId,
            @Identifier String agentId,
            @NotBlank @ShortText String agentType,
            @ShortText String agentName,
            @ShortText String agentVersion,
            @ShortText String role,
            @NotNull @WithinLimit(Limit.CONTENT) String content,
            @NotNull @Rfc3339 String timestamp,
            @PositiveOrZero @Max(Integer.MAX_VALUE) Long sequenceNumber,
            @PositiveOrZero @Max(Integer.MAX_VALUE) Long turnNumber,
            @Count Long tokensUsed,
            @Count Long inputTokens,
            @Count Long outputTokens,
            @Amount BigDecimal cost,
            @ShortText String model,
            @Count Long durationMs) {
    }
}
