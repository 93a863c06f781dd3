package dev.snapflow.local.sampledata;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

import java.net.URI;

/** TEMPORARY until local/stack lands. */
final class DevS3 {
    record Target(S3Client client, String bucket) {
    }

    static Target target() {
        S3Client client = S3Client.builder().endpointOverride(URI.create("http://127.0.0.1:19000")).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("devkey", "devsecret")))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED).build();
        try {
            client.createBucket(b -> b.bucket("snapflow-test"));
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            // exists
        }
        return new Target(client, "snapflow-test");
    }
}
