#pragma once

// The history database's schema, one version at a time. Version 1 is the first schema; each later
// version is a migration from the one before, applied in order inside one transaction. The SQL is the
// same for SQLite and PostgreSQL except the identity column. Only the history store runs it.

#include "historylocation.h"

#include <QStringList>

namespace Stagelens {

/// The schema this program writes. A database with a higher version is refused, a lower one migrated.
constexpr int HistorySchemaVersion = 2;

/// The DDL/DML statements that take a database at version - 1 (nothing, for 1) to `version`. The store
/// also runs a data step for some versions (see HistoryStore), after these statements.
QStringList historySchemaStatements(int version, HistoryLocation::Engine engine);

} // namespace Stagelens
