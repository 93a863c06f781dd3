package dev.snapflow.contracts.storage;

import dev.snapflow.contracts.TestResources;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/storage-contract.md shows the tested example manifests and the layout this code builds. */
class StorageContractDocTest {

    @Test
    void documentShowsTheTestedManifestsAndTheLayout() throws IOException {
        String doc = Files.readString(Path.of(System.getProperty("user.dir"), "..", "docs", "storage-contract.md"),
                StandardCharsets.UTF_8);

        for (String example : new String[] {"snapshot.valid.json", "output.valid.json"}) {
            String json = new String(TestResources.example("manifests/" + example), StandardCharsets.UTF_8);
            assertThat(doc).as(example).contains("```json\n" + json + "```");
        }
        assertThat(doc).contains("{tenant}/{entity}/" + StorageLayout.LATEST_POINTER_FILE,
                "{tenant}/{entity}/{data_version}/raw/" + StorageLayout.MANIFEST_FILE,
                "/{output_id}/" + StorageLayout.ATTEMPTS_DIR + "/{attempt_id}/",
                "version " + StorageLayout.CONTRACT_VERSION,
                "{tenant}/" + StorageLayout.JOBS_DIR + "/{process_id}/steps/{step}/attempts/{attempt}/" + StorageLayout.DRIVER_LOG_FILE,
                "{tenant}/" + StorageLayout.JOBS_DIR + "/{process_id}/steps/{step}/attempts/{attempt}/"
                        + StorageLayout.SPARK_EVENTS_DIR + "/");
    }
}
