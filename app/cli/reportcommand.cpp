#include "reportcommand.h"

#include "clicommon.h"

namespace Stagelens::Cli {

int runReportCommand(const QStringList &args)
{
    Q_UNUSED(args);
    printError(QStringLiteral("stagelens report: not available in this build yet"));
    return ExitUsage;
}

} // namespace Stagelens::Cli
