package dev.snapflow.contracts.storage;

import java.util.Locale;

/** The medallion tiers; each is one path segment under a data version. */
public enum Tier {
    /** Input snapshots as other systems (or `snapflow snapshot upload`) published them. */
    RAW,
    /** Raw data as Parquet with ingestion metadata. */
    BRONZE,
    /** Cleaned, typed, deduplicated data that passed its quality rules. */
    SILVER,
    /** Aggregates for consumers. */
    GOLD,
    /** Rows that a step rejected, with the reason. */
    QUARANTINE;

    public String pathSegment() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Tier fromPathSegment(String segment) {
        for (Tier tier : values()) {
            if (tier.pathSegment().equals(segment)) {
                return tier;
            }
        }
        throw new IllegalArgumentException("unknown tier '" + segment + "'; known tiers: raw, bronze, silver, gold, quarantine");
    }
}
