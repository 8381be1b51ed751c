#include "reportdata.h"

#include "model/core/duration.h"

#include <QFileInfo>
#include <QHash>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace Stagelens {

namespace {

// The categories in the order the headline lists them; "other" is printed only when it holds time.
constexpr VertexCategory CategoryOrder[] = {VertexCategory::Context, VertexCategory::Metadata,
    VertexCategory::Run, VertexCategory::Copy, VertexCategory::Export, VertexCategory::Other};

// A vertex's duration is BuildKit's own figure only: failed and cut-off steps have no DONE line, and an
// estimate from their output times would not add up with the summed step time. Their bars in the
// timeline still show how long they ran.
std::optional<double> durationOf(const BuildVertex &vertex)
{
    return vertex.seconds;
}

bool isStepVertex(const BuildVertex &vertex, const StepRef &matched)
{
    return matched.isValid() || (vertex.label.step > 0 && !vertex.label.internal);
}

// A cache miss is a Dockerfile step BuildKit executed; FROM "DONE" lines are image resolution, not misses.
bool isMiss(const BuildVertex &vertex, const StepRef &matched)
{
    if (!isStepVertex(vertex, matched))
        return false;
    if (vertex.label.instruction == QLatin1String("FROM"))
        return false;
    return vertex.status == VertexStatus::Done || vertex.status == VertexStatus::Error
        || vertex.status == VertexStatus::Canceled;
}

QString baseText(const BuildGraph &graph, const Stage &stage)
{
    if (stage.baseStage >= 0 && stage.baseStage < graph.stages.size())
        return QStringLiteral("stage %1").arg(graph.stages.at(stage.baseStage).token());
    return stage.base.isEmpty() ? stage.baseName : stage.base;
}

QList<ReportStageRow> stageRows(const BuildGraph &graph, const BuildAnalysis &analysis)
{
    QList<ReportStageRow> rows;
    rows.reserve(graph.stages.size());
    for (int i = 0; i < graph.stages.size(); ++i) {
        const Stage &stage = graph.stages.at(i);
        ReportStageRow row;
        row.index = i;
        row.token = stage.token();
        row.base = baseText(graph, stage);
        row.line = stage.line;
        row.needed = stage.needed;
        row.steps = stage.vertexCount();
        const bool timed = i < analysis.steps.size();
        for (int j = 0; timed && j < stage.steps.size() && j < analysis.steps.at(i).size(); ++j) {
            if (!stage.steps.at(j).isVertex())
                continue;
            const StepTiming &timing = analysis.steps.at(i).at(j);
            if (timing.state == StepState::Ran || timing.state == StepState::Error)
                ++row.ranSteps;
            else if (timing.state == StepState::Cached)
                ++row.cachedSteps;
            if (timing.seconds)
                row.seconds += *timing.seconds;
        }
        for (const Edge &edge : graph.edges) {
            if (edge.to != i || edge.from < 0 || edge.from >= graph.stages.size())
                continue;
            const QString token = graph.stages.at(edge.from).token();
            if (!row.dependsOn.contains(token))
                row.dependsOn.append(token);
        }
        rows.append(row);
    }
    return rows;
}

// Rows for a report without a log: the steps BuildKit would print, in Dockerfile order, without times.
QList<ReportStepRow> plannedRows(const BuildGraph &graph)
{
    QList<ReportStepRow> rows;
    const auto vertices = graph.neededVertices();
    for (const auto &[stageIndex, stepIndex] : vertices) {
        const Step &step = graph.stages.at(stageIndex).steps.at(stepIndex);
        ReportStepRow row;
        row.label = step.label.isEmpty() ? step.text : step.label;
        row.stage = graph.stages.at(stageIndex).token();
        row.stageIndex = stageIndex;
        row.line = step.line;
        row.status = StepState::NoLog;
        row.category = step.kind == InstructionKind::Run                                ? VertexCategory::Run
            : (step.kind == InstructionKind::Copy || step.kind == InstructionKind::Add) ? VertexCategory::Copy
            : step.kind == InstructionKind::From ? VertexCategory::Metadata
                                                 : VertexCategory::Other;
        row.order = rows.size();
        rows.append(row);
    }
    return rows;
}

QList<ReportStepRow> loggedRows(
    const BuildGraph &graph, const BuildRun &run, const BuildAnalysis &analysis, double wallSeconds)
{
    const QSet<int> critical(analysis.criticalPath.cbegin(), analysis.criticalPath.cend());
    QList<ReportStepRow> rows;
    rows.reserve(run.vertices.size());
    for (int i = 0; i < run.vertices.size(); ++i) {
        const BuildVertex &vertex = run.vertices.at(i);
        const StepRef matched = analysis.stepOfVertex.value(i);
        ReportStepRow row;
        row.label = vertex.name;
        row.stage = vertex.label.stage;
        if (const Step *step = graph.step(matched)) {
            row.stage = graph.stages.at(matched.stage).token();
            row.stageIndex = matched.stage;
            row.line = step->line;
        }
        // BuildKit prints one FROM vertex for stages sharing a base; the analysis ties it to the first
        // such stage, but the row should name the stage its label names.
        const int labelled = vertex.label.stage.isEmpty() ? -1 : graph.stageIndex(vertex.label.stage);
        if (labelled >= 0 && labelled != row.stageIndex && vertex.label.step > 0) {
            for (const Step &step : graph.stages.at(labelled).steps) {
                if (step.number == vertex.label.step) {
                    row.stage = graph.stages.at(labelled).token();
                    row.stageIndex = labelled;
                    row.line = step.line;
                    break;
                }
            }
        }
        row.status = stepStateOf(vertex.status);
        row.category = vertex.category;
        row.seconds = durationOf(vertex);
        if (row.seconds && wallSeconds > 0)
            row.share = *row.seconds / wallSeconds;
        row.start = vertex.start;
        row.end = vertex.end;
        row.critical = critical.contains(i);
        row.ran = isMiss(vertex, matched);
        row.order = i;
        rows.append(row);
    }
    return rows;
}

void sortSlowestFirst(QList<ReportStepRow> &rows)
{
    std::stable_sort(rows.begin(), rows.end(), [](const ReportStepRow &a, const ReportStepRow &b) {
        const double sa = a.seconds.value_or(-1);
        const double sb = b.seconds.value_or(-1);
        if (sa != sb)
            return sa > sb;
        return a.order < b.order;
    });
}

ReportBuildRow comparisonRow(const ReportBuild &build)
{
    const BuildSummary summary = summarizeBuild(build.run);
    ReportBuildRow row;
    row.logFile = QFileInfo(build.logFile).fileName();
    row.index = build.run.index;
    row.wallSeconds = summary.wallSeconds;
    row.steps = summary.steps;
    row.ranSteps = summary.ran;
    row.cachedSteps = summary.cached;
    row.failedSteps = summary.errors;
    row.cacheHitRate = summary.cacheHitRate();
    row.error = summary.error;
    return row;
}

} // namespace

