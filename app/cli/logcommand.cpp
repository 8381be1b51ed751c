#include "logcommand.h"

#include "clicommon.h"

namespace Stagelens::Cli {

int runLogCommand(const QStringList &args)
{
    Q_UNUSED(args);
    printError(QStringLiteral("stagelens log: not available in this build yet"));
    return ExitUsage;
}

} // namespace Stagelens::Cli
