package io.agentstream.stream;

import org.springframework.test.context.TestPropertySource;

/**
 * {@link GaplessStreamIT} with pages and a replay ring bounded by bytes long before their
 * counts: the tailer's reads and the resumes' pages stop at a few events each, and most resumes
 * reach back beyond the ring to PostgreSQL. Every event must still arrive once, in order.
 */
@TestPropertySource(properties = {
        "agentstream.stream.page-bytes=8KB",
        "agentstream.stream.replay-buffer-bytes=64KB",
        "agentstream.stream.max-pending-bytes=1MB"})
class GaplessStreamBytesIT extends GaplessStreamIT {
}
