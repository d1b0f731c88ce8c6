package io.agentstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Validation reports bean paths; clients need the snake_case names they sent. */
class EventParserPathTest {

    @ParameterizedTest
    @CsvSource({
            "content, content",
            "conversationId, conversation_id",
            "participants[0].agentType, participants[0].agent_type",
            "participants[3].<list element>, participants[3]",
            "summary.shortText, summary.short_text",
            "systemInfo.agentpipeVersion, system_info.agentpipe_version",
    })
    void beanPathsBecomeWireNames(String beanPath, String wirePath) {
        assertThat(EventParser.wirePath(beanPath)).isEqualTo(wirePath);
    }
}
