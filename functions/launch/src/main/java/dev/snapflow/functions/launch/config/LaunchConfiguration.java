package dev.snapflow.functions.launch.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.NotNull;

/**
 * Which backend runs jobs ({@code snapflow.launch.backend}, env SNAPFLOW_LAUNCH_BACKEND).
 *
 * @param backend {@code local}: child JVMs on this machine; {@code kubernetes}: batch/v1 Jobs
 */
@ConfigurationProperties("snapflow.launch")
public record LaunchConfiguration(
        @NotNull(message = "snapflow.launch.backend (env SNAPFLOW_LAUNCH_BACKEND) must be local or kubernetes")
        Backend backend) {

    public enum Backend { LOCAL, KUBERNETES }
}
