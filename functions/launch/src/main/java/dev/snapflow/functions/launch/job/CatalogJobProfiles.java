package dev.snapflow.functions.launch.job;

import dev.snapflow.contracts.jobs.LocalModeSizing;

import dev.snapflow.functions.launch.backend.JobProfile;
import dev.snapflow.functions.launch.backend.ResourceProfile;
import dev.snapflow.functions.shared.catalog.ActionCatalog;
import dev.snapflow.functions.shared.catalog.ActionDefinition;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** Job profiles from the action catalog (the one validate and enqueue use), sizes converted to MiB. */
public final class CatalogJobProfiles implements JobProfiles {
    private final ActionCatalog catalog;

    public CatalogJobProfiles(ActionCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public Optional<JobProfile> profileFor(String action, Duration timeout) {
        return catalog.action(action).map(definition -> profile(definition, timeout));
    }

    private static JobProfile profile(ActionDefinition action, Duration timeout) {
        var sizes = action.resources();
        ResourceProfile resources = new ResourceProfile(sizes.driverCores(), LocalModeSizing.mebibytes(sizes.driverMemory()),
                sizes.executorCount(), sizes.executorCores(), LocalModeSizing.mebibytes(sizes.executorMemory()));
        return new JobProfile(action.image(), action.mainClass(), action.args(), resources, timeout);
    }
}
