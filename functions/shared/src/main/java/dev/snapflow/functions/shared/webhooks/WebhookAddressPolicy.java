package dev.snapflow.functions.shared.webhooks;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Where a webhook may go: a tenant chooses the URL, so without this rule a webhook is a request from inside the
 * cluster to any address the tenant names (blind SSRF: the metadata service, loopback admin ports, cluster
 * services). Checked when a request names the URL (validate) and again when it is called (callback), where the
 * host is resolved ONCE, every address is checked, and the call connects to exactly those addresses.
 *
 * <p>Refused: URLs longer than the limit, anything but {@code https} (and {@code http} unless https-only),
 * user info, cloud metadata host names; addresses that are loopback, link-local, private (RFC 1918, unique
 * local, site-local), shared CGNAT space, multicast, unspecified, broadcast or reserved, including their
 * IPv4-mapped, IPv4-compatible, NAT64 and 6to4 IPv6 forms. Hosts and CIDR blocks on the allow-list are exempt
 * from the address rules (never from the metadata-host rule).
 */
public final class WebhookAddressPolicy {
    /** Names of cloud instance-metadata services (their addresses are link-local or CGNAT and refused too). */
    private static final Set<String> METADATA_HOSTS = Set.of("metadata", "metadata.google.internal", "metadata.goog",
            "instance-data", "instance-data.ec2.internal", "metadata.azure.internal", "metadata.tencentyun.com",
            "metadata.oraclecloud.com");

    private final WebhookPolicySettings settings;
    private final HostResolver resolver;

    public WebhookAddressPolicy(WebhookPolicySettings settings, HostResolver resolver) {
        this.settings = settings;
        this.resolver = resolver;
    }

    /** A URL that passed the checks that need no DNS. */
    public record Target(URI uri, String scheme, String host, int port) {
    }

    /**
     * The checks at submission: the URL's own rules, then, if the host resolves now, every address it resolves
     * to. A host that does not resolve (DNS down, a name not yet published) passes: delivery checks again.
     *
     * @throws WebhookUrlRefused naming the rule broken
     */
    public void checkAtSubmission(String url) {
        Target target = checkUrl(url);
        try {
            addressesFor(target.host(), target.port());
        } catch (UnknownHostException e) {
            // checked again, after a fresh lookup, when the webhook is called
        }
    }

