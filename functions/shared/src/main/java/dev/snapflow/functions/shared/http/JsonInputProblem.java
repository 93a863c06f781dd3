package dev.snapflow.functions.shared.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;

import java.time.temporal.Temporal;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * What is wrong with a JSON request body, told in the client's terms: the field (a dotted path, {@code body}
 * for the whole document) and the rule it breaks. Jackson's own messages name our Java classes
 * ({@code ProcessesController$CreateProcess}) and parser internals, so they never reach a client.
 *
 * @param field the JSON field at fault, {@code body} when the document as a whole is wrong
 * @param rule  what the field must be, in one short sentence
 */
public record JsonInputProblem(String field, String rule) {
    public static final String BODY = "body";

    /** The problem of a body that Jackson could not read into the expected type. */
    public static JsonInputProblem of(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            String known = unknown.getKnownPropertyIds() == null ? "" : unknown.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            return new JsonInputProblem(path(unknown), "unknown field; known fields: " + known);
        }
        if (e instanceof MismatchedInputException mismatched) {
            String path = path(mismatched);
            String expected = describe(mismatched.getTargetType());
            if (e instanceof InvalidFormatException) {
                return new JsonInputProblem(path, "must be " + expected + "; the value given is not one");
            }
            return new JsonInputProblem(path, "must be " + expected);
        }
        if (e instanceof ValueInstantiationException instantiation
                && instantiation.getCause() instanceof IllegalArgumentException invalid && invalid.getMessage() != null
                && !invalid.getMessage().contains("dev.snapflow.")) {
            // Our records validate themselves in their constructors, with messages written for clients.
            return new JsonInputProblem(path(instantiation), invalid.getMessage());
        }
        if (e instanceof JsonMappingException mapping) {
            return new JsonInputProblem(path(mapping), "has a value that is not allowed here");
        }
        if (e instanceof StreamReadException) {
            JsonLocation at = e.getLocation();
            return new JsonInputProblem(BODY, at == null || at.getLineNr() < 1 ? "must be valid JSON"
                    : "must be valid JSON; it is not at line " + at.getLineNr() + ", column " + at.getColumnNr());
        }
        return new JsonInputProblem(BODY, "must be valid JSON");
    }

    /** A body that is the JSON literal {@code null} (or nothing) where an object is expected. */
    public static JsonInputProblem nullBody() {
        return new JsonInputProblem(BODY, "must be a JSON object, not null");
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? BODY : path.toString();
    }

    /** The JSON kind a Java type is read from, never the type's name. */
    static String describe(Class<?> type) {
        if (type == null) {
            return "a value of another JSON type";
        }
        if (type == String.class || type == Character.class || type == char.class || type == UUID.class) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == Short.class || type == short.class || type == java.math.BigInteger.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
            return "a number";
        }
        if (type.isEnum()) {
            return "one of " + Arrays.stream(type.getEnumConstants()).map(Object::toString).collect(Collectors.joining(", "));
        }
        if (Temporal.class.isAssignableFrom(type) || type == java.time.Duration.class) {
            return "an ISO-8601 string";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "a JSON array";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord() || !type.getName().startsWith("java.")) {
            return "a JSON object";
        }
        return "a value of another JSON type";
    }
}
