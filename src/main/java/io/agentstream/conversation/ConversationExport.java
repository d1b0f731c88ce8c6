package io.agentstream.conversation;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.agentstream.conversation.ConversationViews.Detail;
import io.agentstream.conversation.ConversationViews.Message;
import io.agentstream.conversation.ConversationViews.Participant;
import io.agentstream.event.IngestJson;
import io.agentstream.upload.SessionUpload;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes a conversation out as text, streamed: the messages are read page by page while
 * the response is written, so a long conversation is never held in memory.
 * <ul>
 *   <li>{@code json}: the upload format; uploading it into an empty store gives the same conversation;</li>
 *   <li>{@code ndjson}: the CLI's event log (the stored events, or ones rebuilt from the tables for an uploaded session);</li>
 *   <li>{@code markdown}: a readable transcript.</li>
 * </ul>
 */
@Component
class ConversationExport {

    static final List<String> FORMATS = List.of("json", "ndjson", "markdown");
    private static final int PAGE = 500;
    private static final JsonMapper JSON = IngestJson.MAPPER.rebuild()
            .changeDefaultPropertyInclusion(inclusion -> inclusion.withValueInclusion(JsonInclude.Include.NON_NULL))
            .build();

    private final ConversationStore reader;

    ConversationExport(ConversationStore reader) {
        this.reader = reader;
    }

    Flux<String> export(Detail conversation, String format) {
        return switch (format) {
            case "json" -> json(conversation);
            case "ndjson" -> ndjson(conversation);
            default -> markdown(conversation);
        };
    }

    private Flux<String> json(Detail c) {
        String head = "{\"conversation\":" + JSON.writeValueAsString(uploadConversation(c))
                + ",\"agents\":" + JSON.writeValueAsString(c.participants().stream().map(ConversationExport::uploadAgent).toList())
                + ",\"messages\":[";
        Flux<String> messages = reader.allMessages(c.id(), PAGE).index()
                .map(indexed -> (indexed.getT1() == 0 ? "" : ",") + JSON.writeValueAsString(uploadMessage(indexed.getT2())));
        return Flux.concat(Flux.just(head), messages, Flux.just("]}\n"));
    }

    private Flux<String> ndjson(Detail c) {
        return reader.events(c.id(), PAGE).map(line -> line + "\n")
                .switchIfEmpty(Flux.defer(() -> rebuiltEvents(c)));
    }

