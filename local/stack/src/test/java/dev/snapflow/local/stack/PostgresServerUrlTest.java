package dev.snapflow.local.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PostgresServerUrlTest {

    @Test
    void splitsServerDatabaseAndCredentials() {
        PostgresServerUrl url = PostgresServerUrl.parse(
                "jdbc:postgresql://127.0.0.1:5432/snapflow?user=postgres&password=p%40ss&sslmode=disable", "SNAPFLOW_DB_URL");

        assertThat(url.hosts()).isEqualTo("127.0.0.1:5432");
        assertThat(url.database()).isEqualTo("snapflow");
        assertThat(url.user()).isEqualTo("postgres");
        assertThat(url.password()).isEqualTo("p@ss");
    }

    @Test
    void urlForAnotherDatabaseKeepsServerAndSettingsButNotCredentials() {
        PostgresServerUrl url = PostgresServerUrl.parse(
                "jdbc:postgresql://db1:5432,db2:5432/postgres?user=postgres&sslmode=disable&password=x", "SNAPFLOW_DB_URL");

        assertThat(url.jdbcUrlFor("snapflow_test_1")).isEqualTo("jdbc:postgresql://db1:5432,db2:5432/snapflow_test_1?sslmode=disable");
    }

    @Test
    void urlWithoutDatabaseOrUserFallsBackLikeLibpq() {
        PostgresServerUrl url = PostgresServerUrl.parse("jdbc:postgresql://localhost", "SNAPFLOW_DB_URL");

        assertThat(url.database()).isEmpty();
        assertThat(url.user()).isEqualTo(System.getProperty("user.name"));
        assertThat(url.password()).isEmpty();
    }

    @Test
    void urlOfAnotherDatabaseKindIsRejectedNamingTheSetting() {
        assertThatThrownBy(() -> PostgresServerUrl.parse("postgres://localhost/snapflow", "SNAPFLOW_DB_URL"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SNAPFLOW_DB_URL must start with jdbc:postgresql://, was 'postgres://localhost/snapflow'");
        assertThatThrownBy(() -> PostgresServerUrl.parse("jdbc:postgresql:///snapflow", "SNAPFLOW_DB_URL"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("SNAPFLOW_DB_URL names no host");
    }
}