ReportData makeReportData(const ReportInput &input)
{
    ReportData data;
    data.graph = input.graph;
    data.project = input.project;
    data.dockerfile = input.dockerfile.isEmpty() ? input.graph.file : input.dockerfile;
    data.target = input.graph.target;
    data.generated = input.generated.isValid() ? input.generated : QDateTime::currentDateTimeUtc();
    data.diagnostics = input.graph.diagnostics;
    data.whatIf = input.whatIf;
    const QString projectName = QFileInfo(input.project).fileName();
    QString subject = projectName.isEmpty() ? QFileInfo(data.dockerfile).fileName() : projectName;
    if (subject.isEmpty() && !input.builds.isEmpty()) // a log (or build record) alone
        subject = QFileInfo(input.builds.value(input.selectedBuild, input.builds.last()).logFile).fileName();
    data.title = QStringLiteral("Build timing report: %1").arg(subject);

    int selected = input.selectedBuild;
    if (selected < 0 || selected >= input.builds.size())
        selected = input.builds.size() - 1;

    if (selected >= 0) {
        const ReportBuild &build = input.builds.at(selected);
        const BuildRun &run = build.run;
        const BuildTotals totals = run.totals();
        data.hasBuild = true;
        data.logFile = build.logFile;
        data.buildIndex = run.index;
        data.buildError = run.error;
        data.buildErrorContext = run.errorContext;
        if (run.startEpoch)
            data.buildStart =
                QDateTime::fromMSecsSinceEpoch(qint64(std::llround(*run.startEpoch * 1000.0)), Qt::UTC);
        data.analysis = analyseBuild(input.graph, run);
        // A failed build says so first, in the title every page and the Markdown summary carry.
        if (data.analysis.summary.failed())
            data.title = QStringLiteral("FAILED: ") + data.title;

        ReportHeadline &h = data.headline;
        const BuildSummary &summary = data.analysis.summary;
        h.wallSeconds = summary.wallSeconds;
        h.summedSeconds = data.analysis.summedSeconds;
        h.criticalSeconds = summary.criticalPathSeconds;
        h.cacheHitRatio = summary.cacheHitRate();
        h.steps = summary.steps;
        h.ranSteps = summary.ran;
        h.cachedSteps = summary.cached;
        h.failedSteps = summary.errors;
        h.internalSteps = summary.internal;
        h.estimatedTimes = !summary.exactTiming;
        h.failedStep = summary.failedStep;

        for (VertexCategory category : CategoryOrder) {
            const double seconds = totals.categorySeconds[int(category)];
            if (category == VertexCategory::Other && seconds <= 0)
                continue;
            data.categories.append(
                {category, reportCategoryName(category), seconds, totals.categoryUntimed[int(category)]});
        }

        data.steps = loggedRows(input.graph, run, data.analysis, h.wallSeconds.value_or(0));
    } else {
        data.steps = plannedRows(input.graph);
    }

    for (const ReportStepRow &row : std::as_const(data.steps)) {
        // Broken logs can carry NaN, infinite or reversed times: such a step has no place on an axis.
        if (row.start && row.end && std::isfinite(*row.start) && std::isfinite(*row.end)
            && *row.end >= *row.start)
            data.timeline.append(row);
    }
    std::stable_sort(data.timeline.begin(), data.timeline.end(),
        [](const ReportStepRow &a, const ReportStepRow &b) { return *a.start < *b.start; });

    sortSlowestFirst(data.steps);
    for (const ReportStepRow &row : std::as_const(data.steps)) {
        if (data.topMisses.size() >= TopMissCount)
            break;
        if (row.ran)
            data.topMisses.append(row);
    }

    data.stages = stageRows(input.graph, data.analysis);

    if (input.builds.size() > 1) {
        QHash<QString, int> perLog;
        for (const ReportBuild &build : input.builds)
            ++perLog[build.logFile];
        for (int i = 0; i < input.builds.size(); ++i) {
            ReportBuildRow row = comparisonRow(input.builds.at(i));
            row.number = i + 1;
            row.buildsInLog = perLog.value(input.builds.at(i).logFile, 1);
            row.selected = i == selected;
            if (!data.comparison.isEmpty() && data.comparison.last().wallSeconds && row.wallSeconds)
                row.wallDelta = *row.wallSeconds - *data.comparison.last().wallSeconds;
            data.comparison.append(row);
        }
        // Why the detailed build differs from the one before it, with what the Dockerfile says about its
        // stages (which stage each FROM <stage> builds on: logs do not print it).
        if (selected > 0) {
            data.whyChanged = compareBuilds(input.builds.at(selected - 1).run, input.builds.at(selected).run,
                compareContextOf(input.graph));
            data.whyBefore = data.comparison.at(selected - 1).name();
            data.whyAfter = data.comparison.at(selected).name();
        }
    }
    if (input.advice) {
        data.adviceAsked = true;
        data.advice = input.advice->advice.mid(0, ReportData::MaxAdvice);
    }
    return data;
}

