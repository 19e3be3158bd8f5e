// A thin RAII layer over SQLite's C API: one connection, prepared statements, errors as text.
// Every call that fails throws SqliteError carrying SQLite's message and result code; the
// history store turns those into its reported status.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace treadmill::history {

class SqliteError : public std::runtime_error {
  public:
    SqliteError(const std::string& what, int code) : std::runtime_error(what), code_(code) {}
    int code() const { return code_; }

  private:
    int code_;
};

class Statement;

class SqliteDb {
  public:
    // Opens (creating) the file, or read-only; throws SqliteError. Read-only on a read-only
    // file system, where a WAL database's -shm cannot be created, the file is opened as
    // immutable (nothing can change it there).
    explicit SqliteDb(const std::string& path, bool read_only = false);
    ~SqliteDb();
    SqliteDb(const SqliteDb&) = delete;
    SqliteDb& operator=(const SqliteDb&) = delete;

    // Runs one or more statements without results.
    void exec(const std::string& sql);
    // The first column of the first row as text (empty when no row).
    std::string text_of(const std::string& sql);
    std::int64_t last_insert_id() const;
    sqlite3* handle() const { return db_; }
    // Throws SqliteError for a result code other than OK/ROW/DONE.
    void check(int rc, const std::string& what) const;

  private:
    sqlite3* db_ = nullptr;
};

class Statement {
  public:
    Statement(SqliteDb& db, const std::string& sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, std::int64_t{value}); }
    Statement& bind(int index, double value);
    Statement& bind(int index, const std::string& value);
    Statement& bind(int index, const std::optional<std::string>& value);
    // One step: true while a row is there.
    bool step();
    // Steps to the end, then resets for the next binding.
    void run();
    void reset();

    std::int64_t int64(int column) const;
    double real(int column) const;
    std::string text(int column) const;
    bool is_null(int column) const;

  private:
    SqliteDb& db_;
    sqlite3_stmt* stmt_ = nullptr;
    std::string sql_;
};

// BEGIN IMMEDIATE .. COMMIT, rolled back when left by an exception.
class Transaction {
  public:
    explicit Transaction(SqliteDb& db);
    ~Transaction();
    void commit();

  private:
    SqliteDb& db_;
    bool done_ = false;
};

}  // namespace treadmill::history
