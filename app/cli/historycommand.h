#pragma once

#include <QStringList>

namespace Stagelens::Cli {

/// `stagelens history add|list|trend|show ...` (shared/CLI.md). args[0] is the program name, args[1]
/// "history".
int runHistoryCommand(const QStringList &args);

} // namespace Stagelens::Cli
