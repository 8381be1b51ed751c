#include "buildcomparison.h"

namespace Stagelens {

BuildComparison compareForDisplay(
    const BuildGraph &graph, const BuildRun &before, const BuildRun &after, const CompareContext &context)
{
    BuildComparison c;
    c.result = compareBuilds(before, after, context);
    c.before = before;
    c.after = after;
    c.beforeAnalysis = analyseBuild(graph, before);
    c.afterAnalysis = analyseBuild(graph, after);
    c.changedFiles = context.changedFiles;
    return c;
}

} // namespace Stagelens
