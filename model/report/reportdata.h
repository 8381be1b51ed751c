#pragma once

// The content of a timing report, computed once from the model and shared by every writer (Markdown here,
// PDF/PNG/SVG in ui/report). Writers only lay out and format what is here; they compute no figures.
// Plain values, callable from any thread.

#include "model/advice/advice.h"
#include "model/analysis/buildanalysis.h"
#include "model/buildlog/buildrun.h"
#include "model/cache/cacheengine.h"
#include "model/compare/buildcompare.h"
#include "model/core/diagnostic.h"
#include "model/graph/buildgraph.h"

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

namespace Stagelens {

/// One log read for the report: the file it came from and one build in it.
struct ReportBuild
{
    QString logFile;
    BuildRun run;
};

/// What the what-if engine predicts for one step, reduced to what a report prints.
struct ReportWhatIfStep
{
    QString label;
    QString stage;
    int line = 0;
    Verdict verdict = Verdict::Cached;
    QString reason;
    std::optional<double> seconds; ///< from the matched log
};

/// An active what-if selection and its prediction.
struct ReportWhatIf
{
    QStringList changes; ///< what the user changed: paths, "ARG NAME", "line N"
    QList<ReportWhatIfStep> steps;
    std::optional<double> rerunSeconds;
    std::optional<double> maybeSeconds;
};

/// Everything a report is made from. The GUI fills it from its loaded state, the CLI from its arguments.
struct ReportInput
{
    QString project; ///< the context directory (or the Dockerfile's directory)
    QString dockerfile;
    BuildGraph graph;
    QList<ReportBuild> builds; ///< every build of every log given, in order
    int selectedBuild = -1; ///< the build detailed in the report; -1: the last one
    std::optional<ReportWhatIf> whatIf;
    QDateTime generated; ///< invalid: now
    /// Cache advice for the Dockerfile (adviseOn), when one is open: the report's "Advice" section.
    std::optional<AdviceResult> advice;
};

/// Headline figures of the detailed build: the BuildSummary's, so they are those of every view and `log`.
struct ReportHeadline
{
    std::optional<double> wallSeconds; ///< unknown when the log carries no time
    double summedSeconds = 0; ///< sum of every step's BuildKit duration
    std::optional<double> criticalSeconds;
    std::optional<double> cacheHitRatio; ///< cached / (cached + ran) of the Dockerfile steps
    int steps = 0; ///< Dockerfile steps ("[stage k/n]" vertices)
    int ranSteps = 0;
    int cachedSteps = 0;
    int failedSteps = 0;
    int internalSteps = 0; ///< BuildKit's own vertices (context, metadata, export)
    bool estimatedTimes = false;
    QString failedStep; ///< the step that failed the build, empty when none
};

/// Time per category (context transfer, pulls/metadata, RUN, COPY, export, other).
struct ReportCategory
{
    VertexCategory category = VertexCategory::Other;
    QString name; ///< "context transfer", "pulls/metadata", ...
    double seconds = 0; ///< summed over the steps whose time the log gives
    int untimed = 0; ///< steps of it that did work with no time in the log