QString formatReportShare(const std::optional<double> &share)
{
    return share ? formatReportShare(*share) : unknownFigure();
}

QString reportDockerfileText(const ReportData &data)
{
    if (!data.dockerfile.isEmpty())
        return data.dockerfile;
    return data.graph.stages.isEmpty()
        ? QStringLiteral("none")
        : QStringLiteral("none given: the stages are read from the log's step names");
}

QString reportStatusName(StepState status)
{
    return status == StepState::NoLog ? QStringLiteral("not built") : stepStateName(status);
}

QString formatReportShare(double share)
{
    if (!std::isfinite(share))
        return QStringLiteral("?");
    const double percent = share * 100.0;
    return percent < 10 ? QStringLiteral("%1 %").arg(percent, 0, 'f', 1)
                        : QStringLiteral("%1 %").arg(percent, 0, 'f', 0);
}

QString ReportBuildRow::name() const
{
    return buildsInLog > 1 ? QStringLiteral("%1, build %2 of %3").arg(logFile).arg(index + 1).arg(buildsInLog)
                           : logFile;
}

QString ReportBuildRow::deltaText() const
{
    if (!wallDelta || !wallSeconds)
        return unknownFigure();
    const double before = *wallSeconds - *wallDelta;
    const QString sign = *wallDelta < 0 ? QStringLiteral("−") : QStringLiteral("+");
    QString text = sign + formatDuration(std::abs(*wallDelta));
    if (before > 0)
        text += QStringLiteral(" (%1%2%)").arg(sign).arg(std::abs(*wallDelta) / before * 100, 0, 'f', 0);
    return text;
}

QString ReportCategory::text() const
{
    if (untimed == 0)
        return formatDuration(seconds);
    // The only RUN of a build failed with no time printed: "RUN 0.0 s" would be a wrong number.
    return seconds > 0 ? QStringLiteral("≥ ") + formatDuration(seconds) : unknownFigure();
}

QString reportCategoryName(VertexCategory category)
{
    switch (category) {
    case VertexCategory::Context:
        return QStringLiteral("context transfer");
    case VertexCategory::Metadata:
        return QStringLiteral("pulls/metadata");
    case VertexCategory::Run:
        return QStringLiteral("RUN");
    case VertexCategory::Copy:
        return QStringLiteral("COPY/ADD");
    case VertexCategory::Export:
        return QStringLiteral("export");
    case VertexCategory::Other:
        break;
    }
    return QStringLiteral("other");
}

} // namespace Stagelens
