// SchemaSnapshot: information_schema.columns, pg_indexes and pg_constraint as text rows.
#include "tests/services/common/schema_snapshot.h"

#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>

#include "absl/strings/str_cat.h"

namespace chatter::pg {
namespace {

std::vector<std::string> Rows(const std::string& database_url, const std::string& sql) {
  pqxx::connection conn(database_url);
  pqxx::nontransaction txn(conn);
  std::vector<std::string> rows;
  for (const pqxx::row& row : txn.exec(sql)) {
    std::string line;
    for (const pqxx::field& field : row) {
      absl::StrAppend(&line, field.is_null() ? "<null>" : field.c_str(), " | ");
    }
    rows.push_back(std::move(line));
  }
  return rows;
}

}  // namespace

std::vector<std::string> SchemaSnapshot(const std::string& database_url) {
  std::vector<std::string> snapshot;
  for (const char* sql : {
           "SELECT 'column', table_name, ordinal_position, column_name, data_type, is_nullable, "
           "column_default FROM information_schema.columns WHERE table_schema = 'public' "
           "ORDER BY table_name, ordinal_position",
           "SELECT 'index', tablename, indexname, indexdef FROM pg_indexes "
           "WHERE schemaname = 'public' ORDER BY tablename, indexname",
           "SELECT 'constraint', c.conrelid::regclass::text, c.conname, "
           "pg_get_constraintdef(c.oid) FROM pg_constraint c "
           "JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public' "
           "ORDER BY 2, 3",
       }) {
    for (std::string& row : Rows(database_url, sql)) snapshot.push_back(std::move(row));
  }
  return snapshot;
}

std::vector<std::string> PublicTables(const std::string& database_url) {
  std::vector<std::string> tables;
  pqxx::connection conn(database_url);
  pqxx::nontransaction txn(conn);
  for (const pqxx::row& row :
       txn.exec("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")) {
    tables.push_back(row[0].as<std::string>());
  }
  return tables;
}

long CountRows(const std::string& database_url, const std::string& from_where) {
  pqxx::connection conn(database_url);
  pqxx::nontransaction txn(conn);
  return txn.exec1(absl::StrCat("SELECT count(*) FROM ", from_where))[0].as<long>();
}

}  // namespace chatter::pg
