package dev.snapflow.local.stack;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The stack's PostgreSQL database, created and migrated by the stack.
 *
 * @param jdbcUrl {@code jdbc:postgresql://host:port/database} plus any non-credential parameters of the configured
 *     URL; credentials are separate so frameworks can take url, username and password as they usually do
 * @param password empty when the server trusts the user
 */
public record DatabaseEndpoint(String jdbcUrl, String username, String password) {

    /** A new connection to the stack's database; the caller closes it. */
    public Connection openConnection() throws SQLException {
        Properties credentials = new Properties();
        credentials.setProperty("user", username);
        if (!password.isEmpty()) {
            credentials.setProperty("password", password);
        }
        return DriverManager.getConnection(jdbcUrl, credentials);
    }

    /** The database name: the last path segment of {@link #jdbcUrl()}. */
    public String databaseName() {
        return PostgresServerUrl.parse(jdbcUrl, "jdbcUrl").database();
    }
}
