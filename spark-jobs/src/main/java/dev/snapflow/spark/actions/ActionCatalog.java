package dev.snapflow.spark.actions;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The actions this job runs, by name. */
public final class ActionCatalog {
    private final Map<String, JobAction> actions = new LinkedHashMap<>();

    public ActionCatalog() {
        for (JobAction action : new JobAction[]{new IngestAction(), new CleanAction(), new AggregateAction(), new CompactAction()}) {
            actions.put(action.name(), action);
        }
    }

    public Set<String> names() {
        return actions.keySet();
    }

    public Optional<JobAction> find(String name) {
        return Optional.ofNullable(actions.get(name));
    }
}
