package dev.snapflow.functions.callback.webhooks;

/** Makes one signed webhook call and says how it went. */
public interface WebhookCaller {

    /** @param id the Standard Webhooks webhook-id, the same for every attempt of one delivery */
    CallResult call(String url, String id, String payload, String secret);

    /** @param status the receiver's HTTP status, if it answered; {@code error} null when delivered */
    record CallResult(Integer status, DeliveryError error, String detail) {
        public static CallResult delivered(int status) {
            return new CallResult(status, null, null);
        }

        public static CallResult failed(Integer status, DeliveryError error, String detail) {
            return new CallResult(status, error, detail);
        }

        public boolean delivered() {
            return error == null;
        }

        /** For {@code last_error}: the error's name, then what happened. */
        public String describe() {
            return error == null ? null : error.code() + ": " + detail;
        }
    }
}
