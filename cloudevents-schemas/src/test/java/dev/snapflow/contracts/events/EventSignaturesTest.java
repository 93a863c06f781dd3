package dev.snapflow.contracts.events;

import dev.snapflow.contracts.TestResources;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventSignaturesTest {
    /** The example secret of the README; its key is the 32 ASCII bytes {@code example-signing-key-do-not-use!!}. */
    static final String README_SECRET = "sfsnd_ZXhhbXBsZS1zaWduaW5nLWtleS1kby1ub3QtdXNlISE=";

    private static CloudEvent published() {
        return Events.newEvent(new SnapshotPublished("acme", "orders", "2026-11-20",
                "acme/orders/2026-11-20/raw/_manifest.json", 10L, Instant.parse("2026-11-21T10:15:30Z")))
                .source(URI.create("/acme/warehouse")).build();
    }

    @Test
    void aSignedEventVerifiesUnderItsSecretOnly() {
        String secret = EventSignatures.newSecret();
        CloudEvent signed = EventSignatures.sign(published(), "acme-warehouse", secret);

        assertThat(signed.getExtension(EventSignatures.SENDER)).isEqualTo("acme-warehouse");
        assertThat(signed.getExtension(EventSignatures.SIGNATURE).toString()).startsWith("v1,");
        assertThat(EventSignatures.verify(signed, secret)).isTrue();
        assertThat(EventSignatures.verify(signed, EventSignatures.newSecret())).isFalse();
        assertThat(EventSignatures.verify(published(), secret)).as("unsigned").isFalse();
    }

    @Test
    void changingAnySignedPartBreaksTheSignature() {
        String secret = EventSignatures.newSecret();
        CloudEvent signed = EventSignatures.sign(published(), "acme-warehouse", secret);

        assertThat(EventSignatures.verify(CloudEventBuilder.from(signed).withExtension(EventSignatures.SENDER, "other").build(), secret)).isFalse();
        assertThat(EventSignatures.verify(CloudEventBuilder.from(signed).withId("other").build(), secret)).isFalse();
        assertThat(EventSignatures.verify(CloudEventBuilder.from(signed).withSource(URI.create("/other")).build(), secret)).isFalse();
        assertThat(EventSignatures.verify(CloudEventBuilder.from(signed).withTime(signed.getTime().plusSeconds(1)).build(), secret)).isFalse();
        String otherTenant = new String(signed.getData().toBytes(), StandardCharsets.UTF_8).replace("acme", "victim");
        assertThat(EventSignatures.verify(CloudEventBuilder.from(signed)
                .withData("application/json", otherTenant.getBytes(StandardCharsets.UTF_8)).build(), secret)).isFalse();
        assertThat(EventSignatures.verify(CloudEventBuilder.from(signed)
                .withExtension(EventSignatures.SIGNATURE, "v1,not-base64!").build(), secret)).isFalse();
    }

    @Test
    void theSignatureSurvivesStructuredModeAndReformattedData() {
        String secret = EventSignatures.newSecret();
        CloudEvent signed = EventSignatures.sign(published(), "acme-warehouse", secret);
        byte[] structured = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE).serialize(signed);
        CloudEvent roundTripped = EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE).deserialize(structured);
        String spaced = "{ \"rowCount\": 10,\n \"tenant\": \"acme\", \"entity\": \"orders\", \"dataVersion\": \"2026-11-20\","
                + " \"manifestKey\": \"acme/orders/2026-11-20/raw/_manifest.json\", \"publishedAt\": \"2026-11-21T10:15:30Z\" }";

        assertThat(EventSignatures.verify(roundTripped, secret)).isTrue();
        assertThat(EventSignatures.verify(CloudEventBuilder.from(signed)
                .withData("application/json", spaced.getBytes(StandardCharsets.UTF_8)).build(), secret)).isTrue();
    }

    @Test
    void eventsThatCannotBeSignedUnambiguouslyAreRefused() {
        assertThatThrownBy(() -> EventSignatures.sign(CloudEventBuilder.from(published()).withId("a\nb").build(), "s",
                EventSignatures.newSecret())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line breaks");
        assertThatThrownBy(() -> EventSignatures.sign(published(), "s", "whsec_abc"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(EventSignatures.SECRET_PREFIX);
        assertThatThrownBy(() -> EventSignatures.sign(published(), " ", EventSignatures.newSecret()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theReadmeExampleIsSignedWithTheReadmeSecretAndShownVerbatim() throws IOException {
        byte[] example = TestResources.example("signed/dev.snapflow.snapshot.published.v1.json");
        CloudEvent event = Events.fromJson(example);

        assertThat(EventSignatures.verify(event, README_SECRET)).isTrue();
        assertThat(Events.read(event, SnapshotPublished.class).tenant()).isEqualTo("acme");
        String readme = Files.readString(Path.of(System.getProperty("user.dir"), "README.md"), StandardCharsets.UTF_8);
        assertThat(readme).contains("```json\n" + new String(example, StandardCharsets.UTF_8) + "```");
        assertThat(readme).contains(README_SECRET);
    }
}
