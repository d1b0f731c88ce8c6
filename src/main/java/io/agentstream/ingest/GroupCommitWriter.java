package io.agentstream.ingest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;

import io.agentstream.database.DatabaseErrors;
import io.agentstream.database.Queries;
import io.agentstream.event.EventsCommitted;
import io.agentstream.event.IngestEvent;
import io.agentstream.problem.ApiProblem;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.util.retry.Retry;

/**
 * Group commit: events that arrive while earlier ones are being written share the next
 * transaction. A commit costs a round trip and a WAL flush whether it holds one event or
 * two hundred, so under load the cost per event falls with the load, and when idle an
 * event is written at once (no linger: a batch is whatever queued up meanwhile).
 *
 * <p>Each request is answered only after the transaction holding its events committed:
 * durable before acknowledged, as with one transaction per event. At most
 * INGEST_COMMIT_CONCURRENCY transactions run at once, each of at most
 * INGEST_COMMIT_MAX_EVENTS events; the events of one request always share one
 * transaction, so a batch request keeps its order. Waiting events are bounded by
 * INGEST_COMMIT_QUEUE_CAPACITY; past it a request gets 503 with Retry-After at once.
 *
 * <p>A transaction that fails for a reason other than an unreachable database (a deadlock
 * with an upload is retried first) is written again request by request, each in its own
 * transaction, so that one request's failure is never another's.
 */
@Component
class GroupCommitWriter implements EventWriter {

    private final EventBatchWriter batches;
    private final TransactionalOperator transactions;
    private final ApplicationEventPublisher publisher;
    private final IngestMetrics metrics;
    private final int maxEvents;
    private final int concurrency;
    private final int queueCapacity;
    private final Duration writeTimeout;

    private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queuedEvents = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Serialises {@link #drain()}: whoever moves it from 0 drains, the others only ask for another pass. */
    private final AtomicInteger drainRequests = new AtomicInteger();

    GroupCommitWriter(EventBatchWriter batches, TransactionalOperator transactions, ApplicationEventPublisher publisher,
                      IngestMetrics metrics, IngestProperties properties) {
        this.batches = batches;
        this.transactions = transactions;
        this.publisher = publisher;
        this.metrics = metrics;
        this.maxEvents = properties.commitMaxEvents();
        this.concurrency = properties.commitConcurrency();
        this.queueCapacity = properties.commitQueueCapacity();
        this.writeTimeout = properties.writeTimeout();
        metrics.gaugeCommitQueue(queuedEvents);
    }

    @Override
    public Mono<WriteResult> write(IngestEvent event) {
        return writeAll(List.of(event)).map(results -> results.getFirst());
    }

    @Override
    public Mono<List<WriteResult>> writeAll(List<IngestEvent> events) {
        Mono<List<WriteResult>> committed = Mono.create(sink -> enqueue(new Pending(events, sink)));
        // A request that waited this long gets 503; its events may still commit, and the
        // client's retry is then answered as a duplicate.
        return Queries.bounded(committed, writeTimeout);
    }

    private void enqueue(Pending pending) {
        int size = pending.events.size();
        int queued = queuedEvents.addAndGet(size);
        if (queued > queueCapacity && queued > size) {
            queuedEvents.addAndGet(-size);
            metrics.recordCommitQueueFull();
            pending.sink.error(new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, "ingest-overloaded", "Ingest overloaded",
                    "More than " + queueCapacity + " events are waiting to be written (INGEST_COMMIT_QUEUE_CAPACITY); retry shortly.")
                    .withHeader(HttpHeaders.RETRY_AFTER, "1"));
            return;
        }
        queue.offer(pending);
        drain();
    }

    private void drain() {
        if (drainRequests.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            while (inFlight.get() < concurrency && !queue.isEmpty()) {
                List<Pending> group = takeGroup();
                inFlight.incrementAndGet();
                commit(group);
            }
            missed = drainRequests.addAndGet(-missed);
        } while (missed != 0);
    }

