package dev.snapflow.functions.shared.catalog;

/** One reason params do not fit an action's schema; {@code field} is a path like {@code params.threshold}. */
public record ParamsViolation(String field, String message) {
}
