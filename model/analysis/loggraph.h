#pragma once

// The stage graph a build log shows by itself, for a CI log opened without its Dockerfile: BuildKit names
// every step "[stage k/n] INSTRUCTION args", so the stages, their steps in order, the base images (FROM
// lines) and the stages read by COPY --from / RUN --mount from= can be read from the names. What the names
// do not say (which stage a FROM <stage> builds on, steps BuildKit does not print) stays unknown.

#include "model/buildlog/buildrun.h"
#include "model/graph/buildgraph.h"

namespace Stagelens {

/// Stages in the order their first step appears in the log, each with its printed steps sorted by k. Every
/// stage is needed (the log built it); the target is the last stage.
BuildGraph graphFromLog(const BuildRun &run);

/// How a build record says it was built: its target, build args and requested platforms.
BuildOptions recordBuildOptions(const BuildRecordInfo &record);

/// The graph a build gives without a Dockerfile file: the Dockerfile its record carries (built with
/// recordBuildOptions), else graphFromLog. `recordDockerfile` gets that Dockerfile's text, or is cleared.
BuildGraph graphOfBuild(const BuildRun &run, QString *recordDockerfile);

} // namespace Stagelens