    /**
     * The rules of the URL itself (length, scheme, user info, metadata host names); no DNS.
     *
     * @throws WebhookUrlRefused naming the rule broken
     */
    public Target checkUrl(String url) {
        if (url.length() > settings.maxUrlLength()) {
            throw new WebhookUrlRefused(WebhookUrlRule.URL_TOO_LONG,
                    "must be at most " + settings.maxUrlLength() + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new WebhookUrlRefused(WebhookUrlRule.MALFORMED_URL, "must be an absolute http(s) URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new WebhookUrlRefused(WebhookUrlRule.SCHEME_NOT_ALLOWED, settings.httpsOnly()
                    ? "must be an https URL" : "must be an http or https URL");
        }
        if (scheme.equals("http") && settings.httpsOnly()) {
            throw new WebhookUrlRefused(WebhookUrlRule.SCHEME_NOT_ALLOWED, "must be an https URL");
        }
        if (uri.getRawUserInfo() != null) {
            throw new WebhookUrlRefused(WebhookUrlRule.USERINFO_NOT_ALLOWED,
                    "must not carry user info (user:password@); authenticate the call by its signature");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new WebhookUrlRefused(WebhookUrlRule.MALFORMED_URL, "must name a valid host");
        }
        int port = uri.getPort() == -1 ? (scheme.equals("https") ? 443 : 80) : uri.getPort();
        if (port < 1 || port > 65535) {
            throw new WebhookUrlRefused(WebhookUrlRule.MALFORMED_URL, "must name a port from 1 to 65535");
        }
        String host = normalizeHost(uri.getHost());
        if (isMetadataHost(host)) {
            throw new WebhookUrlRefused(WebhookUrlRule.METADATA_HOST, "must not name a cloud metadata host (" + host + ")");
        }
        return new Target(uri, scheme, host, port);
    }

    /**
     * Resolves {@code host} once and checks every address it resolves to; the caller connects to exactly the
     * returned addresses (never resolving again, so a second DNS answer cannot swap in another address).
     *
     * @throws WebhookUrlRefused     if any address is forbidden
     * @throws UnknownHostException if the host does not resolve (in time)
     */
    public List<InetAddress> addressesFor(String host, int port) throws UnknownHostException {
        String name = normalizeHost(host);
        if (isMetadataHost(name)) {
            throw new WebhookUrlRefused(WebhookUrlRule.METADATA_HOST, "must not name a cloud metadata host (" + name + ")");
        }
        boolean hostAllowed = settings.allowedTargets().stream().anyMatch(target ->
                target instanceof AllowedTarget.HostPort hostPort && hostPort.matches(name, port));
        List<InetAddress> addresses = resolver.resolve(name);
        if (addresses.isEmpty()) {
            throw new UnknownHostException(name + " has no address");
        }
        if (!hostAllowed) {
            for (InetAddress address : addresses) {
                Optional<WebhookUrlRule> forbidden = forbiddenCategory(address);
                if (forbidden.isPresent() && !inAllowedBlock(address)) {
                    boolean literal = address.getHostAddress().equalsIgnoreCase(name);
                    throw new WebhookUrlRefused(forbidden.get(), (literal ? address.getHostAddress()
                            : name + " resolves to " + address.getHostAddress() + ", which") + " is a "
                            + describe(forbidden.get()) + " address; webhooks go to public addresses only");
                }
            }
        }
        return List.copyOf(addresses);
    }

    private boolean inAllowedBlock(InetAddress address) {
        return settings.allowedTargets().stream().anyMatch(target ->
                target instanceof AllowedTarget.Cidr cidr && cidr.contains(address));
    }

    /** Lower case, without IPv6 brackets or a trailing dot ({@code METADATA.} is {@code metadata}). */
    static String normalizeHost(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
        }
        while (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        return name;
    }

    static boolean isMetadataHost(String host) {
        return METADATA_HOSTS.contains(normalizeHost(host));
    }

    /** Why {@code address} may not receive webhooks, or empty for a public address. */
    public static Optional<WebhookUrlRule> forbiddenCategory(InetAddress address) {
        byte[] b = address.getAddress();
        return address instanceof Inet4Address ? ipv4Category(b) : ipv6Category(b);
    }

    private static Optional<WebhookUrlRule> ipv4Category(byte[] b) {
        int b0 = b[0] & 0xFF;
        int b1 = b[1] & 0xFF;
        int b2 = b[2] & 0xFF;
        WebhookUrlRule rule = null;
        if (b0 == 0) {
            rule = WebhookUrlRule.UNSPECIFIED_ADDRESS; // 0.0.0.0/8, "this network"
        } else if (b0 == 127) {
            rule = WebhookUrlRule.LOOPBACK_ADDRESS;
        } else if (b0 == 10 || (b0 == 172 && b1 >= 16 && b1 <= 31) || (b0 == 192 && b1 == 168)) {
            rule = WebhookUrlRule.PRIVATE_ADDRESS;
        } else if (b0 == 169 && b1 == 254) {
            rule = WebhookUrlRule.LINK_LOCAL_ADDRESS;
        } else if (b0 == 100 && b1 >= 64 && b1 <= 127) {
            rule = WebhookUrlRule.CGNAT_ADDRESS;
        } else if (b0 >= 224 && b0 <= 239) {
            rule = WebhookUrlRule.MULTICAST_ADDRESS;
        } else if (b0 == 255 && b1 == 255 && b2 == 255 && (b[3] & 0xFF) == 255) {
            rule = WebhookUrlRule.BROADCAST_ADDRESS;
        } else if (b0 >= 240 || (b0 == 192 && b1 == 0 && b2 == 0) || (b0 == 198 && (b1 == 18 || b1 == 19))) {
            rule = WebhookUrlRule.RESERVED_ADDRESS; // 240/4, IETF 192.0.0/24 (Oracle's metadata), benchmarking 198.18/15
        }
        return Optional.ofNullable(rule);
    }

    private static Optional<WebhookUrlRule> ipv6Category(byte[] b) {
        boolean first10Zero = true;
        for (int i = 0; i < 10; i++) {
            first10Zero &= b[i] == 0;
        }
        boolean first12Zero = first10Zero && b[10] == 0 && b[11] == 0;
        if (first12Zero) {
            boolean last4Zero = b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] == 0;
            if (last4Zero) {
                return Optional.of(WebhookUrlRule.UNSPECIFIED_ADDRESS);
            }
            if (b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] == 1) {
                return Optional.of(WebhookUrlRule.LOOPBACK_ADDRESS);
            }
            // IPv4-compatible ::a.b.c.d (deprecated): as its IPv4 address
            return Optional.of(embedded(b, 12).orElse(WebhookUrlRule.RESERVED_ADDRESS));
        }
        if (first10Zero && (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF) {
            return embedded(b, 12); // IPv4-mapped ::ffff:a.b.c.d
        }
        int b0 = b[0] & 0xFF;
        int b1 = b[1] & 0xFF;
        if (b0 == 0xFF) {
            return Optional.of(WebhookUrlRule.MULTICAST_ADDRESS);
        }
        if (b0 == 0xFE && (b1 & 0xC0) == 0x80) {
            return Optional.of(WebhookUrlRule.LINK_LOCAL_ADDRESS); // fe80::/10
        }
        if (b0 == 0xFE && (b1 & 0xC0) == 0xC0) {
            return Optional.of(WebhookUrlRule.PRIVATE_ADDRESS); // fec0::/10, site-local (deprecated)
        }
        if ((b0 & 0xFE) == 0xFC) {
            return Optional.of(WebhookUrlRule.PRIVATE_ADDRESS); // fc00::/7, unique local
        }
        if (b0 == 0x00 && b1 == 0x64 && (b[2] & 0xFF) == 0xFF && (b[3] & 0xFF) == 0x9B) {
            boolean wellKnown = true;
            for (int i = 4; i < 12; i++) {
                wellKnown &= b[i] == 0;
            }
            // 64:ff9b::/96 translates to the embedded IPv4 address; 64:ff9b:1::/48 is for local use
            return wellKnown ? embedded(b, 12) : Optional.of(WebhookUrlRule.PRIVATE_ADDRESS);
        }
        if (b0 == 0x20 && b1 == 0x02) {
            return embedded(b, 2); // 6to4 2002:a.b.c.d::/48
        }
        if (b0 == 0x20 && b1 == 0x01 && b[2] == 0 && b[3] == 0) {
            return Optional.of(WebhookUrlRule.RESERVED_ADDRESS); // Teredo 2001::/32 hides an IPv4 address
        }
        if (b0 == 0x01 && b1 == 0 && b[2] == 0 && b[3] == 0 && b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 0) {
            return Optional.of(WebhookUrlRule.RESERVED_ADDRESS); // 100::/64, discard-only
        }
        return Optional.empty();
    }

    private static Optional<WebhookUrlRule> embedded(byte[] b, int offset) {
        return ipv4Category(new byte[] {b[offset], b[offset + 1], b[offset + 2], b[offset + 3]});
    }

    private static String describe(WebhookUrlRule rule) {
        return switch (rule) {
            case LOOPBACK_ADDRESS -> "loopback";
            case LINK_LOCAL_ADDRESS -> "link-local";
            case PRIVATE_ADDRESS -> "private";
            case CGNAT_ADDRESS -> "shared (CGNAT)";
            case MULTICAST_ADDRESS -> "multicast";
            case UNSPECIFIED_ADDRESS -> "unspecified";
            case BROADCAST_ADDRESS -> "broadcast";
            default -> "reserved";
        };
    }
}
