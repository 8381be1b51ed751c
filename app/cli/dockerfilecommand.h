#pragma once

#include <QStringList>

namespace Stagelens::Cli {

/// `stagelens dockerfile ...` (shared/CLI.md). args[0] is the program name, args[1] "dockerfile".
int runDockerfileCommand(const QStringList &args);

} // namespace Stagelens::Cli
