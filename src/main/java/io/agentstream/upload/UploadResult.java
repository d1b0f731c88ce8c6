package io.agentstream.upload;

import java.math.BigDecimal;

/** What an upload stored; {@code duplicate} when it added nothing (the same session again). */
record UploadResult(String conversationId, long messagesCreated, long agentsCreated, long totalTokens,
                    BigDecimal totalCost, boolean duplicate) {
}
