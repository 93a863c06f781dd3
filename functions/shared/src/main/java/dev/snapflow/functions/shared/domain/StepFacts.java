package dev.snapflow.functions.shared.domain;

/**
 * What the {@link LifecycleDecider} needs to know about the step whose attempt ended.
 *
 * @param stepNo       the step, from 1
 * @param stepCount    how many steps its process has (a next step exists while {@code stepNo < stepCount})
 * @param action       the step's action, for messages
 * @param attempt      the attempt that ended, from 1 (0 when the step never got one)
 * @param maxAttempts  the action's attempt budget
 * @param processState where the process stands now
 */
public record StepFacts(int stepNo, int stepCount, String action, int attempt, int maxAttempts,
                        ProcessState processState) {

    public StepFacts {
        if (stepNo < 1 || stepCount < stepNo || attempt < 0 || maxAttempts < 1 || processState == null) {
            throw new IllegalArgumentException("inconsistent step facts: step " + stepNo + " of " + stepCount
                    + ", attempt " + attempt + " of " + maxAttempts + ", process " + processState);
        }
    }

    public boolean hasNextStep() {
        return stepNo < stepCount;
    }
}
