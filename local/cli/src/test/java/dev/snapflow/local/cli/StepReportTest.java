package dev.snapflow.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class StepReportTest {
    private static final String PROCESS = """
            {"id":"p1","state":"FAILED","steps":[
              {"step":1,"action":"clean","state":"SUCCEEDED","attempts":1,
               "attemptHistory":[{"attempt":1,"metrics":{"rowsIn":100,"rowsOut":97,"rowsRejected":3}}],
               "quality":[{"rule":"not_null","column":"amount","severity":"error","passed":97,"failed":3}],
               "rejected":{"manifestKey":"acme/orders/v1/quarantine/clean-1/_manifest.json","rowCount":3}},
              {"step":2,"action":"aggregate","state":"FAILED","attempts":2,"attemptHistory":[{"attempt":1},{"attempt":2}],
               "error":{"errorClass":"INVALID_DATA","message":"the data does not fit"},
               "logTail":["at org.apache.spark...","snapflow-job: FAILED INVALID_DATA: the data does not fit"]}]}""";

    @Test
    void statusShowsQualityRejectedRowsAndTheFailedStepsLastLogLines() throws Exception {
        StringWriter out = new StringWriter();
        StepReport.print(ApiClient.JSON.readTree(PROCESS), new PrintWriter(out, true));

        assertThat(out.toString())
                .contains("quality not_null     amount           error   passed 97, failed 3")
                .contains("rejected 3 rows, kept in acme/orders/v1/quarantine/clean-1/_manifest.json")
                .contains("error INVALID_DATA: the data does not fit")
                .contains("last lines of its log:", "| snapflow-job: FAILED INVALID_DATA: the data does not fit");
    }

    @Test
    void theLogWorthReadingIsTheFailedStepsElseTheLastThatRan() throws Exception {
        JsonNode failed = ApiClient.JSON.readTree(PROCESS);
        assertThat(StepReport.whereTheLogsAre(failed)).startsWith("Job log: snapflow logs p1 --step 2");
        JsonNode succeeded = ApiClient.JSON.readTree("{\"id\":\"p2\",\"steps\":[{\"step\":1,\"state\":\"SUCCEEDED\","
                + "\"attemptHistory\":[{}]},{\"step\":2,\"state\":\"SUCCEEDED\",\"attemptHistory\":[{}]}]}");
        assertThat(StepReport.whereTheLogsAre(succeeded)).startsWith("Job log: snapflow logs p2 --step 2");
        assertThat(StepReport.whereTheLogsAre(ApiClient.JSON.readTree("{\"id\":\"p3\",\"steps\":[]}")))
                .isEqualTo("No job ran, so there is no job log.");
    }
}
