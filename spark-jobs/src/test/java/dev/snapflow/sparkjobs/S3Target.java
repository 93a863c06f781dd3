package dev.snapflow.sparkjobs;

import java.net.URI;

/** The S3 endpoint and bucket the tests use. */
record S3Target(URI endpoint, String region, String accessKey, String secretKey, String bucket) {

    S3Settings settings() {
        return new S3Settings(endpoint, region, accessKey, secretKey, true);
    }
}
