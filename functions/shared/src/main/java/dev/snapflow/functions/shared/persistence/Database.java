package dev.snapflow.functions.shared.persistence;

import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Runs units of work in one PostgreSQL transaction: everything a step of the control plane changes (state
 * rows and the outbox events announcing them) commits together or not at all.
 */
@Singleton
@Requires(beans = DataSource.class)
public class Database {
    private final DataSource dataSource;

    public Database(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    public <T> T inTransaction(Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new DatabaseException(e);
        }
    }

    /** A database failure: the caller's event or request may be retried, nothing was committed. */
    public static final class DatabaseException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DatabaseException(SQLException cause) {
            super("database error (SQLState " + cause.getSQLState() + "): " + cause.getMessage(), cause);
        }

        public String sqlState() {
            return ((SQLException) getCause()).getSQLState();
        }

        /** True for a unique-constraint violation (e.g. two requests racing for one idempotency key). */
        public boolean uniqueViolation() {
            return "23505".equals(sqlState());
        }
    }
}
