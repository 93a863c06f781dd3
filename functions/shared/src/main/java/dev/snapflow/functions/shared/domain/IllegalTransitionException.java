package dev.snapflow.functions.shared.domain;

/** A state change the state machine does not allow (most often: changing a terminal state). */
public class IllegalTransitionException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public IllegalTransitionException(String what, Enum<?> from, Enum<?> to) {
        super(what + " cannot go from " + from + " to " + to);
    }
}
