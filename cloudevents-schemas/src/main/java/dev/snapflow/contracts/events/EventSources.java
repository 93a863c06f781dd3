package dev.snapflow.contracts.events;

import java.net.URI;

/**
 * The CloudEvent {@code source} of each Snapflow producer: a URI reference naming the producing function.
 * Together with the event id it identifies an event, so each producer uses its own.
 */
public final class EventSources {
    public static final URI VALIDATE = URI.create("/snapflow/validate");
    public static final URI ENQUEUE = URI.create("/snapflow/enqueue");
    public static final URI LAUNCH = URI.create("/snapflow/launch");
    public static final URI CALLBACK = URI.create("/snapflow/callback");
    /** The command line tool ({@code snapflow snapshot upload}, ...). */
    public static final URI CLI = URI.create("/snapflow/cli");

    private EventSources() {
    }
}
