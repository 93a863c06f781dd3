package dev.snapflow.functions.shared.domain;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The only place that decides which state changes are allowed, for processes, steps and attempts
 * (docs/state-machine.md is generated from the same tables in prose). A terminal state never changes; staying
 * in the same state is not a transition and is always allowed, so repeated events are harmless.
 */
public final class StateMachine {
    private static final Map<ProcessState, Set<ProcessState>> PROCESS = new EnumMap<>(ProcessState.class);
    private static final Map<StepState, Set<StepState>> STEP = new EnumMap<>(StepState.class);
    private static final Map<AttemptState, Set<AttemptState>> ATTEMPT = new EnumMap<>(AttemptState.class);

    static {
        PROCESS.put(ProcessState.ACCEPTED, EnumSet.of(ProcessState.QUEUED, ProcessState.FAILED, ProcessState.CANCELLED));
        PROCESS.put(ProcessState.QUEUED, EnumSet.of(ProcessState.RUNNING, ProcessState.SUCCEEDED, ProcessState.FAILED,
                ProcessState.CANCELLED));
        PROCESS.put(ProcessState.RUNNING, EnumSet.of(ProcessState.SUCCEEDED, ProcessState.FAILED, ProcessState.CANCELLED));
        for (ProcessState state : ProcessState.values()) {
            PROCESS.putIfAbsent(state, EnumSet.noneOf(ProcessState.class));
        }

        STEP.put(StepState.PENDING, EnumSet.of(StepState.QUEUED, StepState.CANCELLED, StepState.SKIPPED));
        STEP.put(StepState.QUEUED, EnumSet.of(StepState.LAUNCHING, StepState.CANCELLED, StepState.FAILED));
        STEP.put(StepState.LAUNCHING, EnumSet.of(StepState.RUNNING, StepState.QUEUED, StepState.SUCCEEDED,
                StepState.FAILED, StepState.CANCELLED));
        STEP.put(StepState.RUNNING, EnumSet.of(StepState.QUEUED, StepState.SUCCEEDED, StepState.FAILED,
                StepState.CANCELLED));
        for (StepState state : StepState.values()) {
            STEP.putIfAbsent(state, EnumSet.noneOf(StepState.class));
        }

        ATTEMPT.put(AttemptState.LAUNCHING, EnumSet.of(AttemptState.RUNNING, AttemptState.SUCCEEDED,
                AttemptState.FAILED, AttemptState.CANCELLED));
        ATTEMPT.put(AttemptState.RUNNING, EnumSet.of(AttemptState.SUCCEEDED, AttemptState.FAILED,
                AttemptState.CANCELLED));
        for (AttemptState state : AttemptState.values()) {
            ATTEMPT.putIfAbsent(state, EnumSet.noneOf(AttemptState.class));
        }
    }

    private StateMachine() {
    }

    public static boolean allows(ProcessState from, ProcessState to) {
        return from == to || PROCESS.get(from).contains(to);
    }

    public static boolean allows(StepState from, StepState to) {
        return from == to || STEP.get(from).contains(to);
    }

    public static boolean allows(AttemptState from, AttemptState to) {
        return from == to || ATTEMPT.get(from).contains(to);
    }

    /** @throws IllegalTransitionException when not allowed */
    public static ProcessState require(ProcessState from, ProcessState to) {
        if (!allows(from, to)) {
            throw new IllegalTransitionException("process", from, to);
        }
        return to;
    }

    public static StepState require(StepState from, StepState to) {
        if (!allows(from, to)) {
            throw new IllegalTransitionException("step", from, to);
        }
        return to;
    }

    public static AttemptState require(AttemptState from, AttemptState to) {
        if (!allows(from, to)) {
            throw new IllegalTransitionException("attempt", from, to);
        }
        return to;
    }

    /**
     * The states from which {@code to} may be reached by a real change (not staying put): the from-states of a
     * write that moves many rows at once, e.g. every unfinished step of a cancelled process.
     */
    public static Set<ProcessState> sources(ProcessState to) {
        return sources(PROCESS, to, ProcessState.class);
    }

    public static Set<StepState> sources(StepState to) {
        return sources(STEP, to, StepState.class);
    }

    public static Set<AttemptState> sources(AttemptState to) {
        return sources(ATTEMPT, to, AttemptState.class);
    }

    private static <S extends Enum<S>> Set<S> sources(Map<S, Set<S>> table, S to, Class<S> type) {
        EnumSet<S> from = EnumSet.noneOf(type);
        table.forEach((state, next) -> {
            if (next.contains(to)) {
                from.add(state);
            }
        });
        return Set.copyOf(from);
    }

    /** The allowed successors, for documentation and tests. */
    public static Set<ProcessState> next(ProcessState from) {
        return Set.copyOf(PROCESS.get(from));
    }

    public static Set<StepState> next(StepState from) {
        return Set.copyOf(STEP.get(from));
    }

    public static Set<AttemptState> next(AttemptState from) {
        return Set.copyOf(ATTEMPT.get(from));
    }
}
