package dev.snapflow.functions.shared.webhooks;

import java.util.ArrayList;
import java.util.List;

/**
 * @param httpsOnly      refuse {@code http://} webhook URLs (production mode)
 * @param allowedTargets internal receivers the address rules do not apply to (see {@link AllowedTarget})
 * @param maxUrlLength   longest accepted webhook URL, in characters
 */
public record WebhookPolicySettings(boolean httpsOnly, List<AllowedTarget> allowedTargets, int maxUrlLength) {

    public WebhookPolicySettings {
        allowedTargets = List.copyOf(allowedTargets);
        if (maxUrlLength < 16) {
            throw new IllegalArgumentException("the longest webhook URL must allow at least 16 characters");
        }
    }

    /**
     * Parses a comma-separated allow-list ({@code 10.0.0.0/8, hooks.internal:8443}); blank means none.
     *
     * @throws IllegalArgumentException naming every bad entry
     */
    public static List<AllowedTarget> parseAllowList(String commaSeparated) {
        List<AllowedTarget> targets = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        if (commaSeparated != null && !commaSeparated.isBlank()) {
            for (String entry : commaSeparated.split(",")) {
                try {
                    targets.add(AllowedTarget.parse(entry));
                } catch (IllegalArgumentException e) {
                    problems.add(e.getMessage());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems)
                    + " (entries are host, host:port, [ipv6]:port or CIDR, separated by commas)");
        }
        return targets;
    }
}
