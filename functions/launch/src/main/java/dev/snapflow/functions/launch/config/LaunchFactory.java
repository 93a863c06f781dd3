package dev.snapflow.functions.launch.config;

import dev.snapflow.functions.launch.backend.JobBackend;
import dev.snapflow.functions.launch.backend.JobStatusSink;
import dev.snapflow.functions.launch.backend.kubernetes.KubernetesBackend;
import dev.snapflow.functions.launch.backend.kubernetes.KubernetesJobWatcher;
import dev.snapflow.functions.launch.backend.kubernetes.KubernetesSettings;
import dev.snapflow.functions.launch.backend.local.LocalBackendSettings;
import dev.snapflow.functions.launch.backend.local.LocalProcessBackend;
import dev.snapflow.functions.launch.job.CatalogJobProfiles;
import dev.snapflow.functions.launch.job.JobLauncher;
import dev.snapflow.functions.launch.job.JobProfiles;
import dev.snapflow.functions.shared.catalog.ActionCatalog;
import dev.snapflow.functions.shared.security.JobTokens;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Wires the backend chosen by {@code snapflow.launch.backend} and the launcher around it. */
@Factory
public class LaunchFactory {
    private static final String BACKEND = "snapflow.launch.backend";

    @Singleton
    @Requires(missingBeans = Clock.class)
    Clock clock() {
        return Clock.systemUTC();
    }

    @Singleton
    JobProfiles jobProfiles(ActionCatalog catalog) {
        return new CatalogJobProfiles(catalog);
    }

    /** Takes the configuration too, so that a backend name that is neither local nor kubernetes is reported as such. */
    @Singleton
    JobLauncher jobLauncher(LaunchConfiguration launch, JobProfiles profiles, JobTokens tokens,
                            BeanProvider<JobBackend> backend) {
        if (!backend.isPresent()) {
            throw new IllegalStateException("no job backend for snapflow.launch.backend (env SNAPFLOW_LAUNCH_BACKEND) = "
                    + launch.backend() + "; use local or kubernetes");
        }
        return new JobLauncher(profiles, tokens, backend.get());
    }

    /**
     * Jobs started here die with launch, as pods die with their Job. Created at startup: the backend adopts the
     * jobs a killed instance left on the work dir (and reports those that ended meanwhile) as it is built.
     */
    @Context
    @Bean(preDestroy = "close")
    @Requires(property = BACKEND, pattern = "(?i)local")
    LocalProcessBackend localBackend(LocalBackendConfiguration local, JobStorageConfiguration storage,
                                     JobStatusSink statusSink) {
        Path java = local.java() == null || local.java().isBlank()
                ? Path.of(System.getProperty("java.home"), "bin", "java")
                : Path.of(local.java());
        Map<String, String> environment = new HashMap<>(storage.plainEnvironment());
        environment.putAll(storage.secretEnvironment());
        LocalBackendSettings settings = new LocalBackendSettings(java, local.classpath(), Path.of(local.workDir()),
                local.maxConcurrentJobs(), local.jvmFlags() == null ? List.of() : local.jvmFlags(), environment,
                local.killGrace());
        return new LocalProcessBackend(settings, statusSink);
    }

    /** In the cluster: the pod's service account; elsewhere ~/.kube/config. */
    @Singleton
    @Bean(preDestroy = "close")
    @Requires(property = BACKEND, pattern = "(?i)kubernetes")
    @Requires(missingBeans = KubernetesClient.class)
    KubernetesClient kubernetesClient() {
        return new KubernetesClientBuilder().build();
    }

    @Singleton
    @Requires(property = BACKEND, pattern = "(?i)kubernetes")
    KubernetesSettings kubernetesSettings(KubernetesBackendConfiguration kubernetes, JobStorageConfiguration storage) {
        return new KubernetesSettings(kubernetes.namespace(), kubernetes.serviceAccount(), kubernetes.applicationJar(),
                kubernetes.sparkSubmit(), kubernetes.ttlAfterFinished(), kubernetes.imagePullPolicy(),
                storage.plainEnvironment(), storage.secretEnvironment());
    }

    @Context
    @Requires(property = BACKEND, pattern = "(?i)kubernetes")
    KubernetesBackend kubernetesBackend(KubernetesClient client, KubernetesSettings settings) {
        return new KubernetesBackend(client, settings);
    }

    /** Started with launch: it first lists what happened while launch was down. */
    @Context
    @Bean(preDestroy = "close")
    @Requires(property = BACKEND, pattern = "(?i)kubernetes")
    KubernetesJobWatcher kubernetesJobWatcher(KubernetesClient client, KubernetesBackendConfiguration kubernetes,
                                              JobStatusSink statusSink) {
        KubernetesJobWatcher watcher = new KubernetesJobWatcher(client, kubernetes.namespace(), statusSink,
                kubernetes.watchResync());
        watcher.start(kubernetes.watchStartTimeout());
        return watcher;
    }
}
