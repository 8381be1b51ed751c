#include "markdownreport.h"

#include "model/core/duration.h"

#include <QDir>
#include <QFileInfo>

namespace Stagelens {

namespace {

QString cut(const QString &text, int limit)
{
    if (text.size() <= limit)
        return text;
    return text.left(limit - 1) + QChar(0x2026);
}

QString optionalSeconds(const std::optional<double> &seconds)
{
    return seconds ? formatDuration(*seconds) : QStringLiteral("–");
}

QString lineText(int line)
{
    return line > 0 ? QString::number(line) : QStringLiteral("–");
}

// Paths inside the project are shown relative to it: shorter, and no home directory in a CI summary.
QString displayPath(const QString &path, const QString &project)
{
    if (path.isEmpty())
        return {};
    if (!project.isEmpty()) {
        const QString relative = QDir(project).relativeFilePath(path);
        if (!relative.startsWith(QLatin1String("..")) && !QFileInfo(relative).isAbsolute())
            return relative;
    }
    return path;
}

void appendRow(QString &out, const QStringList &cells)
{
    out += QLatin1String("| ") + cells.join(QLatin1String(" | ")) + QLatin1String(" |\n");
}

void appendHeader(QString &out, const QStringList &names, const QString &alignment)
{
    appendRow(out, names);
    QStringList rules;
    for (int i = 0; i < names.size(); ++i)
        rules.append(alignment.at(i) == QLatin1Char('r') ? QStringLiteral("---:") : QStringLiteral("---"));
    out += QLatin1Char('|') + rules.join(QLatin1Char('|')) + QLatin1String("|\n");
}

// Without a log there are no times, and the table has no time columns.
QStringList stepCells(const ReportStepRow &row, bool withStatus, bool timed)
{
    QStringList cells {markdownEscape(cut(row.label, MarkdownLabelLimit)),
        row.stage.isEmpty() ? QStringLiteral("–") : markdownEscape(row.stage), lineText(row.line)};
    if (withStatus)
        cells.append(reportStatusName(row.status));
    if (timed) {
        cells.append(optionalSeconds(row.seconds));
        cells.append(row.seconds ? formatReportShare(row.share) : QStringLiteral("–"));
    }
    return cells;
}

void appendHeadline(QString &out, const ReportData &data)
{
    const ReportHeadline &h = data.headline;
    const QString estimated =
        h.estimatedTimes ? QStringLiteral(" (estimated from the log order)") : QString();
    appendHeader(out, {QStringLiteral("Figure"), QStringLiteral("Value")}, QStringLiteral("lr"));
    appendRow(
        out, {QStringLiteral("Wall time"), QStringLiteral("**%1**").arg(formatDuration(h.wallSeconds))});
    appendRow(out, {QStringLiteral("Summed step time"), formatDuration(h.summedSeconds)});
    appendRow(out, {QStringLiteral("Critical path"), formatDuration(h.criticalSeconds) + estimated});
    appendRow(out,
        {QStringLiteral("Cache hits"),
            QStringLiteral("%1 (%2 of %3 Dockerfile steps cached)")
                .arg(formatReportShare(h.cacheHitRatio))
                .arg(h.cachedSteps)
                .arg(h.cachedSteps + h.ranSteps)});
    appendRow(out,
        {QStringLiteral("Dockerfile steps"),
            QStringLiteral("%1: %2 ran, %3 cached, %4 failed")
                .arg(h.steps)
                .arg(h.ranSteps)
                .arg(h.cachedSteps)
                .arg(h.failedSteps)});
    appendRow(out, {QStringLiteral("BuildKit's own vertices"), QString::number(h.internalSteps)});
    if (!h.failedStep.isEmpty())
        appendRow(out, {QStringLiteral("Failed step"), markdownEscape(h.failedStep)});
    out += QLatin1Char('\n');

    if (!data.categories.isEmpty()) {
        QStringList names;
        QStringList values;
        QString alignment;
        for (const ReportCategory &category : data.categories) {
            names.append(markdownEscape(category.name));
            values.append(markdownEscape(category.text()));
            alignment += QLatin1Char('r');
        }
        out += QLatin1String("Time per category:\n\n");
        appendHeader(out, names, alignment);
        appendRow(out, values);
        out += QLatin1Char('\n');
    }
}

// Each advice as a row, then its patch folded away (a CI comment opens on the table).
void appendAdvice(QString &out, const QList<Advice> &advice)
{
    out += QLatin1String("### Advice\n\n");
    if (advice.isEmpty()) {
        out += QLatin1String("No cache advice: every rule either does not apply or is already followed.\n\n");
        return;
    }
    appendHeader(out,
        {QStringLiteral("Saves"), QStringLiteral("Line"), QStringLiteral("Finding"),
            QStringLiteral("Measured on")},
        QStringLiteral("rrll"));
    for (const Advice &a : advice) {
        QString saves = savesText(a);
        if (!a.whatifArgs.isEmpty())
            saves += QStringLiteral(" (%1 → %2 steps)").arg(a.stepsNow).arg(a.stepsAfter);
        appendRow(out, {saves, QString::number(a.line), a.title, a.change});
    }
    out += QLatin1Char('\n');
    for (const Advice &a : advice) {
        if (a.patch.isEmpty())
            continue;
        out += QStringLiteral(
            "<details><summary>Line %1: %2</summary>\n\n%3\n\n```diff\n%4```\n\n</details>\n\n")
                   .arg(a.line)
                   .arg(markdownEscape(a.title), a.detail, a.patch);
    }
}

void appendWhatIf(QString &out, const ReportWhatIf &whatIf)
{
    int rerun = 0;
    int maybe = 0;
    for (const ReportWhatIfStep &step : whatIf.steps) {
        rerun += step.verdict == Verdict::Rerun;
        maybe += step.verdict == Verdict::Maybe;
    }
    out += QLatin1String("### What-if prediction\n\n");
    QStringList changes;
    for (const QString &change : whatIf.changes)
        changes.append(markdownEscape(change));
    out += QStringLiteral("Changed: %1\n\n")
               .arg(changes.isEmpty() ? QStringLiteral("nothing") : changes.join(QLatin1String(", ")));
    out += QStringLiteral("**%1 steps re-run** (%2), %3 may re-run (%4), %5 stay cached.\n\n")
               .arg(rerun)
               .arg(optionalSeconds(whatIf.rerunSeconds))
               .arg(maybe)
               .arg(optionalSeconds(whatIf.maybeSeconds))
               .arg(whatIf.steps.size() - rerun - maybe);
    bool header = false;
    for (const ReportWhatIfStep &step : whatIf.steps) {
        if (step.verdict == Verdict::Cached)
            continue;
        if (!header) {
            appendHeader(out,
                {QStringLiteral("Step"), QStringLiteral("Line"), QStringLiteral("Verdict"),
                    QStringLiteral("Time"), QStringLiteral("Reason")},
                QStringLiteral("lrlrl"));
            header = true;
        }
        appendRow(out,
            {markdownEscape(cut(step.label, MarkdownLabelLimit)), lineText(step.line),
                verdictName(step.verdict), optionalSeconds(step.seconds),
                markdownEscape(cut(step.reason, MarkdownLabelLimit))});
    }
    out += QLatin1Char('\n');
}

void appendComparison(QString &out, const QList<ReportBuildRow> &rows)
{
    out += QLatin1String("### Builds compared\n\n");
    appendHeader(out,
        {QStringLiteral("#"), QStringLiteral("Build"), QStringLiteral("Wall time"), QStringLiteral("Change"),
            QStringLiteral("Dockerfile steps"), QStringLiteral("Ran"), QStringLiteral("Cached"),
            QStringLiteral("Failed"), QStringLiteral("Cache hits")},
        QStringLiteral("rlrrrrrrr"));
    for (const ReportBuildRow &row : rows) {
        const QString name = markdownEscape(row.name());
        appendRow(out,
            {QString::number(row.number), row.selected ? QStringLiteral("**%1**").arg(name) : name,
                formatDuration(row.wallSeconds), markdownEscape(row.deltaText()), QString::number(row.steps),
                QString::number(row.ranSteps), QString::number(row.cachedSteps),
                QString::number(row.failedSteps), formatReportShare(row.cacheHitRate)});
    }
    out += QLatin1String("\nChange: wall time against the build above.\n\n");
}

} // namespace

QString markdownEscape(const QString &text)
{
    static const QString special = QStringLiteral("\\`*_[]<>|~&#!$");
    QString out;
    out.reserve(text.size() + 8);
    for (const QChar c : text) {
        if (c == QLatin1Char('\n') || c == QLatin1Char('\r') || c == QLatin1Char('\t'))
            out += QLatin1Char(' ');
        else if (special.contains(c))
            out += QLatin1Char('\\') + c;
        else
            out += c;
    }
    return out;
}

QString reportToMarkdown(const ReportData &data)
{
    QString out;
    out += QLatin1String("## ") + markdownEscape(data.title) + QLatin1String("\n\n");

    QStringList facts;
    facts.append(
        QStringLiteral("Dockerfile: %1")
            .arg(markdownEscape(data.dockerfile.isEmpty() ? reportDockerfileText(data)
                                                          : displayPath(data.dockerfile, data.project))));
    facts.append(QStringLiteral("target: **%1**").arg(markdownEscape(data.target)));
    if (data.hasBuild) {
        QString build = QStringLiteral("build: %1").arg(markdownEscape(QFileInfo(data.logFile).fileName()));
        if (data.buildIndex > 0)
            build += QStringLiteral(" (build %1)").arg(data.buildIndex + 1);
        if (data.buildStart)
            build +=
                QStringLiteral(", started %1 UTC").arg(data.buildStart->toString(Qt::ISODate).chopped(1));
        facts.append(build);
    } else {
        facts.append(QStringLiteral("no build log: steps are listed without times"));
    }
    out += facts.join(QStringLiteral(" · ")) + QLatin1String("\n\n");

    if (data.hasBuild) {
        if (!data.buildError.isEmpty())
            out +=
                QStringLiteral("> **Build failed:** %1\n\n").arg(markdownEscape(cut(data.buildError, 300)));
        // The excerpt as BuildKit printed it: a fence keeps its "|" column and ">>>" marks.
        if (!data.buildErrorContext.isEmpty())
            out += QLatin1String("```\n")
                + QString(data.buildErrorContext).replace(QLatin1String("```"), QLatin1String("'''"))
                + QLatin1String("\n```\n\n");
        appendHeadline(out, data);
    }

    if (!data.topMisses.isEmpty()) {
        out += QLatin1String("### Top cache misses\n\n");
        appendHeader(out,
            {QStringLiteral("Step"), QStringLiteral("Stage"), QStringLiteral("Line"), QStringLiteral("Time"),
                QStringLiteral("Share")},
            QStringLiteral("llrrr"));
        for (const ReportStepRow &row : data.topMisses)
            appendRow(out, stepCells(row, false, true));
        out += QLatin1Char('\n');
    }

    if (data.whatIf)
        appendWhatIf(out, *data.whatIf);
    if (!data.comparison.isEmpty())
        appendComparison(out, data.comparison);
    if (data.whyChanged)
        out += compareToMarkdown(*data.whyChanged, data.whyBefore, data.whyAfter) + QLatin1Char('\n');
    if (data.adviceAsked)
        appendAdvice(out, data.advice);

    // The full table is folded away: a CI summary should open on the figures, not 200 rows.
    out += QStringLiteral("<details><summary>All %1 steps%2</summary>\n\n")
               .arg(data.steps.size())
               .arg(data.hasBuild ? QStringLiteral(", slowest first") : QString());
    QStringList names {
        QStringLiteral("Step"), QStringLiteral("Stage"), QStringLiteral("Line"), QStringLiteral("Status")};
    if (data.hasBuild)
        names << QStringLiteral("Time") << QStringLiteral("Share");
    appendHeader(out, names, QStringLiteral("llrlrr"));
    for (int i = 0; i < data.steps.size() && i < MarkdownStepRowLimit; ++i)
        appendRow(out, stepCells(data.steps.at(i), true, data.hasBuild));
    if (data.steps.size() > MarkdownStepRowLimit)
        out += QStringLiteral("\n… and %1 more steps.\n").arg(data.steps.size() - MarkdownStepRowLimit);
    out += QLatin1String("\n</details>\n");

    // Errors only: warnings would crowd a CI summary, and the PDF lists them all.
    int errors = 0;
    for (const Diagnostic &d : data.diagnostics) {
        if (d.severity != Severity::Error)
            continue;
        if (errors == 0)
            out += QLatin1String("\n### Errors in the inputs\n\n");
        if (++errors > 10) {
            out += QLatin1String("- …\n");
            break;
        }
        out += QStringLiteral("- %1:%2: %3\n")
                   .arg(markdownEscape(QFileInfo(d.file).fileName()))
                   .arg(d.line)
                   .arg(markdownEscape(d.message));
    }
    return out;
}

} // namespace Stagelens
