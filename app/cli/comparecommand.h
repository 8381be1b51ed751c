#pragma once

#include <QStringList>

namespace Stagelens::Cli {

/// `stagelens compare BEFORE[#N] AFTER[#N] ...` (shared/CLI.md). args[0] is the program name, args[1]
/// "compare".
int runCompareCommand(const QStringList &args);

} // namespace Stagelens::Cli
