package dev.snapflow.contracts.storage;

import dev.snapflow.contracts.schema.InvalidDocumentException;

import java.net.URI;

/** Reads and writes {@code _latest.json}, checked against {@code schemas/dev.snapflow.latest-pointer.v1.json}. */
public final class LatestPointerCodec {
    public static final URI SCHEMA = ContractDocuments.schemaUri("dev.snapflow.latest-pointer.v1");

    private LatestPointerCodec() {
    }

    public static byte[] toJson(LatestPointer pointer) {
        return ContractDocuments.write(pointer, SCHEMA, "latest pointer");
    }

    /** @throws InvalidDocumentException naming each field when the bytes are not a latest pointer */
    public static LatestPointer fromJson(byte[] json) {
        return ContractDocuments.read(ContractDocuments.parse(json, "latest pointer"), LatestPointer.class, SCHEMA,
                "latest pointer");
    }
}
