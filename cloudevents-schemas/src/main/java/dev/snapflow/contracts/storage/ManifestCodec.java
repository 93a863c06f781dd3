package dev.snapflow.contracts.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Reads and writes manifests as JSON (UTF-8), the only way the rest of the code touches their text. */
public final class ManifestCodec {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ManifestCodec() {
    }

    public static byte[] toJson(Manifest manifest) {
        try {
            return MAPPER.writeValueAsBytes(manifest);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write manifest", e);
        }
    }

    /** @throws IllegalArgumentException when the bytes are not a manifest */
    public static Manifest fromJson(byte[] json) {
        try {
            Manifest manifest = MAPPER.readValue(json, Manifest.class);
            if (manifest.manifestVersion() != StorageLayout.CONTRACT_VERSION) {
                throw new IllegalArgumentException("unsupported manifestVersion " + manifest.manifestVersion()
                        + "; this code reads version " + StorageLayout.CONTRACT_VERSION);
            }
            return manifest;
        } catch (IOException e) {
            throw new IllegalArgumentException("not a valid manifest: " + firstLine(e.getMessage()), e);
        }
    }

    public static String toJsonString(Manifest manifest) {
        return new String(toJson(manifest), StandardCharsets.UTF_8);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

}
