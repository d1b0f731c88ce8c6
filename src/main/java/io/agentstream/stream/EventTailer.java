package io.agentstream.stream;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.agentstream.event.EventsCommitted;
import io.agentstream.stream.EventLog.Head;
import io.agentstream.stream.EventLog.TailRead;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The instance's one reader of the events table. Every wake-up (a local commit, another
 * instance's commit announced over the wake-up bus, or the periodic poll) leads to at most
 * one query in flight; wake-ups that arrive meanwhile are folded into one more read. What
 * the {@link Settlement} says is final is published to the {@link StreamHub} in offset
 * order. A read that finds unsettled offsets is retried shortly, backing off to the poll
 * interval, so a long transaction elsewhere delays the stream but never skips an event.
 */
@Component
class EventTailer implements SmartLifecycle, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(EventTailer.class);
    /** Events one read takes at most; SSE_PAGE_BYTES bounds its bytes. */
    private static final int READ_LIMIT = 1000;
    private static final Duration FIRST_RECHECK = Duration.ofMillis(1);
    private static final Duration START_WAIT = Duration.ofSeconds(5);

    private final EventLog eventLog;
    private final StreamHub hub;
    private final WakeUpBus bus;
    private final Duration pollInterval;
    private final MeterRegistry meters;
    /** By type: looking a counter up in the registry for every event would cost more than counting it. */
    private final Map<String, Counter> published = new ConcurrentHashMap<>();
    private final Scheduler fanOut = Schedulers.newSingle("stream-fanout", true);
    private final AtomicInteger wip = new AtomicInteger();
    private final CountDownLatch started = new CountDownLatch(1);
    private final AtomicBoolean recheckScheduled = new AtomicBoolean();
    private final AtomicBoolean failing = new AtomicBoolean();
    private volatile boolean running;
    private volatile Settlement settlement;
    private volatile Head startCandidate;
    private volatile Duration recheckDelay = FIRST_RECHECK;
    private Disposable poll;
    private Disposable remoteWakeUps;

    EventTailer(EventLog eventLog, StreamHub hub, WakeUpBus bus, StreamProperties properties, MeterRegistry meters) {
        this.eventLog = eventLog;
        this.hub = hub;
        this.bus = bus;
        this.pollInterval = properties.pollInterval();
        this.meters = meters;
    }

    /**
     * Waits (on the starting thread, never an event loop) up to {@link #START_WAIT} for the
     * first read, so an instance does not open its port and then turn streams away; with
     * PostgreSQL unreachable it starts anyway and streams get 503 until the first read.
     */
    @Override
    public void start() {
        running = true;
        poll = Flux.interval(Duration.ZERO, pollInterval).subscribe(tick -> wake());
        remoteWakeUps = bus.wakeUps().subscribe(ignored -> wake());
        try {
            if (!started.await(START_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("Stream has not read the event log within {} s; streams get 503 until it has", START_WAIT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void stop() {
        running = false;
        if (poll != null) {
            poll.dispose();
        }
        if (remoteWakeUps != null) {
            remoteWakeUps.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public void destroy() {
        fanOut.dispose();
    }

    @EventListener
    void onCommit(EventsCommitted ignored) {
        wake();
        bus.announce();
    }

    void wake() {
        if (running && wip.getAndIncrement() == 0) {
            readLoop();
        }
    }

    private void readLoop() {
        Mono<Boolean> read = settlement == null ? findStart() : readOnce();
        read.onErrorResume(error -> {
                    if (failing.compareAndSet(false, true)) {
                        log.warn("Stream cannot read the event log; retrying every {} ms: {}",
                                pollInterval.toMillis(), error.toString());
                    }
                    return Mono.just(false);
                })
                .subscribe(this::afterRead);
    }

    private void afterRead(boolean again) {
        if (!running) {
            wip.set(0);
            return;
        }
        if (!again && wip.compareAndSet(1, 0)) {
            return;
        }
        wip.set(1);
        readLoop();
    }

    private Mono<Boolean> findStart() {
        return eventLog.head().map(head -> {
            Head candidate = startCandidate;
            if (head.snapshot().quiescent()) {
                begin(head.head());
            } else if (candidate != null && head.snapshot().xmin() >= candidate.snapshot().next()) {
                begin(candidate.head());
            } else {
                if (candidate == null) {
                    startCandidate = head;
                }
                scheduleRecheck();
            }
            return settlement != null;
        });
    }

    private void begin(long position) {
        hub.start(position);
        settlement = new Settlement(position);
        startCandidate = null;
        started.countDown();
        log.info("Stream started at offset {}", position);
    }

    private Mono<Boolean> readOnce() {
        Settlement current = settlement;
        // Fanning an event out to thousands of streams is CPU work: off the database driver's
        // event loop, which also carries every ingest's statements.
        return eventLog.tail(current.cursor(), READ_LIMIT).publishOn(fanOut).map(read -> apply(current, read));
    }

    private boolean apply(Settlement current, TailRead read) {
        if (failing.compareAndSet(true, false)) {
            log.info("Stream reads the event log again");
        }
        Settlement.Step step = current.onRead(read.snapshot(), read.events(), read.full());
        if (!step.publish().isEmpty() || step.cursor() > hub.cursor()) {
            hub.publish(step.publish(), step.cursor());
            for (StreamEvent event : step.publish()) {
                published.computeIfAbsent(event.type(), type -> Counter.builder("agentstream.stream.events.published")
                        .description("Events published to this instance's stream subscribers, by type")
                        .tag("type", type).register(meters)).increment();
            }
        }
        // The recheck backs off only while the same offsets stay unsettled (a long transaction);
        // any progress starts it short again, so the last event of a burst is not left waiting.
        if (!step.publish().isEmpty() || !step.waiting()) {
            recheckDelay = FIRST_RECHECK;
        }
        if (step.waiting()) {
            scheduleRecheck();
        }
        return step.readAgainNow();
    }

    /** Unsettled offsets: look again soon, backing off so a long transaction costs few queries. */
    private void scheduleRecheck() {
        if (!recheckScheduled.compareAndSet(false, true)) {
            return;
        }
        Duration delay = recheckDelay;
        Duration next = delay.multipliedBy(2);
        recheckDelay = next.compareTo(pollInterval) > 0 ? pollInterval : next;
        Mono.delay(delay).subscribe(tick -> {
            recheckScheduled.set(false);
            wake();
        });
    }

    @Override
    public int getPhase() {
        // Starts before, and stops after, the web server (which stops at a lower phase).
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }
}
