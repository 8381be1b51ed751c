#pragma once

#include <QStringList>

namespace Stagelens::Cli {

/// `stagelens log ...` (shared/CLI.md). args[0] is the program name, args[1] "log".
int runLogCommand(const QStringList &args);

} // namespace Stagelens::Cli
