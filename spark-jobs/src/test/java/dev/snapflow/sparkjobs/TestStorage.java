package dev.snapflow.sparkjobs;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;

import java.net.URI;

/** TEMPORARY until local/stack lands: an S3 endpoint given by system properties. */
final class TestStorage {
    private TestStorage() {
    }

    static S3Target target() {
        S3Target target = new S3Target(URI.create(System.getProperty("snapflow.test.s3", "http://127.0.0.1:19000")),
                "us-east-1", "devkey", "devsecret", "snapflow-test");
        try (S3Client s3 = target.settings().newClient()) {
            s3.createBucket(CreateBucketRequest.builder().bucket(target.bucket()).build());
        } catch (BucketAlreadyOwnedByYouException e) {
            // fine
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() != 409) {
                throw e;
            }
        }
        return target;
    }
}
