#pragma once

// The hub of Stagelens (see shared/DESIGN.md): a Dockerfile interpreted for one set of build args and one
// target. Stages, their steps with the vertex label BuildKit will print, and the edges between stages.
// Logs attach to it by label; the cache engine walks it; the views draw it. Plain values, any thread.

#include "model/core/diagnostic.h"
#include "model/core/stepref.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace Stagelens {

struct DockerfileAst;

enum class EdgeKind
{
    From, ///< FROM <stage>
    Copy, ///< COPY/ADD --from=<stage>
    Mount ///< RUN --mount=...,from=<stage>
};

/// What an instruction does, as far as caching and drawing care.
enum class InstructionKind
{
    From,
    Run,
    Copy,
    Add,
    Workdir,
    Arg,
    Env,
    User,
    Shell,
    Onbuild,
    Metadata, ///< LABEL, CMD, ENTRYPOINT, EXPOSE, VOLUME, STOPSIGNAL, HEALTHCHECK, MAINTAINER: image config
              ///< only
    Unknown
};

/// One RUN --mount. Only bind and cache mounts with from= read another stage; a bind mount without from=
/// reads the build context.
struct Mount
{
    QString type; ///< bind, cache, secret, ssh, tmpfs
    QString from; ///< as written (expanded): a stage name/index or an image; empty for the context
    int fromStage = -1; ///< index into BuildGraph::stages, or -1
    QString source; ///< path in the context or in `from` (default "/" or ".")
    QString target;
};

} // namespace Stagelens
// Moved, not copied, when their lists grow: copying steps as Stage::steps grew was 5% of building a big
// graph.
Q_DECLARE_TYPEINFO(Stagelens::Mount, Q_RELOCATABLE_TYPE);
namespace Stagelens {

/// One instruction of a stage, the FROM included (steps[0]).
struct Step
{
    InstructionKind kind = InstructionKind::Unknown;
    QString keyword; ///< upper-case, as BuildKit prints it: "RUN", "COPY", "FROM"
    QString
        text; ///< the instruction as BuildKit prints it in a vertex name, without the stage token:
              ///< "COPY src/ ./", "RUN sh build.sh \"1.0\" /out/app", "FROM docker.io/library/alpine:3.20"
    QString label; ///< the vertex name BuildKit prints ("[builder 2/3] COPY src/ ./"); empty when none
    int number = 0; ///< k of "k/n" (1-based), 0 when this step is not a vertex
    int line = 0; ///< first Dockerfile line (1-based)
    int endLine = 0; ///< last Dockerfile line (continuations, heredocs)

    // Inputs, for the cache engine.
    QStringList sources; ///< COPY/ADD sources after expansion (context-relative when read from the context)
    QString destination; ///< COPY/ADD destination, WORKDIR path
    QStringList excludes; ///< COPY/ADD --exclude patterns
    bool parents = false; ///< COPY --parents
    QString chmod; ///< COPY/ADD --chmod
    QString chown; ///< COPY/ADD --chown
    bool link = false; ///< COPY/ADD --link
    QString from; ///< COPY/ADD --from as written (expanded); empty when reading the context
    int fromStage = -1; ///< COPY/ADD --from=<stage> as an index into BuildGraph::stages, else -1
    QList<Mount> mounts; ///< RUN --mount
    /// Build args whose value is part of this step's cache key: for RUN every ARG in scope at that point
    /// (BuildKit adds them to the command's environment, used or not); for other steps the args its
    /// expanded text or flags depend on (directly, or through an ENV that used them).
    QStringList argDependencies;
    /// Variables the instruction's text refers to ($NAME, ${NAME...}), set or not, as the shell lexer saw
    /// them; sorted. A changed value of one of them changes the instruction.
    QStringList variables;
    /// ARG: the names it declares; ENV: the names it sets. Empty for other instructions.
    QStringList declares;

    bool isVertex() const { return number > 0; }
    /// True when this COPY/ADD (or RUN bind mount without from=) reads files from the build context.
    bool readsContext() const;
};

} // namespace Stagelens
Q_DECLARE_TYPEINFO(Stagelens::Step, Q_RELOCATABLE_TYPE);
namespace Stagelens {

struct Stage
{
    int index = 0;
    QString name; ///< as written after AS (BuildKit lower-cases it); empty when unnamed
    QString baseName; ///< the FROM argument after expansion: "deps", "alpine:3.20", "scratch"
    QString base; ///< normalised image: "docker.io/library/alpine:3.20"; empty when FROM <stage> or scratch
    int baseStage = -1; ///< FROM <stage>: index of that stage, else -1
    QString platform; ///< FROM --platform (expanded), may be empty
    int line = 0;
    bool needed = false; ///< the target needs it (BuildKit builds and prints only these)
    int vertexTotal = 0; ///< BuildKit's n of "k/n" (counts a WORKDIR / that prints no vertex)
    QList<Step> steps; ///< steps[0] is the FROM

