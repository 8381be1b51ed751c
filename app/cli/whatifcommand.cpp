#include "whatifcommand.h"

#include "clicommon.h"

namespace Stagelens::Cli {

int runWhatifCommand(const QStringList &args)
{
    Q_UNUSED(args);
    printError(QStringLiteral("stagelens whatif: not available in this build yet"));
    return ExitUsage;
}

} // namespace Stagelens::Cli
