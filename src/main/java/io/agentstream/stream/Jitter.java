package io.agentstream.stream;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** ±20%, so that streams opened together do not all end, or reconnect, together. */
final class Jitter {

    private Jitter() {
    }

    static Duration spread(Duration base) {
        double factor = 0.8 + ThreadLocalRandom.current().nextDouble() * 0.4;
        return Duration.ofMillis(Math.max(1, Math.round(base.toMillis() * factor)));
    }
}
