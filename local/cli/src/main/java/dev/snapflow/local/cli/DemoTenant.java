package dev.snapflow.local.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The demo's tenant and its API key, created through the admin API on first use and kept in
 * {@code <work dir>/demo-api-key} so later demos (and the user, with {@code snapflow up}) can reuse it.
 */
final class DemoTenant {
    static final String ID = "demo";
    static final String KEY_FILE = "demo-api-key";

    private DemoTenant() {
    }

    /** Returns the demo tenant's API key, creating the tenant (or a new key for it) when needed. */
    static String apiKey(ApiClient admin, Path workDir) {
        Path file = workDir.resolve(KEY_FILE);
        try {
            if (Files.isRegularFile(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            }
            JsonNode created;
            try {
                created = admin.post("/v1/admin/tenants", ApiClient.JSON.createObjectNode().put("id", ID)
                        .put("displayName", "Snapflow demo"));
            } catch (ApiProblemException e) {
                if (e.status() != 409) {
                    throw e;
                }
                // The tenant exists but its key file is gone: issue another key.
                created = admin.post("/v1/admin/tenants/" + ID + "/api-keys", ApiClient.JSON.createObjectNode());
            }
            String apiKey = created.path("apiKey").asText();
            if (apiKey.isEmpty()) {
                throw new CliException("the admin API returned no apiKey for tenant " + ID);
            }
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, apiKey + "\n", StandardCharsets.UTF_8);
            return apiKey;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }
}
