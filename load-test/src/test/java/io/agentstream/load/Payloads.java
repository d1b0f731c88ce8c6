package io.agentstream.load;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The JSON the AgentPipe CLI sends (shaped like the fixtures in
 * src/test/resources/fixtures/agentpipe of the service), built in one place for all simulations.
 */
final class Payloads {

    /** One participant of a conversation. */
    record Agent(String id, String type, String name, String model, String cliVersion, BigDecimal costPerToken) {
    }

    /** One message as the CLI reports it; {@code json} is its complete {@code message.created} event. */
    record Message(String id, int sequence, long tokens, BigDecimal cost, long durationMs, String json) {
    }

    private static final List<Agent> AGENTS = List.of(
            new Agent("claude-1", "claude", "Architect", "claude-sonnet-4", "2.0.14", new BigDecimal("0.000005")),
            new Agent("gemini-1", "gemini", "Reviewer", "gemini-2.5-pro", "0.9.0", new BigDecimal("0.0000025")),
            new Agent("codex-1", "codex", "Implementer", "gpt-5-codex", "0.46.0", new BigDecimal("0.000004")));

    private static final String SYSTEM_INFO = "{\"agentpipe_version\":\"0.6.2\",\"os\":\"linux\",\"os_version\":\"Ubuntu 24.04\","
            + "\"go_version\":\"go1.24.4\",\"architecture\":\"amd64\"}";

    private static final String PROMPT = "Design a rate limiter for a public API.";

    private static final String[] WORDS = ("the token bucket refills at a fixed rate per key and the gateway rejects "
            + "requests beyond it with 429 so clients back off Redis keeps one counter per key with a TTL "
            + "we measured p99 latency under load and the numbers look fine edge case retries must stay idempotent "
            + "consider a sliding window instead trade-off memory versus accuracy").split(" ");

    private static final String[] SNIPPETS = {
            "\n\n```go\nif !limiter.Allow(key) {\n\treturn http.StatusTooManyRequests\n}\n```\n\n",
            "\n- \"burst\": 20\n- \"rate\": 5/s\n",
            " (see C:\\limits\\config.yaml) ",
            "\n\n> Note: the \"per key\" limit applies before the per-IP one.\n\n"};

    private Payloads() {
    }

    /** Two or three participants, as {@code agentpipe run -a ... -a ...} starts them. */
    static List<Agent> participants() {
        return AGENTS.subList(0, ThreadLocalRandom.current().nextBoolean() ? 2 : 3);
    }

    static String bridgeConnected() {
        String now = Instant.now().toString();
        return event("bridge.connected", "{\"system_info\":" + SYSTEM_INFO + ",\"connected_at\":" + quote(now) + "}");
    }

    static String conversationStarted(String conversationId, List<Agent> agents, int maxTurns) {
        StringBuilder participants = new StringBuilder("[");
        StringBuilder args = new StringBuilder("[\"run\"");
        StringBuilder command = new StringBuilder("agentpipe run");
        for (Agent agent : agents) {
            if (participants.length() > 1) {
                participants.append(',');
            }
            participants.append("{\"agent_id\":").append(quote(agent.id()))
                    .append(",\"agent_type\":").append(quote(agent.type()))
                    .append(",\"model\":").append(quote(agent.model()))
                    .append(",\"name\":").append(quote(agent.name()))
                    .append(",\"prompt\":\"You are the team's ").append(agent.name().toLowerCase()).append(".\"")
                    .append(",\"cli_version\":").append(quote(agent.cliVersion())).append('}');
            args.append(",\"-a\",").append(quote(agent.type() + ":" + agent.name()));
            command.append(" -a ").append(agent.type()).append(':').append(agent.name());
        }
        participants.append(']');
        args.append(']');
        command.append(" --mode round-robin --max-turns ").append(maxTurns);
        return event("conversation.started", "{\"conversation_id\":" + quote(conversationId)
                + ",\"mode\":\"round-robin\",\"initial_prompt\":" + quote(PROMPT)
                + ",\"max_turns\":" + maxTurns
                + ",\"participants\":" + participants
                + ",\"system_info\":" + SYSTEM_INFO
                + ",\"command\":{\"full_command\":" + quote(command.toString()) + ",\"args\":" + args
                + ",\"mode\":\"round-robin\",\"max_turns\":" + maxTurns + ",\"initial_prompt\":" + quote(PROMPT)
                + ",\"tui_enabled\":false,\"logging_enabled\":true,\"show_metrics\":true}}");
    }

    /** A {@code message.created} with content of a random size in {@code [minBytes, maxBytes]}. */
    static Message message(String conversationId, List<Agent> agents, int sequence, int minBytes, int maxBytes) {
        Agent agent = agents.get((sequence - 1) % agents.size());
        String content = content(minBytes, maxBytes);
        long output = Math.max(1, content.length() / 4);
        long input = 300 + sequence * 50L;
        long tokens = input + output;
        BigDecimal cost = agent.costPerToken().multiply(BigDecimal.valueOf(tokens)).setScale(6, RoundingMode.HALF_UP);
        long duration = 800 + output * 8;
        String id = UUID.randomUUID().toString();
        String json = event("message.created", "{\"conversation_id\":" + quote(conversationId)
                + ",\"message_id\":" + quote(id)
                + ",\"agent_id\":" + quote(agent.id())
                + ",\"agent_type\":" + quote(agent.type())
                + ",\"agent_name\":" + quote(agent.name())
                + ",\"content\":" + quote(content)
                + ",\"sequence_number\":" + sequence
                + ",\"turn_number\":" + turn(sequence, agents)
                + ",\"tokens_used\":" + tokens
                + ",\"input_tokens\":" + input
                + ",\"output_tokens\":" + output
                + ",\"cost\":" + cost.toPlainString()
                + ",\"model\":" + quote(agent.model())
                + ",\"duration_ms\":" + duration + "}");
        return new Message(id, sequence, tokens, cost, duration, json);
    }

