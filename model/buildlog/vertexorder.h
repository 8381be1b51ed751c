#pragma once

// The order BuildKit guarantees between the vertices of one build (a vertex starts after the vertices it
// depends on have ended), as far as the log alone tells it. Plain values, callable from any thread.

#include "buildrun.h"

#include <QList>

namespace Stagelens {

/// Dependency edges of a build in compressed form: the vertices vertex i waits for are
/// targets[offsets[i]] .. targets[offsets[i + 1] - 1] (indices into BuildRun::vertices).
struct VertexDependencies
{
    QList<int> offsets; ///< vertices.size() + 1 entries
    QList<int> targets;
    bool fromInputs = false; ///< read from rawjson/record input edges, not inferred from the labels

    int size() const { return offsets.isEmpty() ? 0 : int(offsets.size()) - 1; }
    const int *begin(int vertex) const { return targets.constData() + offsets.at(vertex); }
    const int *end(int vertex) const { return targets.constData() + offsets.at(vertex + 1); }
};

/// What each vertex of `run` waits for. The input edges when any vertex carries them (rawjson, build
/// records); otherwise what the labels imply:
///  - `[stage k/n]` waits for the step of the same stage (target, platform) with the largest counter below k;
///  - a stage whose first step printed is 2 (its FROM image vertex shared with another stage) waits for
///    the build's FROM vertex when there is only one;
///  - a stage whose first step is `1/n` and not FROM (built `FROM <stage>`, which the labels do not name)
///    waits for the stage whose last step ended last at or before its first step started;
///  - `COPY --from=X` and `--mount=...,from=X` wait for the last step of stage X (or `stage-X` for an index);
///  - COPY/ADD from the context wait for `[internal] load build context` (or the git/remote source);
///  - `FROM image` waits for `[internal] load metadata for image`;
///  - the exporter (exporting, writing, naming, pushing) waits for the last step of every stage.
/// Linear in the number of vertices (duplicated labels, as in concatenated logs, add no edges beyond one
/// per rule). The graph can hold cycles only on contradictory input; topologicalOrder() tolerates them.
VertexDependencies vertexDependencies(const BuildRun &run);

/// The stage names a step's label text (after the instruction keyword) reads from: "--from=X" and
/// "--mount=...,from=X,...", in the leading options only. Clipped text simply gives names that match nothing.
void sourceStages(QStringView text, QList<QStringView> *out);

/// The vertices in an order where each comes after what it depends on; vertices on a cycle follow in file
/// order at the end.
QList<int> topologicalOrder(const VertexDependencies &dependencies);

/// Moves estimated start/end times later (keeping each duration) so that no vertex starts before the
/// vertices it depends on end. Exact times are never moved. Used by the plain and tty parsers, whose
/// estimates come from print order and frame times and can put a step before its predecessor ends.
void enforceDependencyOrder(BuildRun &run);

} // namespace Stagelens
