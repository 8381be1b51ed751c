#pragma once

#include <QStringList>

namespace Stagelens::Cli {

/// `stagelens whatif ...` (shared/CLI.md). args[0] is the program name, args[1] "whatif".
int runWhatifCommand(const QStringList &args);

} // namespace Stagelens::Cli
