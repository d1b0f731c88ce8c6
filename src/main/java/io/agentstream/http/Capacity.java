package io.agentstream.http;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.agentstream.problem.ApiProblem;
import org.springframework.http.HttpStatus;
import reactor.core.publisher.Mono;

/**
 * A per-instance amount that requests in progress share — bytes of bodies being read and
 * parsed, or uploads running at once — so that the sum of what they hold is bounded whatever
 * clients send together. A request takes its share before it reads anything and gives it
 * back when it ends, however it ends (answered, failed or abandoned by the client); a request
 * that finds no room is answered 503 with {@code Retry-After} at once, without waiting.
 */
public final class Capacity {

    /** Seconds a refused client is asked to wait: long enough for the work in progress to end. */
    public static final String RETRY_AFTER_SECONDS = "2";

    private final long limit;
    private final String kind;
    private final String refusal;
    private final AtomicLong used = new AtomicLong();

    /**
     * @param limit   the amount in all
     * @param kind    the problem's type, {@code urn:problem:agentstream:<kind>}
     * @param refusal the 503's detail: what is busy and the variable that sizes it
     */
    public Capacity(long limit, String kind, String refusal) {
        this.limit = limit;
        this.kind = kind;
        this.refusal = refusal;
    }

    /** Runs {@code work} holding {@code amount} of the capacity; 503 when that much is not free. */
    public <T> Mono<T> within(long amount, Supplier<Mono<T>> work) {
        return Mono.using(() -> take(amount), share -> work.get(), Share::close);
    }

    /** What requests in progress hold now. */
    public long used() {
        return used.get();
    }

    public long limit() {
        return limit;
    }

    private Share take(long amount) {
        long now;
        do {
            now = used.get();
            // A request larger than the whole capacity waits for nothing: it runs alone.
            if (now > 0 && now + amount > limit) {
                throw new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, kind, "Busy",
                        refusal + " Retry after " + RETRY_AFTER_SECONDS + " seconds.")
                        .withHeader("Retry-After", RETRY_AFTER_SECONDS);
            }
        } while (!used.compareAndSet(now, now + amount));
        return new Share(amount);
    }

    /** One request's share, given back exactly once. */
    private final class Share implements AutoCloseable {

        private final long amount;
        private final AtomicBoolean returned = new AtomicBoolean();

        Share(long amount) {
            this.amount = amount;
        }

        @Override
        public void close() {
            if (returned.compareAndSet(false, true)) {
                used.addAndGet(-amount);
            }
        }
    }
}
