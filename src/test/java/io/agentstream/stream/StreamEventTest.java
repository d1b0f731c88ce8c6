package io.agentstream.stream;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The sizes the stream's byte budgets count, measured without encoding, against the frames as encoded. */
class StreamEventTest {

    @Test
    void theFrameSizeIsTheNamedFramesExactLengthWhateverTheText() {
        List<String> texts = List.of(
                "{}",
                "{\"content\":\"plain ascii\"}",
                "{\"content\":\"Latin-1: héllo, naïve, ß\"}",
                "{\"content\":\"three bytes: 中文, €\"}",
                "{\"content\":\"four bytes: 🙂🚀\"}",
                "{\"content\":\"lone surrogates: \uD83D and \uDE42 apart\"}",
                "{\"a\":\n1,\n\"b\":\"x\"}\n",
                "x".repeat(100_000));
        for (String json : texts) {
            StreamEvent event = new StreamEvent(123_456_789, "message.created", "conv-1", json);
            assertThat(event.frameBytes()).as(json).isEqualTo(event.frame(true).length);
            assertThat(event.frameBytes()).as(json).isGreaterThan(event.frame(false).length);
        }
    }

    @Test
    void theHeapSizeCoversTheTextAndBothFrames() {
        String ascii = "{\"content\":\"" + "x".repeat(10_000) + "\"}";
        String wide = "{\"content\":\"" + "中".repeat(10_000) + "\"}";
        StreamEvent narrow = new StreamEvent(1, "log.entry", "c", ascii);
        StreamEvent cjk = new StreamEvent(2, "log.entry", "c", wide);
        // Latin-1 text is held one byte a character, other text two.
        long narrowHeld = ascii.length() + narrow.frame(false).length + narrow.frame(true).length;
        long cjkHeld = 2L * wide.length() + cjk.frame(false).length + cjk.frame(true).length;
        assertThat(narrow.heapBytes()).isGreaterThanOrEqualTo(narrowHeld).isLessThan(narrowHeld + 512);
        assertThat(cjk.heapBytes()).isGreaterThanOrEqualTo(cjkHeld).isLessThan(cjkHeld + 512);
    }
}
