#pragma once

// The stage graph a build log shows by itself, for a CI log opened without its Dockerfile: BuildKit names
// every step "[stage k/n] INSTRUCTION args", so the stages, their steps in order, the base images (FROM
// lines) and the stages read by COPY --from / RUN --mount from= can be read from the names. What the names
// do not say (which stage a FROM <stage> builds on, steps BuildKit does not print) stays unknown.

#include "model/buildlog/buildrun.h"
#include "model/graph/buildgraph.h"

namespace Stagelens {

/// Stages in the order their first step appears in the log, each with its printed steps sorted by k. The
/// graph's `fromLog` is set; every stage is needed (the log built it); the target is the last stage.
BuildGraph graphFromLog(const BuildRun &run);

} // namespace Stagelens
