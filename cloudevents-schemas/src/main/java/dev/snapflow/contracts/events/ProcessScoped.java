package dev.snapflow.contracts.events;

/** Event data about one process; the process id becomes the event's {@code subject}. */
public interface ProcessScoped {
    String processId();
}