    /// The stage token BuildKit prints: the name, or "stage-N" for unnamed stages.
    QString token() const;
    /// Number of vertex steps: the n of "k/n" except that a WORKDIR / counted by BuildKit prints no vertex
    /// (vertexTotal is the n itself).
    int vertexCount() const;
};

} // namespace Stagelens
Q_DECLARE_TYPEINFO(Stagelens::Stage, Q_RELOCATABLE_TYPE);
namespace Stagelens {

struct Edge
{
    int from = 0; ///< producing stage
    int to = 0; ///< consuming stage
    EdgeKind kind = EdgeKind::From;
    int line = 0; ///< Dockerfile line of the consuming instruction
    int toStep =
        0; ///< index into stages[to].steps of the consuming instruction (0, the FROM, for From edges)
};

/// One name an ARG instruction declares, as written.
struct ArgDeclaration
{
    QString name;
    std::optional<QString> defaultValue; ///< after '=', unexpanded; none for "ARG NAME"
    int line = 0;
    bool global = false; ///< before the first FROM
};

/// An ARG before the first FROM: its value feeds FROM lines and every stage that declares it again.
struct GlobalArg
{
    QString name;
    int line = 0;
    int endLine = 0;
};

/// The inputs that, besides the Dockerfile text, decide what BuildKit builds.
struct BuildOptions
{
    QString target; ///< stage name or index; empty: the last stage
    QHash<QString, QString> buildArgs; ///< --build-arg NAME=VALUE
    QString platform; ///< --platform: the target platform ("linux/arm64"); empty: linux/amd64
    bool multiPlatform = false; ///< several platforms requested: vertex names start with the platform
};

struct BuildGraph
{
    QString file;
    QString target; ///< the target stage's token (its name, or "stage-N")
    int targetStage = -1;
    QList<Stage> stages;
    QList<Edge> edges;
    QList<Diagnostic> diagnostics;
    QList<GlobalArg> globalArgs; ///< in file order
    QList<ArgDeclaration> argDeclarations; ///< every ARG name of the file, in file order (repeats kept)
    int lineCount = 0; ///< lines of the Dockerfile text (0 when built from an AST alone)

    /// Stage by name (case-insensitive, as BuildKit) or by index text; -1 when none.
    int stageIndex(const QString &nameOrIndex) const;
    /// Every vertex step of every needed stage, in stage order: (stage index, step index) pairs.
    QList<StepRef> neededVertices() const;
    /// The step, or null for an invalid reference.
    const Step *step(StepRef ref) const;
    /// The step (vertex or not) whose lines contain `line`, or an invalid reference.
    StepRef stepAtLine(int line) const;
    /// The global ARG declared on `line`, or null.
    const GlobalArg *globalArgAt(int line) const;
    /// Stages in an order where each comes after every stage it reads (FROM, COPY --from, mount from=);
    /// file order among independent ones, and file order for stages on a cycle (invalid input).
    QList<int> stageOrder() const;
    /// The vertex steps that must end before `ref` can start: the previous vertex of its stage (or, for the
    /// first, the last vertex of the FROM <stage> chain), and the last vertex of each stage it copies or
    /// mounts from.
    QList<StepRef> dependencies(StepRef ref) const;
    /// The last vertex step of `stage`, following FROM <stage> down when the stage has none.
    StepRef lastVertexOf(int stage) const;
};

/// Interprets Dockerfile text. Never throws; problems are in `diagnostics` with line and column.
BuildGraph buildGraph(const QByteArray &dockerfileText, const QString &fileName, const BuildOptions &options);
/// Reads and interprets a file; an unreadable file gives one error diagnostic.
BuildGraph buildGraphFromFile(const QString &path, const BuildOptions &options);
/// Interprets an already parsed Dockerfile (its diagnostics are carried over).
BuildGraph buildGraphFromAst(const DockerfileAst &ast, const QString &fileName, const BuildOptions &options);

/// Appends the `dockerfile --json` document of shared/CLI.md as QJsonDocument::toJson(Indented) would write
/// it, byte for byte, without building a QJsonObject first (that was a third of the command on a 9 MB file).
/// `extra` members (such as a record's "record") are merged in key order, as QJsonObject would hold them.
/// `drain`, when set, is called between stages once about 1 MB is in `out`, to write and clear it.
void appendJsonText(QByteArray *out, const BuildGraph &graph, const QJsonObject &extra = {},
    const std::function<void(QByteArray *)> &drain = {});
/// Graphviz DOT text of the stage DAG (for `dockerfile --dot`; the GUI lays out through the library).
QString toDot(const BuildGraph &graph);

QString edgeKindName(EdgeKind kind);
/// The kind of a Dockerfile keyword, any case ("RUN", "copy").
InstructionKind instructionKindOf(const QString &keyword);

} // namespace Stagelens

Q_DECLARE_METATYPE(Stagelens::BuildGraph)
Q_DECLARE_METATYPE(Stagelens::BuildOptions)
