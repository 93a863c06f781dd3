-- Deliberately invalid: a stack whose migration fails must not start and must stop what it started.
CREATE TABLE broken_probe (id INTEGER PRIMARY KEY;
