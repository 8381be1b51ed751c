#include "dockerfilecommand.h"

#include "clicommon.h"

namespace Stagelens::Cli {

int runDockerfileCommand(const QStringList &args)
{
    Q_UNUSED(args);
    printError(QStringLiteral("stagelens dockerfile: not available in this build yet"));
    return ExitUsage;
}

} // namespace Stagelens::Cli
