package dev.snapflow.functions.validate.senders;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.snapflow.contracts.events.EventSignatures;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.Optional;

/**
 * Decides whether an event that came through the broker or Kafka may act for its tenant: it must carry a valid
 * signature ({@link EventSignatures}) of a registered, unrevoked sender registered for that tenant. Events posted to
 * {@code POST /v1/events} are authenticated by the tenant's API key instead and never come here.
 *
 * <p>A known sender's credentials are remembered for {@link #REMEMBERED_FOR} (bounded), so a stream of events costs
 * one lookup per sender and interval; revoking a sender therefore takes effect within that interval on each replica.
 * An unknown id is never remembered, so a sender registered a moment ago works at once.
 */
@Singleton
public class SenderCheck {
    static final Duration REMEMBERED_FOR = Duration.ofSeconds(5);

    /** The rules an event can break, as named in dead-letter reasons and the metric's {@code rule} tag. */
    public enum Rule {
        MISSING_SIGNATURE, UNKNOWN_SENDER, REVOKED_SENDER, BAD_SIGNATURE, SENDER_NOT_REGISTERED_FOR_TENANT;

        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Why an event is refused: {@code reason} starts with the rule's name. */
    public record Refusal(Rule rule, String reason) {
    }

    private final EventSenders senders;
    private final MeterRegistry meters;
    private final Cache<String, EventSenders.Credentials> known = Caffeine.newBuilder()
            .maximumSize(1_000).expireAfterWrite(REMEMBERED_FOR).build();
    /** Senders whose "last used" this replica wrote within the minute: no write per event. */
    private final Cache<String, Boolean> recentlyUsed = Caffeine.newBuilder()
            .maximumSize(1_000).expireAfterWrite(Duration.ofMinutes(1)).build();

    public SenderCheck(EventSenders senders, MeterRegistry meters) {
        this.senders = senders;
        this.meters = meters;
    }

    /** Empty when the event's sender may act for {@code tenant}; else the refusal, counted in the metric. */
    public Optional<Refusal> refusal(CloudEvent event, String tenant) {
        Optional<Refusal> refusal = check(event, tenant);
        refusal.ifPresentOrElse(
                r -> meters.counter("snapflow.events.sender.rejected", "rule", r.rule().tag(), "type", event.getType()).increment(),
                () -> recentlyUsed.get(EventSignatures.senderOf(event).orElseThrow(), id -> {
                    senders.touch(id);
                    return true;
                }));
        return refusal;
    }

    private Optional<Refusal> check(CloudEvent event, String tenant) {
        Optional<String> senderId = EventSignatures.senderOf(event);
        if (senderId.isEmpty() || EventSignatures.signatureOf(event).isEmpty()) {
            return refuse(Rule.MISSING_SIGNATURE, "the event carries no " + EventSignatures.SENDER + " and "
                    + EventSignatures.SIGNATURE + " extensions: events through the broker or Kafka must be signed by a "
                    + "registered sender (or be posted to POST /v1/events with the tenant's API key)");
        }
        String id = senderId.get();
        EventSenders.Credentials credentials = known.getIfPresent(id);
        if (credentials == null) {
            Optional<EventSenders.Credentials> found = senders.credentials(id);
            if (found.isEmpty()) {
                return refuse(Rule.UNKNOWN_SENDER, "no sender '" + id + "' is registered");
            }
            credentials = found.get();
            known.put(id, credentials);
        }
        if (credentials.revoked()) {
            return refuse(Rule.REVOKED_SENDER, "sender '" + id + "' has been revoked");
        }
        if (!EventSignatures.verify(event, credentials.signingSecret())) {
            return refuse(Rule.BAD_SIGNATURE, EventSignatures.SIGNATURE + " is not sender '" + id
                    + "''s signature of this event (id, source, type, time and data are signed)");
        }
        if (!credentials.tenants().contains(tenant)) {
            return refuse(Rule.SENDER_NOT_REGISTERED_FOR_TENANT, "sender '" + id + "' is not registered for tenant '"
                    + tenant + "'");
        }
        return Optional.empty();
    }

    private static Optional<Refusal> refuse(Rule rule, String sentence) {
        return Optional.of(new Refusal(rule, rule.tag() + ": " + sentence));
    }
}
