package dev.snapflow.contracts.storage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.snapflow.contracts.schema.InvalidDocumentException;
import dev.snapflow.contracts.schema.Violation;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads and writes manifests as JSON (UTF-8), the only way the rest of the code touches their text. Both
 * directions check the manifest against {@code schemas/dev.snapflow.manifest.v1.json}.
 */
public final class ManifestCodec {
    /** The manifest schema's {@code $id}. */
    public static final URI SCHEMA = ContractDocuments.schemaUri("dev.snapflow.manifest.v1");

    private ManifestCodec() {
    }

    /** @throws InvalidDocumentException naming each field when the manifest breaks its schema */
    public static byte[] toJson(Manifest manifest) {
        return ContractDocuments.write(manifest, SCHEMA, "manifest");
    }

    /** @throws InvalidDocumentException (an IllegalArgumentException) naming each field when the bytes are not a manifest */
    public static Manifest fromJson(byte[] json) {
        JsonNode tree = ContractDocuments.parse(json, "manifest");
        JsonNode version = tree.get("manifestVersion");
        // Said first and plainly: a newer contract version is the one failure a reader can do nothing about.
        if (version != null && version.canConvertToInt() && version.asInt() != StorageLayout.CONTRACT_VERSION) {
            throw new InvalidDocumentException("manifest", List.of(new Violation("manifestVersion",
                    "unsupported manifestVersion " + version.asInt() + "; this code reads version "
                            + StorageLayout.CONTRACT_VERSION)), null);
        }
        return ContractDocuments.read(tree, Manifest.class, SCHEMA, "manifest");
    }

    public static String toJsonString(Manifest manifest) {
        return new String(toJson(manifest), StandardCharsets.UTF_8);
    }
}
