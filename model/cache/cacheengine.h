#pragma once

// The "what if I edit this?" engine: given the build graph, the indexed build context and a set of changes
// (context paths, build args, Dockerfile lines), the verdict of every step the target needs, with a reason
// chain and the time it would cost. Pure and fast: the context is resolved per step once, in the
// constructor, so a query only looks up the changed paths. Never reads file contents.
//
// Rules (BuildKit's, see shared/corpus/buildkit-real/EXPECTED.md):
//  - a step whose own inputs changed re-runs, and so does every later step of its stage and of stages
//    built FROM it (no cut-off on identical output);
//  - COPY --from / RUN --mount=from= after an upstream change is keyed on the copied bytes: "maybe";
//  - context files count by content, mode and presence, never mtime; ignored files and files only
//    unneeded stages read never matter;
//  - a symlink a COPY/ADD source or bind mount names is followed (the step reads its target), one inside a
//    copied directory is copied as a link (its target string counts);
//  - a changed build arg re-runs the first RUN after its ARG in each stage that declares it, and every
//    step whose text uses it;
//  - a base image counts by content: same layers and run config re-run nothing, same layers and another
//    Env/User/WorkingDir/Shell re-run the RUN steps (and what follows), other layers the whole stage; a
//    changed reference whose content nobody resolved is "maybe".

#include "model/cache/dockerdaemon.h"
#include "model/context/contextindex.h"
#include "model/context/sourcematcher.h"
#include "model/graph/buildgraph.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QSet>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace Stagelens {

enum class Verdict
{
    Cached,
    Maybe, ///< re-runs only if an upstream stage produces different bytes at the copied/mounted paths
    Rerun
};

enum class ChangeKind
{
    Content, ///< edited (content changed)
    Mode, ///< chmod
    Added,
    Deleted,
    Touched ///< mtime only: never invalidates anything
};

struct PathChange
{
    QString path; ///< relative to the context (or absolute inside it)
    ChangeKind kind = ChangeKind::Content;
};

/// What a base-image verdict rests on (whatif --json "rests_on").
enum class BaseEvidence
{
    Dockerfile, ///< the Dockerfile alone: a changed reference is "maybe"
    Log, ///< the previous build's log named the reference (and digest) it used
    LogAndDaemon ///< and the local Docker daemon said what both references are
};

/// What is known of one stage's base image before and after the edit (baseimages.h gathers it).
struct BaseImageEvidence
{
    int stage = -1;
    QString previous; ///< the reference the previous build used (its log's FROM), else the Dockerfile's
    QString next; ///< the Dockerfile's reference as now written (build args applied)
    BaseEvidence restsOn = BaseEvidence::Dockerfile;
    std::optional<ImageFacts> previousImage; ///< the daemon's answers, when it was asked
    std::optional<ImageFacts> nextImage;
    QString detail; ///< why the daemon could not help, when it could not
};

struct WhatIfChanges
{
    QList<PathChange> paths;
    QStringList args; ///< build-arg names whose value changes
    QList<int> lines; ///< Dockerfile lines (1-based) whose text changes
    /// Stages (name or index) whose base image gets other layers under the same reference: a moved tag, a
    /// rebuilt image. Known content, so the stage re-runs (not "maybe").
    QStringList movedBases;
    QList<BaseImageEvidence> bases; ///< facts about base images (not changes themselves): makes FROM exact
};

struct StepVerdict
{
    int stage = -1; ///< index into BuildGraph::stages
    int step = -1; ///< index into Stage::steps
    QString label;
    QString stageToken;
    QString instruction; ///< "RUN", "COPY", ...
    int line = 0;
    Verdict verdict = Verdict::Cached;
    QStringList
        reasons; ///< the chain, root cause first: "COPY src/ ./ reads src/util.c", "follows [builder 2/3]"
    std::optional<double> seconds; ///< from the last uncached run in the log, when known

