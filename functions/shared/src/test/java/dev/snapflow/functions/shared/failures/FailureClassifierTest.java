package dev.snapflow.functions.shared.failures;

import com.fasterxml.jackson.core.JsonParseException;
import dev.snapflow.functions.shared.events.EventPublishException;
import dev.snapflow.functions.shared.persistence.Database;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

class FailureClassifierTest {

    private static FailureKind kindOf(Throwable t) {
        return FailureClassifier.classify(t).kind();
    }

    private static RuntimeException sql(String state) {
        return new RuntimeException("wrapped", new SQLException("db says no", state));
    }

    @ParameterizedTest
    @ValueSource(strings = {"08001", "08006", "57P01", "57P03", "40001", "40P01", "53300"})
    void databaseConnectionShutdownSerializationAndDeadlockStatesAreTransient(String state) {
        assertThat(kindOf(sql(state))).isEqualTo(FailureKind.TRANSIENT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"22021", "22P02", "22001", "23505", "23503"})
    void dataTheDatabaseRefusesIsPermanent(String state) {
        assertThat(kindOf(sql(state))).isEqualTo(FailureKind.PERMANENT);
    }

    @Test
    void aNulByteInTextIsPermanentAndTheReasonSaysWhy() {
        Failure failure = FailureClassifier.classify(
                new RuntimeException(new SQLException("invalid byte sequence for encoding \"UTF8\": 0x00", "22021")));
        assertThat(failure.kind()).isEqualTo(FailureKind.PERMANENT);
        assertThat(failure.reason()).startsWith("permanent:").contains("0x00");
    }

    @Test
    void otherSqlStatesAreUnknown() {
        assertThat(kindOf(sql("42P01"))).isEqualTo(FailureKind.UNKNOWN);
    }

    @Test
    void connectionRefusedAndTimeoutsAreTransient() {
        assertThat(kindOf(new EventPublishException("broker down", new ConnectException("refused"))))
                .isEqualTo(FailureKind.TRANSIENT);
        assertThat(kindOf(new UncheckedIOException(new SocketTimeoutException("read timed out"))))
                .isEqualTo(FailureKind.TRANSIENT);
        assertThat(kindOf(new RuntimeException(new TimeoutException()))).isEqualTo(FailureKind.TRANSIENT);
        assertThat(kindOf(new NetworkException("gone"))).isEqualTo(FailureKind.TRANSIENT);
    }

    @Test
    void aRecordTooLargeForTheBrokerIsPermanentThroughAnyWrapping() {
        Throwable refused = new EventPublishException("Kafka did not acknowledge",
                new ExecutionException(new RecordTooLargeException("1.2 MB")));
        assertThat(kindOf(refused)).isEqualTo(FailureKind.PERMANENT);
    }

    @ParameterizedTest
    @ValueSource(ints = {408, 429, 500, 502, 503})
    void sinkAnswersThatMeanLaterAreTransient(int status) {
        assertThat(kindOf(new EventPublishException("sink answered", status))).isEqualTo(FailureKind.TRANSIENT);
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 403, 404, 413})
    void sinkAnswersThatMeanNeverArePermanent(int status) {
        assertThat(kindOf(new EventPublishException("sink answered", status))).isEqualTo(FailureKind.PERMANENT);
    }

    @Test
    void anUnparseableDocumentIsPermanent() {
        assertThat(kindOf(new UncheckedIOException(new JsonParseException(null, "Unexpected character '}'"))))
                .isEqualTo(FailureKind.PERMANENT);
        assertThat(kindOf(new IllegalArgumentException("outputManifest: not a manifest"))).isEqualTo(FailureKind.PERMANENT);
    }

    @Test
    void explicitMarkersWin() {
        assertThat(kindOf(new PermanentFailureException("never"))).isEqualTo(FailureKind.PERMANENT);
        assertThat(kindOf(new TransientFailureException("later"))).isEqualTo(FailureKind.TRANSIENT);
    }

    @Test
    void theOutermostRuleThatMatchesWins() {
        assertThat(kindOf(new PermanentFailureException("bad manifest", new SocketTimeoutException())))
                .isEqualTo(FailureKind.PERMANENT);
    }

    @Test
    void anythingElseIsUnknown() {
        assertThat(kindOf(new NullPointerException("bug"))).isEqualTo(FailureKind.UNKNOWN);
        assertThat(kindOf(new IllegalStateException("odd"))).isEqualTo(FailureKind.UNKNOWN);
    }

    @Test
    void s3StatusesAreReadFromTheSdkException() {
        assertThat(FailureClassifier.httpStatusKind(403)).isEqualTo(FailureKind.PERMANENT);
        assertThat(FailureClassifier.httpStatusKind(404)).isEqualTo(FailureKind.PERMANENT);
        assertThat(FailureClassifier.httpStatusKind(503)).isEqualTo(FailureKind.TRANSIENT);
    }

    @Test
    void aDatabaseExceptionIsClassifiedByItsSqlState() {
        assertThat(Database.DatabaseException.class).isAssignableTo(RuntimeException.class);
        assertThat(kindOf(new RuntimeException(new SQLException("unique", "23505")))).isEqualTo(FailureKind.PERMANENT);
    }
}
