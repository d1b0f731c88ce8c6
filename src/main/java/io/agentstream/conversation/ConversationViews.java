package io.agentstream.conversation;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** The read API's response bodies (written in snake_case). */
final class ConversationViews {

    private ConversationViews() {
    }

    /** Computed from the stored messages. */
    record Totals(long messages, long tokens, long inputTokens, long outputTokens, BigDecimal cost, long durationMs) {
    }

    /** As the CLI reported them at completion; null where it did not. */
    record Reported(Long messages, Integer turns, Long tokens, BigDecimal cost, BigDecimal durationSeconds) {
    }

    record Item(String id, String name, String mode, String status, String source, String initialPrompt,
                OffsetDateTime startedAt, OffsetDateTime completedAt, OffsetDateTime createdAt, OffsetDateTime updatedAt,
                Totals totals, Reported reported, long participantCount, List<String> agentTypes) {
    }

    record Page<T>(List<T> items, String nextCursor) {
    }

    record Participant(int position, String agentType, String agentId, String name, String agentVersion, String model,
                       String prompt, String cliVersion) {
    }

    record SystemInfo(String agentpipeVersion, String os, String osVersion, String goVersion, String architecture) {
    }

    record Summary(String shortText, String text, String agentType, String model, Long inputTokens, Long outputTokens,
                   Long totalTokens, BigDecimal cost, Long durationMs) {
    }

    record Error(String message, String type, String agentType) {
    }

    record Detail(String id, String name, String mode, String status, String source, boolean placeholder,
                  String initialPrompt, Integer maxTurns, Map<String, Object> command,
                  OffsetDateTime startedAt, OffsetDateTime completedAt, OffsetDateTime createdAt, OffsetDateTime updatedAt,
                  Totals totals, Reported reported, Integer maxTurnNumber, List<Participant> participants,
                  SystemInfo systemInfo, Summary summary, Error error) {
    }

    record Message(String messageId, String agentId, String agentType, String agentName, String agentVersion, String role,
                   String content, Integer sequenceNumber, Integer turnNumber, Long tokensUsed, Long inputTokens,
                   Long outputTokens, BigDecimal cost, String model, Long durationMs, OffsetDateTime timestamp) {
    }

    record Usage(String key, long messages, long tokens, BigDecimal cost) {
    }

    record MetricsSummary(OffsetDateTime since, OffsetDateTime until, Map<String, Long> conversationsByStatus,
                          long messages, long tokens, BigDecimal cost, List<Usage> byAgentType, List<Usage> byModel) {
    }
}
