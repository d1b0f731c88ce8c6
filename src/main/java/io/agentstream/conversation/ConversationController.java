package io.agentstream.conversation;

import java.util.List;

import io.agentstream.conversation.ConversationStore.Filters;
import io.agentstream.conversation.ConversationViews.Detail;
import io.agentstream.conversation.ConversationViews.Item;
import io.agentstream.conversation.ConversationViews.Message;
import io.agentstream.conversation.ConversationViews.MetricsSummary;
import io.agentstream.conversation.ConversationViews.Page;
import io.agentstream.http.QueryParameters;
import io.agentstream.http.Routes;
import io.agentstream.problem.ApiProblem;
import io.agentstream.validation.Identifiers;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The read API for dashboards. Every bad parameter is a 400 problem naming it. */
@RestController
class ConversationController {

    private static final List<String> STATUSES = List.of("ACTIVE", "COMPLETED", "INTERRUPTED", "ERROR");

    private final ConversationStore reader;
    private final ConversationExport export;
    private final CursorCodec cursors;

    ConversationController(ConversationStore reader, ConversationExport export, CursorCodec cursors) {
        this.reader = reader;
        this.export = export;
        this.cursors = cursors;
    }

    @GetMapping(Routes.CONVERSATIONS)
    Mono<Page<Item>> list(ServerHttpRequest request) {
        QueryParameters query = new QueryParameters(request);
        Filters filters = new Filters(query.oneOf("status", STATUSES), query.text("mode", 256), query.text("agent_type", 256),
                query.text("model", 256), query.timestamp("since"), query.timestamp("until"), query.text("q", 256));
        checkWindow(query, filters.since(), filters.until());
        int limit = query.integer("limit", 20, 1, 100);
        PageCursor cursor = cursor(query, ConversationStore.LIST_SCOPE);
        query.failIfInvalid();
        return reader.list(filters, cursor, limit);
    }

    @GetMapping(Routes.CONVERSATION)
    Mono<Detail> detail(@PathVariable String id) {
        return known(id).flatMap(ignored -> reader.detail(id)).switchIfEmpty(Mono.error(() -> notFound(id)));
    }

    @GetMapping(Routes.CONVERSATION_MESSAGES)
    Mono<Page<Message>> messages(@PathVariable String id, ServerHttpRequest request) {
        QueryParameters query = new QueryParameters(request);
        int limit = query.integer("limit", 50, 1, 100);
        PageCursor cursor = cursor(query, ConversationStore.messagesScope(id));
        if (cursor != null && !isRowId(cursor.id())) {
            query.reject("cursor", "is not a cursor of this list");
        }
        query.failIfInvalid();
        return known(id).flatMap(ignored -> reader.messages(id, cursor, limit));
    }

    @GetMapping(Routes.CONVERSATION_EXPORT)
    Mono<ResponseEntity<Flux<String>>> export(@PathVariable String id, ServerHttpRequest request) {
        QueryParameters query = new QueryParameters(request);
        String format = query.oneOf("format", ConversationExport.FORMATS);
        query.failIfInvalid();
        String chosen = format == null ? "json" : format;
        MediaType type = switch (chosen) {
            case "json" -> MediaType.APPLICATION_JSON;
            case "ndjson" -> MediaType.APPLICATION_NDJSON;
            default -> MediaType.parseMediaType("text/markdown;charset=UTF-8");
        };
        String extension = switch (chosen) {
            case "json" -> "json";
            case "ndjson" -> "jsonl";
            default -> "md";
        };
        return known(id).flatMap(ignored -> reader.detail(id)).map(detail -> ResponseEntity.ok()
                .contentType(type)
                .header(HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment().filename("conversation-" + id + "." + extension).build().toString())
                .body(export.export(detail, chosen)));
    }

    /** Admin scope: removes a conversation with its participants, messages and events. */
    @DeleteMapping(Routes.CONVERSATION)
    Mono<ResponseEntity<Void>> delete(@PathVariable String id) {
        if (!Identifiers.isValid(id)) {
            return Mono.error(notFound(id));
        }
        return reader.delete(id).flatMap(deleted -> deleted ? Mono.just(ResponseEntity.noContent().<Void>build())
                : Mono.error(notFound(id)));
    }

    @GetMapping(Routes.METRICS_SUMMARY)
    Mono<MetricsSummary> metrics(ServerHttpRequest request) {
        QueryParameters query = new QueryParameters(request);
        var since = query.timestamp("since");
        var until = query.timestamp("until");
        checkWindow(query, since, until);
        query.failIfInvalid();
        return reader.metrics(since, until);
    }

    /** The same rule on every endpoint with a time window: an empty or reversed window is a mistake. */
    private static void checkWindow(QueryParameters query, java.time.OffsetDateTime since, java.time.OffsetDateTime until) {
        if (since != null && until != null && !since.isBefore(until)) {
            query.reject("until", "must be after since");
        }
    }

    private static boolean isRowId(String id) {
        if (id == null || !id.matches("\\d{1,19}")) {
            return false;
        }
        try {
            Long.parseLong(id);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private PageCursor cursor(QueryParameters query, String scope) {
        String text = query.single("cursor");
        if (text == null) {
            return null;
        }
        PageCursor cursor = cursors.decode(text, scope);
        if (cursor == null) {
            query.reject("cursor", "is not a cursor of this list");
        }
        return cursor;
    }

    /** Completes with true when the conversation exists, else fails with 404. */
    private Mono<Boolean> known(String id) {
        if (!Identifiers.isValid(id)) {
            return Mono.error(notFound(id));
        }
        return reader.exists(id).flatMap(present -> present ? Mono.just(true) : Mono.error(notFound(id)));
    }

    private static ApiProblem notFound(String id) {
        return new ApiProblem(HttpStatus.NOT_FOUND, "conversation-not-found", "Conversation not found",
                "No conversation has this id.");
    }
}
