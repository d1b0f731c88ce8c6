package io.agentstream.validation;

/** Where {@link WithinLimitValidator} learns the configured maximum of each {@link Limit}. */
public interface TextLimits {

    int maxLength(Limit limit);
}
