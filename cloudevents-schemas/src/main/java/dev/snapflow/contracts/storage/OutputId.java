package dev.snapflow.contracts.storage;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Derives an output's id from what determines its content: the action, its params, the job's version and
 * the input it reads. A repeated identical request therefore names an output that is already committed
 * (and is reported as cached), while any difference names a new one: no two requests collide.
 */
public final class OutputId {
    private static final int HASH_HEX_CHARS = 16;

    private OutputId() {
    }

    /**
     * @param action           the action name, e.g. {@code clean}
     * @param paramsJson       the action's params as JSON (canonicalised here; key order does not matter)
     * @param jobVersion       the version of the job code that computes the output
     * @param inputManifestKey the committed manifest the step reads
     * @return {@code {action}-{16 hex chars}}
     */
    public static String derive(String action, String paramsJson, String jobVersion, String inputManifestKey) {
        PathSegment.requireSafe("action", action);
        String material = String.join("\n", "snapflow-output/v" + StorageLayout.CONTRACT_VERSION, action,
                CanonicalJson.canonicalize(paramsJson), jobVersion, inputManifestKey);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(material.getBytes(StandardCharsets.UTF_8));
            return action.toLowerCase(Locale.ROOT) + "-" + HexFormat.of().formatHex(digest).substring(0, HASH_HEX_CHARS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