    /** Only drain() polls. */
    private List<Pending> takeGroup() {
        List<Pending> group = takeGroup(queue, pending -> pending.events.size(), maxEvents);
        queuedEvents.addAndGet(-group.stream().mapToInt(pending -> pending.events.size()).sum());
        return group;
    }

    /**
     * The next transaction's requests: whole requests, in arrival order, while their events
     * fit in {@code maxEvents}; a request larger than that goes alone.
     */
    static <T> List<T> takeGroup(Queue<T> queue, ToIntFunction<T> size, int maxEvents) {
        List<T> group = new ArrayList<>();
        int events = 0;
        for (T next = queue.peek(); next != null; next = queue.peek()) {
            if (!group.isEmpty() && events + size.applyAsInt(next) > maxEvents) {
                break;
            }
            queue.poll();
            events += size.applyAsInt(next);
            group.add(next);
        }
        return group;
    }

    /** A group's results cut back into each request's, by the requests' sizes in order. */
    static <R> List<List<R>> perRequest(List<R> results, List<Integer> sizes) {
        List<List<R>> slices = new ArrayList<>(sizes.size());
        int from = 0;
        for (int size : sizes) {
            slices.add(results.subList(from, from + size));
            from += size;
        }
        return slices;
    }

    private void commit(List<Pending> group) {
        List<IngestEvent> events = new ArrayList<>();
        group.forEach(pending -> events.addAll(pending.events));
        metrics.recordCommitBatch(events.size());
        inTransaction(events)
                .map(results -> perRequest(results, group.stream().map(pending -> pending.events.size()).toList())
                        .stream().map(Outcome::of).toList())
                .onErrorResume(error -> group.size() > 1 && !DatabaseErrors.isUnavailable(error), error -> {
                    metrics.recordCommitSplit();
                    return Flux.fromIterable(group)
                            .concatMap(pending -> inTransaction(pending.events).map(Outcome::of).onErrorResume(e -> Mono.just(Outcome.failed(e))))
                            .collectList();
                })
                .onErrorResume(error -> Mono.just(group.stream().map(pending -> Outcome.failed(error)).toList()))
                .subscribe(outcomes -> {
                    inFlight.decrementAndGet();
                    drain();
                    boolean stored = false;
                    for (int i = 0; i < group.size(); i++) {
                        stored |= outcomes.get(i).storedAny();
                        outcomes.get(i).complete(group.get(i).sink);
                    }
                    if (stored) {
                        publisher.publishEvent(EventsCommitted.INSTANCE);
                    }
                });
    }

    private Mono<List<WriteResult>> inTransaction(List<IngestEvent> events) {
        Mono<List<WriteResult>> transaction = transactions.transactional(Mono.defer(() -> batches.write(events)))
                // Groups lock their conversations in id order, but an upload or a delete, or two
                // groups racing on the same retried events without a conversation, can still
                // deadlock with one; the loser was rolled back and is safe to rerun.
                .retryWhen(Retry.max(3).filter(DatabaseErrors::isConflict).doBeforeRetry(signal -> metrics.recordCommitRetry()));
        return Queries.bounded(transaction, writeTimeout);
    }

    private record Pending(List<IngestEvent> events, MonoSink<List<WriteResult>> sink) {
    }

    /** The results of one request's events, or why they could not be written. */
    private record Outcome(List<WriteResult> results, Throwable error) {

        static Outcome of(List<WriteResult> results) {
            return new Outcome(results, null);
        }

        static Outcome failed(Throwable error) {
            return new Outcome(null, error);
        }

        boolean storedAny() {
            return results != null && results.stream().anyMatch(result -> !result.duplicate());
        }

        void complete(MonoSink<List<WriteResult>> sink) {
            if (error != null) {
                sink.error(error);
            } else {
                sink.success(results);
            }
        }
    }
}
