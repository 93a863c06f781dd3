package dev.snapflow.contracts.storage;

import java.util.List;

/**
 * Data isolation: the rule that every data file a manifest lists lies under that manifest's own folder, as
 * {@link StorageLayout} defines it ({@code {tenant}/{entity}/{data_version}/raw/} for a raw snapshot,
 * {@code {tenant}/{entity}/{data_version}/{tier}/{output_id}/} for an output), and is one plain object key.
 *
 * <p>A manifest is written by whoever publishes a snapshot, and readers read exactly the files it lists. Without
 * this rule a tenant's manifest could list {@code other-tenant/orders/v1/raw/part-0.csv} and a job running for
 * that tenant would copy the other tenant's data; or it could list a glob ({@code other-*}) that Hadoop expands
 * over the whole bucket. Readers (the job), publishers ({@code snapshot upload}) and validate all check it here.
 */
public final class ManifestFiles {
    /**
     * Characters Hadoop's glob syntax ({@code org.apache.hadoop.fs.GlobPattern}) and Spark's path handling treat
     * specially: {@code * ? [ ] { }} expand, {@code \} escapes, and {@code :} is read as a scheme or breaks
     * Hadoop's {@code Path} (it cannot represent a file name with a colon).
     */
    private static final String FORBIDDEN = "*?[]{}\\:";

    private ManifestFiles() {
    }

    /**
     * The folder every data file of {@code manifest} must lie under, from its own tenant, entity, data version,
     * tier and (for outputs) output id.
     *
     * @throws UnsafeManifestException when those fields do not name a storage location
     */
    public static String dataPrefix(Manifest manifest) {
        SnapshotRef ref;
        try {
            ref = manifest.snapshotRef();
        } catch (InvalidPathSegmentException e) {
            throw new UnsafeManifestException(e.field(), e.getMessage().substring(e.field().length() + 1));
        }
        Tier tier;
        try {
            tier = Tier.fromPathSegment(manifest.tier());
        } catch (IllegalArgumentException e) {
            throw new UnsafeManifestException("tier", e.getMessage());
        }
        if (tier == Tier.RAW) {
            return StorageLayout.rawSnapshotPrefix(ref);
        }
        try {
            return StorageLayout.outputPrefix(ref, tier, manifest.outputId());
        } catch (InvalidPathSegmentException e) {
            throw new UnsafeManifestException("outputId", e.getMessage().substring(e.field().length() + 1));
        }
    }

    /**
     * Checks that the manifest stored at {@code manifestKey} describes that very folder and that every file it
     * lists lies under it ({@link #requireKeyUnder}).
     *
     * @throws UnsafeManifestException naming the first offending field and key
     */
    public static void requireContained(String manifestKey, Manifest manifest) {
        String prefix = dataPrefix(manifest);
        if (!StorageLayout.manifestKeyIn(prefix).equals(manifestKey)) {
            throw new UnsafeManifestException("manifest", "at '" + manifestKey + "' describes "
                    + prefix + ", not its own folder");
        }
        List<Manifest.DataFile> files = manifest.files();
        for (int i = 0; i < files.size(); i++) {
            requireKeyUnder(prefix, "files[" + i + "].key", files.get(i) == null ? null : files.get(i).key());
        }
    }

    /**
     * Checks one data file key: bucket-relative (no scheme, no leading '/'), under {@code prefix} with at least
     * one segment below it, no empty, '.' or '..' segment, no control character and no glob or escape character.
     *
     * @throws UnsafeManifestException naming {@code field}, the key and the broken rule
     */
    public static String requireKeyUnder(String prefix, String field, String key) {
        if (key == null || key.isEmpty()) {
            throw new UnsafeManifestException(field, "must not be empty");
        }
        String shown = "'" + printable(key) + "'";
        if (key.contains("://")) {
            throw new UnsafeManifestException(field, shown + " must be a bucket-relative key, not a URI with a scheme");
        }
        if (key.startsWith("/")) {
            throw new UnsafeManifestException(field, shown + " must not start with '/'");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isISOControl(c)) {
                throw new UnsafeManifestException(field, shown + " must not contain control characters");
            }
            if (FORBIDDEN.indexOf(c) >= 0) {
                throw new UnsafeManifestException(field, shown + " must not contain '" + c
                        + "' (glob, escape and scheme characters are refused: a manifest lists exact keys)");
            }
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty()) {
                throw new UnsafeManifestException(field, shown + " must not contain an empty segment ('//' or a trailing '/')");
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw new UnsafeManifestException(field, shown + " must not contain a '" + segment + "' segment");
            }
        }
        if (!key.startsWith(prefix) || key.length() == prefix.length()) {
            throw new UnsafeManifestException(field, shown + " lies outside the snapshot's own prefix " + prefix);
        }
        return key;
    }

    private static String printable(String key) {
        StringBuilder out = new StringBuilder();
        key.codePoints().limit(300).forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return key.length() > 300 ? out + "..." : out.toString();
    }
}
