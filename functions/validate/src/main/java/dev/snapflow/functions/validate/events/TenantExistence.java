package dev.snapflow.functions.validate.events;

import dev.snapflow.functions.shared.persistence.Database;
import jakarta.inject.Singleton;

import java.sql.PreparedStatement;
import java.sql.ResultSet;

/** Events name their tenant in the data (they carry no API key); it must at least exist. */
@Singleton
public class TenantExistence {
    private final Database database;

    public TenantExistence(Database database) {
        this.database = database;
    }

    public boolean exists(String tenant) {
        return database.inTransaction(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM tenants WHERE id = ?")) {
                select.setString(1, tenant);
                try (ResultSet row = select.executeQuery()) {
                    return row.next();
                }
            }
        });
    }
}
