package dev.snapflow.local.cli;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The local installation's secrets (admin token, callback HMAC key, API key pepper), generated once and kept in
 * {@code <work dir>/secrets.properties} (owner-only), so API keys created earlier keep working after a restart.
 */
record LocalSecrets(String adminToken, String callbackHmacKey, String apiKeyPepper) {
    static final String FILE = "secrets.properties";

    static LocalSecrets loadOrCreate(Path workDir) {
        Path file = workDir.resolve(FILE);
        try {
            if (Files.isRegularFile(file)) {
                Properties properties = new Properties();
                try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    properties.load(reader);
                }
                return new LocalSecrets(required(properties, "admin-token", file),
                        required(properties, "callback-hmac-key", file), required(properties, "api-key-pepper", file));
            }
            LocalSecrets secrets = new LocalSecrets(random(), random(), random());
            Files.createDirectories(workDir);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Properties properties = new Properties();
            properties.setProperty("admin-token", secrets.adminToken());
            properties.setProperty("callback-hmac-key", secrets.callbackHmacKey());
            properties.setProperty("api-key-pepper", secrets.apiKeyPepper());
            try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                properties.store(writer, "Snapflow local secrets (generated once; delete the work dir to reset)");
            }
            return secrets;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }

    private static String required(Properties properties, String key, Path file) {
        String value = properties.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new CliException(file + " has no " + key + "; delete the file to generate new secrets");
        }
        return value;
    }

    private static String random() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Every component is a secret. */
    @Override
    public String toString() {
        return "LocalSecrets[adminToken=****, callbackHmacKey=****, apiKeyPepper=****]";
    }
}