    QString reason() const;
};

/// One stage whose base image may have changed, and what that does (whatif --json "base_images").
struct BaseImageVerdict
{
    int stage = -1;
    QString stageToken;
    QString previous;
    QString next;
    Verdict verdict = Verdict::Maybe; ///< of the FROM: cached = same layers, rerun = other layers
    bool runConfigChanged = false; ///< same layers, other Env/User/WorkingDir/Shell: the RUN steps re-run
    BaseEvidence restsOn = BaseEvidence::Dockerfile;
    QString detail;
};

struct WhatIfResult
{
    QString target;
    QList<StepVerdict> steps; ///< every vertex of every needed stage, in stage order
    bool timed = false; ///< step times were available (a log was given)
    double rerunSeconds = 0; ///< sum over rerun steps with a known time
    double maybeSeconds = 0;
    int rerunUnknown = 0; ///< rerun steps whose time is unknown
    int maybeUnknown = 0;
    QList<BaseImageVerdict> baseImages; ///< stages whose base may have changed, in stage order
    QStringList notes; ///< why some changes do not matter ("README.md is excluded by .dockerignore")
    QList<Diagnostic> diagnostics;

    int count(Verdict verdict) const;
    const StepVerdict *find(const QString &label) const;
};

class CacheEngine
{
public:
    CacheEngine() = default;
    /// Prepares the engine; `context` may be null (then only the COPY sources decide, no ignore file).
    /// Everything it needs of the Dockerfile is in the graph (line table, variable uses). Any thread.
    CacheEngine(BuildGraph graph, std::shared_ptr<const ContextIndex> context);

    /// What each step costs when it runs (stepCosts of the loaded builds); an answer is "timed" once set
    /// with any entry.
    void setStepSeconds(const QHash<StepRef, double> &seconds);
    const QHash<StepRef, double> &stepSeconds() const { return m_seconds; }

    /// Answers one query. Cost: O(changes x steps x log n), independent of the context size. Any thread.
    WhatIfResult whatIf(const WhatIfChanges &changes) const;

    const BuildGraph &graph() const { return m_graph; }
    const ContextIndex *context() const { return m_context.get(); }
    /// The context entries (indices into ContextIndex::entries()) a step reads, ascending.
    QList<int> contextReads(StepRef step) const;

    class Query;

private:
    struct StepInputs
    {
        StepRef step;
        SourceMatcher matcher;
        QList<int> reads;
        /// Symlinks a source names (or passes through) that BuildKit follows: the step is keyed by what
        /// they point at, so retargeting one matters only if the new target's bytes differ. Ascending.
        QList<int> followedLinks;
        QStringList followedRoots; ///< where they lead ("" = the whole context): a file added there counts
        QStringList linkProblems; ///< a loop, a target outside the context: BuildKit fails the step
    };

    void followLinks(StepInputs &inputs, const QList<int> &namedLinks) const;
    QString readsPath(const StepInputs &inputs, const QString &path) const;

    BuildGraph m_graph;
    std::shared_ptr<const ContextIndex> m_context;
    QList<StepInputs> m_inputs; ///< steps that read the build context
    QHash<StepRef, int> m_inputByStep; ///< index into m_inputs
    QHash<StepRef, double> m_seconds;
};

QString verdictName(Verdict verdict);
/// "dockerfile", "log", "log+daemon".
QString baseEvidenceName(BaseEvidence evidence);
QString changeKindName(ChangeKind kind);

/// The `whatif --json` document of shared/CLI.md.
QJsonObject toJson(const WhatIfResult &result);

/// "[builder 2/3]" from "[builder 2/3] COPY src/ ./"; empty when the name has no such prefix.
QString labelKey(const QString &label);

} // namespace Stagelens

Q_DECLARE_METATYPE(Stagelens::WhatIfResult)
Q_DECLARE_METATYPE(Stagelens::WhatIfChanges)
