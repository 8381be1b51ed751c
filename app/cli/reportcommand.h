#pragma once

#include <QStringList>

namespace Stagelens::Cli {

/// `stagelens report ...` (shared/CLI.md). args[0] is the program name, args[1] "report".
int runReportCommand(const QStringList &args);

} // namespace Stagelens::Cli
