package dev.snapflow.local.runtime;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code --name value} arguments local-stack passes to a node (see {@link NodeProtocol}). */
final class NodeArguments {

    private final Map<String, List<String>> values;

    private NodeArguments(Map<String, List<String>> values) {
        this.values = values;
    }

    static NodeArguments parse(String[] args) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i];
            if (!name.startsWith("--")) {
                throw new IllegalArgumentException("expected an option name starting with --, got '" + name + "'");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + name + " has no value");
            }
            values.computeIfAbsent(name, n -> new ArrayList<>()).add(args[i + 1]);
        }
        return new NodeArguments(values);
    }

    /** A node started by a local-stack of another version must fail clearly, not ignore what it was asked for. */
    NodeArguments allowOnly(String... names) {
        Set<String> allowed = Set.of(names);
        for (String given : values.keySet()) {
            if (!allowed.contains(given)) {
                throw new IllegalArgumentException("unknown option " + given + " (local-stack and local-stack-runtime"
                        + " are of different versions? rebuild both); known: " + String.join(", ", names));
            }
        }
        return this;
    }

    String required(String name) {
        List<String> given = values.get(name);
        if (given == null || given.isEmpty()) {
            throw new IllegalArgumentException("missing required option " + name);
        }
        return given.getLast();
    }

    List<String> all(String name) {
        return List.copyOf(values.getOrDefault(name, List.of()));
    }

    int port() {
        String value = required(NodeProtocol.PORT);
        try {
            int port = Integer.parseInt(value);
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException(NodeProtocol.PORT + " must be between 1 and 65535, was " + port);
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(NodeProtocol.PORT + " must be a number, was '" + value + "'", e);
        }
    }

    long parentPid() {
        String value = required(NodeProtocol.PARENT_PID);
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(NodeProtocol.PARENT_PID + " must be a number, was '" + value + "'", e);
        }
    }

    Path home() {
        return Path.of(required(NodeProtocol.HOME)).toAbsolutePath();
    }
}
