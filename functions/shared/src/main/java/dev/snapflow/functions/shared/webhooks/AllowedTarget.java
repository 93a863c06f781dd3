package dev.snapflow.functions.shared.webhooks;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * One entry of the webhook allow-list: a host name or IP literal with an optional port ({@code hooks.internal},
 * {@code hooks.internal:8443}, {@code 127.0.0.1:9999}, {@code [::1]:9999}), matched against the URL's host as
 * written; or a CIDR block ({@code 10.1.0.0/16}, {@code fd00::/8}), matched against every address the host
 * resolves to, on any port.
 */
public sealed interface AllowedTarget {

    record HostPort(String host, int port) implements AllowedTarget {
        /** @param port -1 for any port */
        public HostPort {
            host = WebhookAddressPolicy.normalizeHost(host);
        }

        boolean matches(String urlHost, int urlPort) {
            return host.equals(urlHost) && (port == -1 || port == urlPort);
        }
    }

    record Cidr(byte[] network, int prefixLength) implements AllowedTarget {
        boolean contains(InetAddress address) {
            byte[] bytes = address.getAddress();
            if (bytes.length != network.length) {
                return false;
            }
            int full = prefixLength / 8;
            for (int i = 0; i < full; i++) {
                if (bytes[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefixLength % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xFF << (8 - rest) & 0xFF;
            return (bytes[full] & mask) == (network[full] & mask);
        }

        @Override
        public String toString() {
            try {
                return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** @throws IllegalArgumentException naming what is wrong with {@code entry} */
    static AllowedTarget parse(String entry) {
        String text = entry.trim().toLowerCase(Locale.ROOT);
        if (text.isEmpty()) {
            throw new IllegalArgumentException("an empty entry");
        }
        int slash = text.indexOf('/');
        if (slash >= 0) {
            InetAddress network = literal(text.substring(0, slash), entry);
            int bits = network.getAddress().length * 8;
            int prefix;
            try {
                prefix = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + entry + "': the prefix length is not a number");
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("'" + entry + "': the prefix length must be 0 to " + bits);
            }
            return new Cidr(network.getAddress(), prefix);
        }
        String host = text;
        int port = -1;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + entry + "': '[' without ']'");
            }
            host = text.substring(1, close);
            String after = text.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new IllegalArgumentException("'" + entry + "': expected ':port' after ']'");
                }
                port = port(after.substring(1), entry);
            }
            literal(host, entry);
        } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
            host = text.substring(0, text.indexOf(':'));
            port = port(text.substring(text.indexOf(':') + 1), entry);
        } else if (text.indexOf(':') >= 0) {
            literal(host, entry); // an IPv6 literal without brackets and port
        }
        if (host.isEmpty() || !host.matches("[a-z0-9.:_-]+")) {
            throw new IllegalArgumentException("'" + entry + "' is not a host, host:port or CIDR");
        }
        if (WebhookAddressPolicy.isMetadataHost(host)) {
            throw new IllegalArgumentException("'" + entry + "' is a cloud metadata host, which is never allowed");
        }
        return new HostPort(host, port);
    }

    private static int port(String text, String entry) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + entry + "': the port must be 1 to 65535");
    }

    /** Parses an IP literal without any DNS lookup. */
    private static InetAddress literal(String text, String entry) {
        if (!text.matches("[0-9a-f.:]+") || (text.indexOf(':') < 0 && !text.matches("\\d{1,3}(\\.\\d{1,3}){3}"))) {
            throw new IllegalArgumentException("'" + entry + "': '" + text + "' is not an IP address");
        }
        try {
            return InetAddress.getByName(text); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + entry + "': '" + text + "' is not an IP address");
        }
    }
}
