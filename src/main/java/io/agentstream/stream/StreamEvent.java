package io.agentstream.stream;

/**
 * One committed event as the stream delivers it. {@code json} is the SSE data line,
 * rendered once by the tailer and shared by every subscriber.
 */
record StreamEvent(long id, String type, String conversationId, String json) {
}
