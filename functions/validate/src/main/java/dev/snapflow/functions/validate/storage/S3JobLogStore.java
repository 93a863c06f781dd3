package dev.snapflow.functions.validate.storage;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.util.List;
import java.util.Optional;

/** {@link JobLogStore} on the S3 API: ranged GETs, so a large log is never read whole. */
@Singleton
public class S3JobLogStore implements JobLogStore, AutoCloseable {
    private final S3Client s3;
    private final String bucket;

    public S3JobLogStore(S3Configuration config) {
        this.s3 = config.newClient();
        this.bucket = config.bucket();
    }

    @Override
    public Optional<LogSlice> read(String key, long offset, int limit) {
        ResponseBytes<GetObjectResponse> bytes;
        try {
            bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).range("bytes=" + offset + "-" + (offset + limit - 1)));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            if (e.statusCode() == 416) { // at or past the end (or an empty log): nothing new yet
                return size(key).map(size -> new LogSlice(new byte[0], offset, size));
            }
            throw e;
        }
        return Optional.of(new LogSlice(bytes.asByteArray(), offset, totalOf(bytes.response(), offset + bytes.asByteArray().length)));
    }

    @Override
    public Optional<List<String>> tail(String key, int lines, int maxBytes) {
        ResponseBytes<GetObjectResponse> bytes;
        try {
            bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).range("bytes=-" + maxBytes));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            if (e.statusCode() == 416) {
                return Optional.of(List.of());
            }
            throw e;
        }
        String range = bytes.response().contentRange();
        boolean fromStart = range == null || range.startsWith("bytes 0-");
        return Optional.of(LogText.lastLines(bytes.asUtf8String(), lines, !fromStart));
    }

    private Optional<Long> size(String key) {
        try {
            return Optional.of(s3.headObject(b -> b.bucket(bucket).key(key)).contentLength());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The total from {@code Content-Range: bytes 0-99/1234}; a store that ignores ranges sends the whole object. */
    private static long totalOf(GetObjectResponse response, long fallback) {
        String range = response.contentRange();
        if (range != null && range.contains("/") && !range.endsWith("/*")) {
            return Long.parseLong(range.substring(range.indexOf('/') + 1).trim());
        }
        return fallback;
    }

    @PreDestroy
    @Override
    public void close() {
        s3.close();
    }
}