    static String conversationCompleted(String conversationId, List<Agent> agents, List<Message> messages) {
        long tokens = messages.stream().mapToLong(Message::tokens).sum();
        BigDecimal cost = messages.stream().map(Message::cost).reduce(BigDecimal.ZERO, BigDecimal::add);
        long durationMs = messages.stream().mapToLong(Message::durationMs).sum();
        return event("conversation.completed", "{\"conversation_id\":" + quote(conversationId)
                + ",\"status\":\"completed\""
                + ",\"total_messages\":" + messages.size()
                + ",\"total_turns\":" + turn(messages.size(), agents)
                + ",\"total_tokens\":" + tokens
                + ",\"total_cost\":" + cost.toPlainString()
                + ",\"duration_seconds\":" + durationMs / 1000.0
                + ",\"summary\":{\"short_text\":\"Token bucket in Redis, per key.\","
                + "\"text\":\"The agents agreed on a Redis-backed token bucket per API key with generous ingest limits.\","
                + "\"agent_type\":\"gemini\",\"model\":\"gemini-2.5-flash\",\"input_tokens\":90,\"output_tokens\":28,"
                + "\"total_tokens\":118,\"cost\":0.00004,\"duration_ms\":900}}");
    }

    /**
     * A recorded session for {@code POST /api/sessions/upload}: {@code {conversation, agents, messages}}
     * like the AgentPipe web app takes it, with {@code messages} messages of random content sizes.
     */
    static String sessionUpload(String conversationId, int messages, int minBytes, int maxBytes) {
        List<Agent> agents = participants();
        Instant start = Instant.now().minusSeconds(3600);
        StringBuilder json = new StringBuilder(messages * (maxBytes + minBytes) / 2 + messages * 400);
        json.append("{\"conversation\":{\"id\":").append(quote(conversationId))
                .append(",\"name\":\"Recorded design session\",\"mode\":\"round-robin\",\"initial_prompt\":").append(quote(PROMPT))
                .append(",\"max_turns\":").append(turn(messages, agents))
                .append(",\"started_at\":").append(quote(start.toString()))
                .append(",\"completed_at\":").append(quote(start.plusSeconds(messages * 3L).toString()))
                .append(",\"status\":\"COMPLETED\",\"system_info\":").append(SYSTEM_INFO).append("},\"agents\":[");
        for (int i = 0; i < agents.size(); i++) {
            Agent agent = agents.get(i);
            json.append(i == 0 ? "" : ",").append("{\"agent_type\":").append(quote(agent.type()))
                    .append(",\"agent_name\":").append(quote(agent.name()))
                    .append(",\"model\":").append(quote(agent.model()))
                    .append(",\"cli_version\":").append(quote(agent.cliVersion())).append('}');
        }
        json.append("],\"messages\":[");
        for (int sequence = 1; sequence <= messages; sequence++) {
            Agent agent = agents.get((sequence - 1) % agents.size());
            String content = content(minBytes, maxBytes);
            long output = Math.max(1, content.length() / 4);
            json.append(sequence == 1 ? "" : ",").append("{\"agent_type\":").append(quote(agent.type()))
                    .append(",\"agent_name\":").append(quote(agent.name()))
                    .append(",\"content\":").append(quote(content))
                    .append(",\"role\":\"agent\",\"timestamp\":").append(quote(start.plusSeconds(sequence * 3L).toString()))
                    .append(",\"sequence_number\":").append(sequence)
                    .append(",\"turn_number\":").append(turn(sequence, agents))
                    .append(",\"tokens_used\":").append(300 + output)
                    .append(",\"input_tokens\":300,\"output_tokens\":").append(output)
                    .append(",\"cost\":").append(agent.costPerToken().multiply(BigDecimal.valueOf(300 + output))
                            .setScale(6, RoundingMode.HALF_UP).toPlainString())
                    .append(",\"model\":").append(quote(agent.model()))
                    .append(",\"duration_ms\":").append(800 + output * 8).append('}');
        }
        return json.append("]}").toString();
    }

    /**
     * Markdown-like agent output of exactly a random number of UTF-8 bytes in {@code [minBytes, maxBytes]},
     * with the quotes, backslashes and newlines real output has (so escaping is exercised).
     */
    static String content(int minBytes, int maxBytes) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int target = random.nextInt(minBytes, maxBytes + 1);
        StringBuilder text = new StringBuilder(target);
        while (true) {
            String piece = random.nextInt(12) == 0
                    ? SNIPPETS[random.nextInt(SNIPPETS.length)]
                    : (text.isEmpty() ? "" : " ") + WORDS[random.nextInt(WORDS.length)];
            if (text.length() + piece.length() > target) {
                break;
            }
            text.append(piece);
        }
        while (text.length() < target) {
            text.append('.');
        }
        // ASCII only, so the length in characters is the size in bytes.
        return text.toString();
    }

    private static int turn(int sequence, List<Agent> agents) {
        return (sequence - 1) / agents.size() + 1;
    }

    private static String event(String type, String data) {
        return "{\"type\":" + quote(type) + ",\"timestamp\":" + quote(Instant.now().toString()) + ",\"data\":" + data + "}";
    }

    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
