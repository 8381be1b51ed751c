#pragma once

// The words for a what-if question and its answer, the same in the GUI, the CLI text and the report.

#include "model/cache/cacheengine.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace Stagelens {

/// One entry per change, in the order paths, args, lines: "src/util.c", "app.sh (mode changed)",
/// "src/old.c (deleted)", "ARG VERSION", "line 12".
QStringList describeChanges(const WhatIfChanges &changes);

/// The answer in one sentence: "Editing src/util.c re-runs 4 steps, about 1.6 s; 2 more may re-run,
/// about 0.3 s." Costs are left out when no log gave times, and said to be partial when some are unknown.
/// `buildSeconds`, the loaded build's wall time, puts the cost in proportion when known.
QString describeAnswer(
    const WhatIfResult &result, const WhatIfChanges &changes, std::optional<double> buildSeconds = {});

/// "1 step", "4 steps": the plural people expect.
QString countSteps(int n);

} // namespace Stagelens
