// Test helpers for a service's real migrations: a text snapshot of a database's public schema
// (columns, indexes, constraints) to compare before and after, and a row count.
#pragma once

#include <string>
#include <vector>

namespace chatter::pg {

// One line per column (table, position, name, type, nullability, default), index (table, name,
// definition) and constraint (table, name, definition) of the public schema, in a stable order.
std::vector<std::string> SchemaSnapshot(const std::string& database_url);

// The tables of the public schema, sorted.
std::vector<std::string> PublicTables(const std::string& database_url);

// SELECT count(*) of `from_where` ("schema_migrations WHERE version > 0").
long CountRows(const std::string& database_url, const std::string& from_where);

}  // namespace chatter::pg
