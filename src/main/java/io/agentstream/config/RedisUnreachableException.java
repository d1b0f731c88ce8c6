package io.agentstream.config;

/** REDIS_URL is set but no Redis answers there at start-up. Carries no password. */
class RedisUnreachableException extends RuntimeException {

    private final String address;
    private final String reason;

    RedisUnreachableException(String address, String reason, Throwable cause) {
        super("Redis at " + address + " does not answer: " + reason, cause);
        this.address = address;
        this.reason = reason;
    }

    String address() {
        return address;
    }

    String reason() {
        return reason;
    }
}
