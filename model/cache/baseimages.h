#pragma once

// What is known of each stage's base image before and after an edit, for the what-if's rule 2: the
// reference the previous build used (the FROM its log names, with the digest when BuildKit printed one), the
// reference the Dockerfile names now, and, when the user allows it, what the local Docker daemon says both
// are. Talks to the daemon (blocking, bounded by its timeout): call it off the GUI thread.

#include "model/cache/cacheengine.h"

namespace Stagelens {

struct BuildRun;
class DockerDaemonClient;

/// One entry per needed stage built on an image (not scratch, not FROM <stage>). `previousBuild` and
/// `daemon` may be null; the daemon is asked only about stages whose reference differs from the logged one.
QList<BaseImageEvidence> gatherBaseImages(
    const BuildGraph &graph, const BuildRun *previousBuild, const DockerDaemonClient *daemon);

/// The reference a FROM vertex names: "FROM docker.io/library/alpine:3.20@sha256:..." -> the part after
/// "FROM "; empty when the text is no FROM.
QString fromVertexReference(const QString &vertexText);

} // namespace Stagelens
