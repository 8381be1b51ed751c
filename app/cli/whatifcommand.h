#pragma once

#include <QStringList>

namespace Stagelens::Cli {

/// `stagelens whatif CONTEXT_DIR ...` (shared/CLI.md): which steps an edit re-runs, may re-run or leaves
/// cached, with reasons and the time it costs. args[0] is the program name, args[1] "whatif".
int runWhatifCommand(const QStringList &args);

} // namespace Stagelens::Cli