    /// "1.2 s"; "≥ 1.2 s" when some steps' times are missing; "—" when none is known.
    QString text() const;
};

/// One row of the step table: a log vertex (or, without a log, a Dockerfile step that will be built).
struct ReportStepRow
{
    QString label;
    QString stage; ///< stage token; empty for [internal] and export vertices
    int stageIndex = -1; ///< index into BuildGraph::stages, -1 when not matched
    int line = 0; ///< Dockerfile line, 0 when not a Dockerfile step
    StepState status = StepState::NoLog; ///< NoLog: a step that will be built (no log given)
    VertexCategory category = VertexCategory::Other;
    std::optional<double> seconds;
    double share = 0; ///< seconds / wall time, 0..1 (can exceed 1 for a lone step of a truncated log)
    std::optional<double> start; ///< seconds from the build's start
    std::optional<double> end;
    bool critical = false;
    bool ran = false; ///< executed (not cached): a cache miss
    int order = 0; ///< position in the log (or the Dockerfile without a log)
};

/// One stage of the DAG, for the stage table that accompanies (or replaces) the drawing.
struct ReportStageRow
{
    int index = 0;
    QString token;
    QString base; ///< base image or "stage <name>"
    int line = 0;
    bool needed = false;
    int steps = 0; ///< vertex steps
    int ranSteps = 0;
    int cachedSteps = 0;
    double seconds = 0; ///< summed BuildKit durations of its steps
    QStringList dependsOn; ///< tokens of the stages it reads from (FROM, COPY --from, mounts)
};

/// One build of the comparison table (several logs or several builds in one log). Its figures are the
/// build's summary, the same the headline, the status bar and `stagelens log` show.
struct ReportBuildRow
{
    int number = 0; ///< 1-based position in the table, as the GUI's build selector lists the builds
    QString logFile; ///< file name only
    int index = 0; ///< build index inside its log (0-based)
    int buildsInLog = 1;
    std::optional<double> wallSeconds;
    /// Wall time against the row before (this minus that); empty for the first row or when either is unknown.
    std::optional<double> wallDelta;
    int steps = 0; ///< Dockerfile steps
    int ranSteps = 0;
    int cachedSteps = 0;
    int failedSteps = 0;
    std::optional<double> cacheHitRate;
    QString error;
    bool selected = false;

    /// "02-edit-src.log" or "ci.log, build 2 of 3", as the GUI names it.
    QString name() const;
    /// "−2.6 s (−53%)", "+0.4 s (+9%)"; "—" when unknown.
    QString deltaText() const;
};

struct ReportData
{
    QString title;
    QString project;
    QString dockerfile;
    QString target;
    QString logFile; ///< the detailed build's log; empty without a log
    int buildIndex = -1; ///< index of the detailed build inside its log
    std::optional<QDateTime> buildStart; ///< wall-clock start, when the log carries it (UTC)
    QDateTime generated;
    bool hasBuild = false;
    QString buildError;
    QString buildErrorContext; ///< BuildKit's "Dockerfile:52 ... >>>" excerpt, whole

    ReportHeadline headline;
    QList<ReportCategory> categories;
    QList<ReportStepRow> steps; ///< slowest first; ties keep log order
    QList<ReportStepRow> topMisses; ///< steps that ran (not cached), slowest first, at most TopMissCount
    QList<ReportStepRow> timeline; ///< steps with a start and an end, in start order
    QList<ReportStageRow> stages; ///< every stage of the Dockerfile
    std::optional<ReportWhatIf> whatIf;
    QList<ReportBuildRow> comparison;
    /// With two builds or more: why the detailed build differs from the one before it (#19).
    std::optional<CompareResult> whyChanged;
    QString whyBefore; ///< the names of the two builds compared, as the comparison table gives them
    /// The cache advice, ranked (at most MaxAdvice); empty when none applies or no Dockerfile was given.
    static constexpr int MaxAdvice = 10;
    QList<Advice> advice;
    bool adviceAsked = false; ///< a Dockerfile was there to advise on
    QString whyAfter;
    QList<Diagnostic> diagnostics; ///< from the Dockerfile and the logs

    /// The inputs the DAG drawing needs (stage graph with the matched timings).
    BuildGraph graph;
    BuildAnalysis analysis;
};

constexpr int TopMissCount = 10;

/// Computes every figure and table of the report. Never fails: missing parts leave their sections empty.
ReportData makeReportData(const ReportInput &input);

/// What the report says of its Dockerfile: the path, or where the stages came from when there was none.
QString reportDockerfileText(const ReportData &data);
/// "ran", "cached", "error", "canceled", "unfinished"; "not built" for a step of a report without a log.
QString reportStatusName(StepState status);
/// "37 %" style share with one decimal under 10 %.
QString formatReportShare(double share);
/// The same for a share that may be unknown ("—").
QString formatReportShare(const std::optional<double> &share);
/// Name of a category as the report prints it.
QString reportCategoryName(VertexCategory category);

} // namespace Stagelens

Q_DECLARE_METATYPE(Stagelens::ReportData)
