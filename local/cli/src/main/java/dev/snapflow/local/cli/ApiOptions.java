package dev.snapflow.local.cli;

import picocli.CommandLine.Option;

import java.net.URI;

/** The flags of every command that talks to the public API: where it is and which tenant's key to use. */
final class ApiOptions {
    enum Output { table, json }

    @Option(names = "--url", defaultValue = "${env:SNAPFLOW_URL:-http://127.0.0.1:8080}",
            description = "Base URL of the Snapflow API (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--api-key", defaultValue = "${env:SNAPFLOW_API_KEY}",
            description = "The tenant's API key (default: $SNAPFLOW_API_KEY).")
    String apiKey;

    @Option(names = "--output", defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE}).")
    Output output;

    ApiClient client() {
        if (apiKey == null || apiKey.isBlank()) {
            throw new CliException("no API key: pass --api-key or set SNAPFLOW_API_KEY (snapflow tenant create prints one)");
        }
        return new ApiClient(baseUrl(), apiKey.strip());
    }

    URI baseUrl() {
        try {
            URI uri = URI.create(url.endsWith("/") ? url : url + "/");
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException("no scheme or host");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new CliException("--url is not an http(s) URL: " + url);
        }
    }

    boolean json() {
        return output == Output.json;
    }
}
