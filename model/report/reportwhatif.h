#pragma once

// Turns the cache engine's answer into the what-if section of a report. Any thread.

#include "model/cache/cacheengine.h"
#include "model/cache/changedescription.h"
#include "model/report/reportdata.h"

namespace Stagelens {

/// `changes` describes the selection in words ("src/main.c", "ARG VERSION", "line 12").
ReportWhatIf reportWhatIf(const WhatIfResult &result, const QStringList &changes);

} // namespace Stagelens
