#pragma once

#include <QStringList>

namespace Stagelens::Cli {

/// `stagelens advise CONTEXT_DIR [-f DOCKERFILE] [--target NAME] [--log LOGFILE ...] --json`
/// (shared/CLI.md). args[0] is the program name, args[1] "advise".
int runAdviseCommand(const QStringList &args);

} // namespace Stagelens::Cli
