package dev.snapflow.spark.actions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.snapflow.contracts.storage.Manifest;
import dev.snapflow.contracts.storage.Tier;

import java.util.Set;

/** One action of the catalog: what it reads, where it writes, and the Spark work in between. */
public interface JobAction {
    String name();

    /** Tiers of input manifests this action accepts. */
    Set<Tier> inputTiers();

    /** The tier of its output, given the input's tier. */
    Tier outputTier(Tier inputTier);

    /**
     * Checks params against what the input manifest says (columns and their types), before Spark starts.
     *
     * @throws dev.snapflow.spark.JobFailure INVALID_PARAMS naming the param and the column
     */
    void checkAgainstInput(JsonNode params, Manifest input);

    ActionResult run(ActionContext context);
}
