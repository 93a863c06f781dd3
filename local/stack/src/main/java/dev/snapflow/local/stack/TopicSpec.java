package dev.snapflow.local.stack;

import java.util.regex.Pattern;

/**
 * A Kafka topic the stack creates on start (replication factor 1: the stack runs one broker).
 *
 * @param name Kafka topic name: letters, digits, '.', '_' and '-', at most 249 characters
 * @param partitions at least 1; a kept topic with fewer partitions is grown to this count
 */
public record TopicSpec(String name, int partitions) {

    private static final Pattern LEGAL_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public TopicSpec {
        if (name == null || !LEGAL_NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("topic name must be 1-249 letters, digits, '.', '_' or '-', was '" + name + "'");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("topic " + name + ": partitions must be at least 1, was " + partitions);
        }
    }
}
