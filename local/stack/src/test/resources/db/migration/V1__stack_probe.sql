-- Test migration of local-stack: proves the stack runs Flyway against its database.
CREATE TABLE stack_probe (
    id   INTEGER PRIMARY KEY,
    note TEXT    NOT NULL
);

INSERT INTO stack_probe (id, note) VALUES (1, 'migrated by the local stack');
