package dev.snapflow.spark;

import dev.snapflow.local.stack.S3Endpoint;

import java.net.URI;

/** The S3 endpoint and bucket the tests use: the local stack's S3Proxy. */
record S3Target(URI endpoint, String region, String accessKey, String secretKey, String bucket) {

    static S3Target of(S3Endpoint s3) {
        return new S3Target(s3.endpoint(), s3.region(), s3.accessKey(), s3.secretKey(), s3.bucket());
    }

    S3Settings settings() {
        return new S3Settings(endpoint, region, accessKey, secretKey, true);
    }
}
