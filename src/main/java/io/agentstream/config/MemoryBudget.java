package io.agentstream.config;

import java.util.List;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

/**
 * The memory budget, checked at start-up: every feature's {@link MemoryClaim} at its configured
 * maxima, plus what the service holds with nothing in progress, must fit the heap, or the
 * instance would run out of memory the first time clients reach the limits together. Settings
 * that cannot fit stop start-up with one line naming them.
 */
@Component
class MemoryBudget implements SmartInitializingSingleton {

    /**
     * The heap the service needs with no request or stream in progress, and room for the young
     * garbage of its steady work: 45 MB after a full GC at idle, measured with -Xmx576m.
     */
    static final long BASELINE = 96L << 20;

    private static final Logger log = LoggerFactory.getLogger(MemoryBudget.class);

    private final ObjectProvider<MemoryClaim> claims;

    MemoryBudget(ObjectProvider<MemoryClaim> claims) {
        this.claims = claims;
    }

    @Override
    public void afterSingletonsInstantiated() {
        check(claims.orderedStream().toList(), Runtime.getRuntime().maxMemory());
    }

    static void check(List<MemoryClaim> claims, long heap) {
        long needed = BASELINE + claims.stream().mapToLong(MemoryClaim::memoryBytes).sum();
        String variables = claims.stream().map(MemoryClaim::memoryVariables).collect(Collectors.joining(", "));
        if (needed > heap) {
            throw new InvalidConfigurationException(variables,
                    "need about " + mb(needed) + " MB of heap at their maxima (" + claims.stream()
                            .map(claim -> claim.memoryVariables() + " " + mb(claim.memoryBytes()) + " MB")
                            .collect(Collectors.joining(", ")) + ", and " + mb(BASELINE) + " MB at rest), but the heap is "
                            + mb(heap) + " MB: lower them, or raise the heap (-Xmx in JAVA_TOOL_OPTIONS) and the"
                            + " container's memory with it (docs/architecture.md, Memory budget)");
        }
        log.info("Memory budget: {} MB of the {} MB heap at the configured maxima ({})", mb(needed), mb(heap), variables);
    }

    private static long mb(long bytes) {
        return bytes >> 20;
    }
}
