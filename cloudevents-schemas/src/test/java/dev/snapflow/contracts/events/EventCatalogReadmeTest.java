package dev.snapflow.contracts.events;

import dev.snapflow.contracts.TestResources;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The event catalog shows every type with its tested example, so the README cannot drift from the code. */
class EventCatalogReadmeTest {

    @Test
    void catalogShowsEveryEventTypeWithItsExampleVerbatim() throws IOException {
        String readme = Files.readString(Path.of(System.getProperty("user.dir"), "README.md"), StandardCharsets.UTF_8);

        for (String type : EventTypes.all()) {
            assertThat(readme).as(type).contains("### " + type + "\n");
            String example = new String(TestResources.example("events/" + type + ".json"), StandardCharsets.UTF_8);
            assertThat(readme).as("example of " + type).contains("```json\n" + example + "```");
        }
    }
}
