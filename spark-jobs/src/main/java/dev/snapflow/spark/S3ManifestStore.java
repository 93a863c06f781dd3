package dev.snapflow.spark;

import dev.snapflow.contracts.jobs.ErrorClass;
import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.contracts.storage.ManifestCodec;
import dev.snapflow.contracts.storage.S3Uri;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@link ManifestStore} over the S3 API (AWS SDK v2). */
public final class S3ManifestStore implements ManifestStore, AutoCloseable {
    private final S3Client s3;

    public S3ManifestStore(S3Client s3) {
        this.s3 = s3;
    }

    @Override
    public Optional<Manifest> read(S3Uri uri) {
        byte[] bytes;
        try {
            bytes = s3.getObjectAsBytes(GetObjectRequest.builder().bucket(uri.bucket()).key(uri.key()).build())
                    .asByteArray();
        } catch (NoSuchKeyException | NoSuchBucketException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw storageTrouble("cannot read " + uri, e);
        } catch (SdkClientException e) {
            throw storageTrouble("cannot read " + uri, e);
        }
        try {
            return Optional.of(ManifestCodec.fromJson(bytes));
        } catch (IllegalArgumentException e) {
            throw new JobFailure(ErrorClass.MISSING_INPUT, uri + " is not a committed manifest: " + e.getMessage(), e);
        }
    }

    @Override
    public Manifest commitIfAbsent(S3Uri uri, Manifest manifest) {
        Optional<Manifest> existing = read(uri);
        if (existing.isPresent()) {
            return existing.get();
        }
        try {
            // If-None-Match closes the race between two attempts that passed the check above together.
            s3.putObject(PutObjectRequest.builder().bucket(uri.bucket()).key(uri.key()).ifNoneMatch("*")
                    .contentType("application/json").build(), RequestBody.fromBytes(ManifestCodec.toJson(manifest)));
            return manifest;
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 409) {
                return read(uri).orElseThrow(() -> storageTrouble("commit of " + uri + " conflicted but no manifest is there", e));
            }
            throw storageTrouble("cannot commit " + uri, e);
        } catch (SdkClientException e) {
            throw storageTrouble("cannot commit " + uri, e);
        }
    }

    @Override
    public List<StoredObject> listAttempt(S3Uri prefix) {
        List<StoredObject> objects = new ArrayList<>();
        try {
            s3.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(prefix.bucket()).prefix(prefix.key()).build())
                    .contents().forEach(o -> objects.add(new StoredObject(o.key(), o.size())));
        } catch (SdkClientException | S3Exception e) {
            throw storageTrouble("cannot list " + prefix, e);
        }
        return objects;
    }

    @Override
    public void createFolder(S3Uri prefix) {
        try {
            s3.putObject(PutObjectRequest.builder().bucket(prefix.bucket()).key(prefix.key()).build(), RequestBody.empty());
        } catch (SdkClientException | S3Exception e) {
            throw storageTrouble("cannot create " + prefix, e);
        }
    }

    @Override
    public void close() {
        s3.close();
    }

    private static JobFailure storageTrouble(String message, Exception e) {
        return new JobFailure(ErrorClass.TRANSIENT, message + ": " + e.getMessage(), e);
    }
}
