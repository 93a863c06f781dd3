package dev.snapflow.knative;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** knative/routing.yaml: for each event type, its channel, producers and consumers. */
record RoutingTable(List<Route> routes) {
    static final String EXTERNAL = "external";

    enum Channel { BROKER, JOBS_TOPIC }

    record Route(String type, String channel, List<String> producers, List<String> consumers) {
        Channel channelKind() {
            return switch (channel) {
                case "broker" -> Channel.BROKER;
                case "jobs-topic" -> Channel.JOBS_TOPIC;
                default -> throw new AssertionError("routing.yaml: route " + type + " has unknown channel '" + channel
                        + "' (broker or jobs-topic)");
            };
        }

        Stream<String> producingFunctions() {
            return producers.stream().filter(p -> !p.equals(EXTERNAL));
        }
    }

    static RoutingTable read() {
        try {
            return new YAMLMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(ProjectLayout.routingTable().toFile(), RoutingTable.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ProjectLayout.routingTable(), e);
        }
    }

    Set<String> types() {
        return routes.stream().map(Route::type).collect(Collectors.toSet());
    }

    /** Functions that produce at least one event. */
    Set<String> publishers() {
        return routes.stream().flatMap(Route::producingFunctions).collect(Collectors.toSet());
    }
}
