package io.agentstream.config;

/**
 * What a feature's buffers may hold on the heap at once, at their configured maxima: one line
 * of the memory budget (docs/architecture.md). A feature's properties implement it, and
 * {@link MemoryBudget} adds every claim up at start-up.
 */
public interface MemoryClaim {

    /** The variables that set the claim, as an operator would change them ({@code A × B}). */
    String memoryVariables();

    /** The heap the claim may take, in bytes. */
    long memoryBytes();
}
