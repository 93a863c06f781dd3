package dev.snapflow.contracts.jobs;

import dev.snapflow.contracts.storage.InvalidPathSegmentException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobArgumentsTest {
    private static final JobArguments ARGS = new JobArguments("acme", "orders", "2026-11-20", "clean",
            "{\"dropDuplicates\":true}", "s3://snapflow-data/acme/orders/2026-11-20/raw/_manifest.json",
            "s3://snapflow-data/acme/orders/2026-11-20/silver/clean-0123456789abcdef/",
            "3f2b8c1e-9a4d-4e27-b1c5-0d6e7f809a1b", 2, 1, "http://127.0.0.1:8084/v1/jobs/x/status");

    @Test
    void roundTripsThroughTheCommandLine() {
        List<String> args = ARGS.toArgs();

        assertThat(JobArguments.parse(args)).isEqualTo(ARGS);
        assertThat(args).filteredOn(a -> a.startsWith("--")).containsExactlyElementsOf(JobArguments.flagOrder());
    }

    @Test
    void flagsMayComeInAnyOrder() {
        List<String> args = ARGS.toArgs();
        List<String> reversed = new ArrayList<>();
        for (int i = args.size() - 2; i >= 0; i -= 2) {
            reversed.add(args.get(i));
            reversed.add(args.get(i + 1));
        }
        assertThat(JobArguments.parse(reversed)).isEqualTo(ARGS);
    }

    @Test
    void jobIdFollowsFromProcessStepAndAttempt() {
        assertThat(ARGS.jobId()).isEqualTo(JobId.of("3f2b8c1e-9a4d-4e27-b1c5-0d6e7f809a1b", 2, 1));
    }

    @Test
    void unknownFlagIsRejected() {
        assertThatThrownBy(() -> JobArguments.parse(with("--colour", "red")))
                .hasMessageStartingWith("unknown argument '--colour'");
    }

    @Test
    void flagWithoutValueIsRejected() {
        List<String> args = new ArrayList<>(ARGS.toArgs());
        args.remove(args.size() - 1);
        assertThatThrownBy(() -> JobArguments.parse(args)).hasMessage("--callback-url needs a value");
    }

    @Test
    void repeatedFlagIsRejected() {
        assertThatThrownBy(() -> JobArguments.parse(with("--tenant", "other"))).hasMessage("--tenant given twice");
    }

    @Test
    void missingFlagIsRejected() {
        List<String> args = new ArrayList<>(ARGS.toArgs());
        int i = args.indexOf("--input-manifest");
        args.remove(i + 1);
        args.remove(i);
        assertThatThrownBy(() -> JobArguments.parse(args)).hasMessageStartingWith("missing argument --input-manifest");
    }

    @Test
    void nonNumericStepIsRejected() {
        assertThatThrownBy(() -> JobArguments.parse(replace("--step", "two")))
                .hasMessage("--step must be a whole number, was 'two'");
    }

    @Test
    void stepBelowOneIsRejected() {
        assertThatThrownBy(() -> JobArguments.parse(replace("--attempt", "0"))).hasMessage("--attempt must be 1 or more, was 0");
    }

    @Test
    void manifestThatIsNotAnS3UriIsRejected() {
        assertThatThrownBy(() -> JobArguments.parse(replace("--input-manifest", "/tmp/_manifest.json")))
                .hasMessageStartingWith("inputManifest must be an s3://bucket/key URI");
    }

    @Test
    void outputPrefixMustEndWithASlash() {
        assertThatThrownBy(() -> JobArguments.parse(replace("--output-prefix", "s3://snapflow-data/acme/x")))
                .hasMessageStartingWith("outputPrefix must end with '/'");
    }

    @Test
    void unsafePathSegmentIsRejectedNamingTheField() {
        assertThatThrownBy(() -> JobArguments.parse(replace("--entity", "../secrets")))
                .isInstanceOf(InvalidPathSegmentException.class).hasMessageStartingWith("entity");
    }

    private static List<String> with(String flag, String value) {
        List<String> args = new ArrayList<>(ARGS.toArgs());
        args.add(flag);
        args.add(value);
        return args;
    }

    private static List<String> replace(String flag, String value) {
        List<String> args = new ArrayList<>(ARGS.toArgs());
        args.set(args.indexOf(flag) + 1, value);
        return args;
    }
}
