package dev.snapflow.contracts.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class S3UriTest {

    @Test
    void parsesBucketAndKeyAndPrintsBack() {
        S3Uri uri = S3Uri.parse("inputManifest", "s3://snapflow-data/acme/orders/v1/raw/_manifest.json");

        assertThat(uri.bucket()).isEqualTo("snapflow-data");
        assertThat(uri.key()).isEqualTo("acme/orders/v1/raw/_manifest.json");
        assertThat(uri).hasToString("s3://snapflow-data/acme/orders/v1/raw/_manifest.json");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://bucket/key", "s3://bucket", "s3://bucket/", "s3://Bucket_1/key", "s3://bucket//key", "s3:/bucket/key"})
    void rejectsWhatIsNotAnS3ObjectAddressNamingTheField(String value) {
        assertThatThrownBy(() -> S3Uri.parse("inputManifest", value))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("inputManifest must be an s3://bucket/key URI");
    }

    @Test
    void patternAgreesWithTheParser() {
        assertThat("s3://snapflow-data/a/b").matches(S3Uri.PATTERN);
        assertThat("s3://bucket//key").doesNotMatch(S3Uri.PATTERN);
    }
}
