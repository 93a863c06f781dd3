package dev.snapflow.functions.validate.accept;

import java.util.Locale;

/** Where a request came from; kept on the process for operators. */
public enum Origin {
    API, EVENT, SUBSCRIPTION;

    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