    /** An uploaded session has no stored events: the log is rebuilt from what the tables hold. */
    private Flux<String> rebuiltEvents(Detail c) {
        String started = timestamp(c.startedAt() != null ? c.startedAt() : c.createdAt());
        Map<String, Object> startedData = new LinkedHashMap<>();
        startedData.put("conversation_id", c.id());
        startedData.put("mode", c.mode() == null ? "unknown" : c.mode());
        startedData.put("initial_prompt", c.initialPrompt() == null ? "" : c.initialPrompt());
        startedData.put("max_turns", c.maxTurns());
        startedData.put("participants", c.participants().stream().map(ConversationExport::eventParticipant).toList());
        startedData.put("system_info", c.systemInfo());
        Flux<String> head = Flux.just(event("conversation.started", started, startedData));
        Flux<String> messages = reader.allMessages(c.id(), PAGE).map(m -> {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("conversation_id", c.id());
            data.putAll(JSON.convertValue(m, LinkedHashMap.class));
            data.remove("timestamp");
            return event("message.created", timestamp(m.timestamp()), data);
        });
        Flux<String> tail = Flux.empty();
        if (!"ACTIVE".equals(c.status())) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("conversation_id", c.id());
            data.put("status", c.status().toLowerCase(Locale.ROOT));
            data.put("total_messages", c.reported().messages());
            data.put("total_turns", c.reported().turns());
            data.put("total_tokens", c.reported().tokens());
            data.put("total_cost", c.reported().cost());
            data.put("duration_seconds", c.reported().durationSeconds());
            tail = Flux.just(event("conversation.completed", timestamp(c.completedAt() != null ? c.completedAt() : c.updatedAt()), data));
        }
        return Flux.concat(head, messages, tail);
    }

    private Flux<String> markdown(Detail c) {
        StringBuilder head = new StringBuilder();
        head.append("# ").append(c.name() != null ? c.name() : "Conversation " + c.id()).append("\n\n");
        head.append("- Conversation: `").append(c.id()).append("`\n");
        head.append("- Status: ").append(c.status()).append(c.mode() == null ? "" : ", mode " + c.mode()).append('\n');
        if (c.startedAt() != null) {
            head.append("- Started: ").append(timestamp(c.startedAt()))
                    .append(c.completedAt() == null ? "" : ", completed: " + timestamp(c.completedAt())).append('\n');
        }
        head.append("- Messages: ").append(c.totals().messages()).append(", tokens: ").append(c.totals().tokens())
                .append(", cost: ").append(c.totals().cost().toPlainString()).append('\n');
        for (Participant p : c.participants()) {
            head.append("- Participant: ").append(p.name() != null ? p.name() : p.agentType()).append(" (").append(p.agentType())
                    .append(p.model() == null ? "" : ", " + p.model()).append(")\n");
        }
        if (c.initialPrompt() != null) {
            head.append("\n## Prompt\n\n").append(c.initialPrompt()).append('\n');
        }
        head.append("\n## Transcript\n");
        Flux<String> messages = reader.allMessages(c.id(), PAGE).map(m -> "\n### " + (m.agentName() != null ? m.agentName() : m.agentType())
                + " (" + m.agentType() + (m.model() == null ? "" : ", " + m.model()) + ") · " + timestamp(m.timestamp()) + "\n\n"
                + m.content() + "\n");
        Flux<String> summary = c.summary() == null || c.summary().text() == null ? Flux.empty()
                : Flux.just("\n## Summary\n\n" + c.summary().text() + "\n");
        return Flux.concat(Flux.just(head.toString()), messages, summary);
    }

    private static SessionUpload.Conversation uploadConversation(Detail c) {
        BigDecimal seconds = c.reported().durationSeconds();
        return new SessionUpload.Conversation(c.id(), c.name(), c.mode(), c.initialPrompt(),
                c.maxTurns() == null ? null : c.maxTurns().longValue(),
                timestamp(c.startedAt() != null ? c.startedAt() : c.createdAt()), timestamp(c.completedAt()), c.status(),
                c.reported().messages(), c.reported().turns() == null ? null : c.reported().turns().longValue(),
                c.reported().tokens(), c.reported().cost(),
                seconds == null ? null : seconds.movePointRight(3).longValue(),
                new io.agentstream.event.SystemInfo(c.systemInfo().agentpipeVersion(), c.systemInfo().os(),
                        c.systemInfo().osVersion(), c.systemInfo().goVersion(), c.systemInfo().architecture(), null),
                seconds,
                c.command() == null ? null : JSON.valueToTree(c.command()),
                c.summary() == null ? null : new io.agentstream.event.Summary(c.summary().shortText(), c.summary().text(),
                        c.summary().agentType(), c.summary().model(), c.summary().inputTokens(), c.summary().outputTokens(),
                        c.summary().totalTokens(), c.summary().cost(), c.summary().durationMs()),
                c.error() == null ? null : new SessionUpload.Failure(c.error().message(), c.error().type(), c.error().agentType()));
    }

    private static SessionUpload.Agent uploadAgent(Participant p) {
        return new SessionUpload.Agent(p.agentType(), p.name(), p.agentId(), p.model(), p.cliVersion(), p.agentVersion(), p.prompt());
    }

    private static SessionUpload.Message uploadMessage(Message m) {
        return new SessionUpload.Message(m.messageId(), m.agentId(), m.agentType(), m.agentName(), m.agentVersion(), m.role(),
                m.content(), timestamp(m.timestamp()), m.sequenceNumber() == null ? null : m.sequenceNumber().longValue(),
                m.turnNumber() == null ? null : m.turnNumber().longValue(), m.tokensUsed(), m.inputTokens(), m.outputTokens(),
                m.cost(), m.model(), m.durationMs());
    }

    private static Map<String, Object> eventParticipant(Participant p) {
        Map<String, Object> participant = new LinkedHashMap<>();
        participant.put("agent_type", p.agentType());
        participant.put("agent_id", p.agentId());
        participant.put("name", p.name());
        participant.put("model", p.model());
        participant.put("agent_version", p.agentVersion());
        participant.put("cli_version", p.cliVersion());
        participant.put("prompt", p.prompt());
        return participant;
    }

    private static String event(String type, String timestamp, Map<String, Object> data) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("type", type);
        event.put("timestamp", timestamp);
        event.put("data", data);
        return JSON.writeValueAsString(event) + "\n";
    }

    private static String timestamp(OffsetDateTime time) {
        // ISO_OFFSET_DATE_TIME always writes the seconds, which RFC 3339 (and the upload) requires.
        return time == null ? null : DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(time.withOffsetSameInstant(ZoneOffset.UTC));
    }
}
