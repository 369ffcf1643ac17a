// A versioned SQL migration, and the list each service binary embeds from its migrations/ dir.
#pragma once

#include <string>
#include <vector>

namespace chatter::pg {

// One NNNN_what.sql file. Kept a plain aggregate: cmake/EmbedMigrations.cmake generates
// `{version, "name", R"(sql)"}` initialisers for it.
struct Migration {
  int version;
  std::string name;
  std::string sql;
};

// Defined by the code that chatter_embed_migrations() generates into each service target; a
// binary that links chatter_pg without embedding migrations must not call it.
const std::vector<Migration>& EmbeddedMigrations();

}  // namespace chatter::pg
