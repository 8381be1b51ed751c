#include "advice.h"
#include "advicerules.h"
#include "model/analysis/buildanalysis.h"
#include "model/buildlog/buildlogreader.h"
#include "model/core/duration.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

#include <algorithm>

namespace Stagelens {

// ---- RuleContext ------------------------------------------------------------------------------------------

RuleContext::RuleContext(const AdviceInput &in)
    : input(in)
    , graph(in.graph)
    , lines(splitLines(in.dockerfileText))
    , engine(in.graph, in.context)
{
    engine.setStepSeconds(in.stepSeconds);
    dockerfileName = QFileInfo(in.dockerfilePath).fileName();
    if (in.context) {
        bool inside = false;
        const QString rel = ContextIndex::relativePath(
            QFileInfo(in.dockerfilePath).absoluteFilePath(), in.context->rootPath(), &inside);
        if (inside && !rel.isEmpty())
            dockerfileName = rel;
    }
    if (dockerfileName.isEmpty())
        dockerfileName = QStringLiteral("Dockerfile");
}

QStringList RuleContext::stepLines(const Step &step) const
{
    QStringList out;
    for (int l = step.line; l <= std::max(step.line, step.endLine) && l <= lines.size(); ++l)
        out.append(lines.at(l - 1));
    return out;
}

static const BuildVertex *vertexOf(const RuleContext &ctx, StepRef ref)
{
    const AdviceInput &in = ctx.input;
    if (!in.run || !in.analysis || ref.stage >= in.analysis->steps.size()
        || ref.step >= in.analysis->steps.at(ref.stage).size())
        return nullptr;
    const int v = in.analysis->steps.at(ref.stage).at(ref.step).vertex;
    return v >= 0 && v < in.run->vertices.size() ? &in.run->vertices.at(v) : nullptr;
}

bool RuleContext::ranInBuild(StepRef ref) const
{
    const BuildVertex *v = vertexOf(*this, ref);
    return v && v->status == VertexStatus::Done;
}

QString RuleContext::stepOutput(StepRef ref) const
{
    const BuildVertex *v = vertexOf(*this, ref);
    if (!v || (v->logLines == 0 && v->output.isEmpty()))
        return {};
    return readVertexOutput(input.runPath, *input.run, *v);
}

std::optional<double> RuleContext::seconds(StepRef ref) const
{
    const auto it = input.stepSeconds.constFind(ref);
    if (it == input.stepSeconds.cend())
        return std::nullopt;
    return *it;
}

QString RuleContext::timeEvidence(StepRef ref) const
{
    const Step *step = graph.step(ref);
    const std::optional<double> s = seconds(ref);
    if (!step || !s)
        return {};
    QString label = step->label.simplified();
    if (label.size() > 90)
        label = label.left(87) + QStringLiteral("...");
    return QStringLiteral("%1 (line %2) took %3 when it last ran")
        .arg(label)
        .arg(step->line)
        .arg(formatDuration(*s));
}

bool RuleContext::fromCi() const
{
    return input.run && input.run->wrapper != CiWrapper::None;
}

bool RuleContext::inContext(const QString &path) const
{
    const ContextIndex *c = context();
    if (!c)
        return false;
    const int i = c->indexOf(path);
    return i >= 0 && !c->entries().at(i).ignored;
}

QByteArray RuleContext::readContextFile(const QString &path) const
{
    const ContextIndex *c = context();
    if (!c || c->indexOf(path) < 0)
        return {};
    QFile file(c->rootPath() + QLatin1Char('/') + path);
    if (file.size() > (1 << 20) || !file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

QStringList RuleContext::filesRead(StepRef ref) const
{
    QStringList out;
    const ContextIndex *c = context();
    if (!c)
        return out;
    for (int e : engine.contextReads(ref)) {
        if (c->entries().at(e).type == EntryType::File)
            out.append(c->entries().at(e).path);
    }
    return out;
}

QString quoteCommand(const QString &command)
{
    QString c = command.simplified();
    c.remove(QStringLiteral("\\ "));
    if (c.size() > 60)
        c = c.left(57) + QStringLiteral("...");
    return QStringLiteral("`%1`").arg(c);
}

// ---- Checking a proposal ----------------------------------------------------------------------------------

namespace {

int errorCount(const QList<Diagnostic> &diagnostics)
{
    return int(std::count_if(diagnostics.cbegin(), diagnostics.cend(),
        [](const Diagnostic &d) { return d.severity == Severity::Error; }));
}

// The seconds a what-if answer re-runs, as `stagelens whatif` gives them: null without times or when no
// re-run step has one; otherwise the sum of the known ones, with the untimed steps counted beside it
// (stepsNowUntimed) so the figure is never read as whole when it is not.
std::optional<double> rerunSeconds(const WhatIfResult &r)
{
    if (r.count(Verdict::Rerun) == 0)
        return 0.0; // nothing re-runs: no time, known without a log
    if (!r.timed || r.rerunUnknown == r.count(Verdict::Rerun))
        return std::nullopt;
    return r.rerunSeconds;
}

QSet<int> readsOf(const CacheEngine &engine, const BuildGraph &graph)
{
    QSet<int> reads;
    for (const StepRef ref : graph.neededVertices()) {
        for (int e : engine.contextReads(ref))
            reads.insert(e);
    }
    return reads;
}

WhatIfChanges mapLines(WhatIfChanges change, const EditedText &edited)
{
    for (int &line : change.lines) {
        if (line > 0 && line <= edited.newLineOf.size() && edited.newLineOf.at(line - 1) > 0)
            line = edited.newLineOf.at(line - 1);
    }
    return change;
}

struct Checked
{
    std::optional<Advice> advice;
    QString why; ///< when dropped
};

Checked check(const RuleContext &ctx, const Proposal &p)
{
    const AdviceInput &in = ctx.input;
    const BuildGraph &before = ctx.graph;
    Checked out;
    auto drop = [&](const QString &why) {
        out.why = QStringLiteral("%1 (line %2): %3").arg(p.rule).arg(p.line).arg(why);
        return out;
    };

    // The rewritten Dockerfile.
    EditedText edited;
    BuildGraph after;
    if (p.dockerfileEdits.isEmpty()) {
        edited = applyEdits(in.dockerfileText, {});
        after = before;
    } else {
        edited = applyEdits(in.dockerfileText, p.dockerfileEdits);
        after = buildGraph(edited.text, before.file, in.options);
    }
    if (errorCount(after.diagnostics) > errorCount(before.diagnostics))
        return drop(QStringLiteral("the rewrite does not parse"));
    if (after.target != before.target)
        return drop(QStringLiteral("the rewrite changes the target"));

    // Every needed stage, and every needed step with the same instruction (text unchanged unless the
    // rewrite edited that step's lines).
    QSet<int> editedLines;
    for (const LineEdit &e : p.dockerfileEdits) {
        for (int l = e.first; l <= e.last; ++l)
            editedLines.insert(l);
    }
    for (const LineEdit &e : p.dockerfileEdits) {
        for (int k = 0; k < e.origins.size() && k < e.lines.size(); ++k) {
            const int o = e.origins.at(k);
            if (o > 0 && o <= ctx.lines.size() && e.lines.at(k) == ctx.lines.at(o - 1))
                editedLines.remove(o); // moved as is: its step's text must not change
        }
    }
    for (const Stage &stage : before.stages) {
        if (!stage.needed)
            continue;
        if (stage.index >= after.stages.size() || !after.stages.at(stage.index).needed
            || after.stages.at(stage.index).token() != stage.token())
            return drop(QStringLiteral("the rewrite loses stage %1").arg(stage.token()));
        for (const Step &step : stage.steps) {
            if (!step.isVertex() || p.removableLines.contains(step.line))
                continue;
            const int newLine = step.line <= edited.newLineOf.size() ? edited.newLineOf.at(step.line - 1) : 0;
            const StepRef ref = newLine > 0 ? after.stepAtLine(newLine) : StepRef {};
            const Step *moved = after.step(ref);
            if (!moved || ref.stage != stage.index || !moved->isVertex() || moved->keyword != step.keyword)
                return drop(QStringLiteral("the rewrite loses %1").arg(step.label));
            if (!editedLines.contains(step.line) && moved->text != step.text)
                return drop(QStringLiteral("the rewrite changes %1").arg(step.label));
        }
    }

    // The context as rewritten, and every file the target reads still read (unless the new ignore
    // patterns leave it out on purpose).
    std::shared_ptr<const ContextIndex> contextAfter = in.context;
    if (!p.ignoreAdd.isEmpty() && in.context)
        contextAfter = std::make_shared<ContextIndex>(in.context->withExtraIgnores(p.ignoreAdd));
    CacheEngine engineAfter(after, contextAfter);
    if (in.context) {
        const QSet<int> readBefore = readsOf(ctx.engine, before);
        const QSet<int> readAfter = readsOf(engineAfter, after);
        for (int e : readBefore) {
            if (!readAfter.contains(e) && !contextAfter->entries().at(e).ignored)
                return drop(
                    QStringLiteral("the rewrite no longer sends %1").arg(in.context->entries().at(e).path));
        }
    }

    // The step times follow their lines into the rewritten Dockerfile.
    QHash<StepRef, double> secondsAfter;
    for (const StepRef ref : after.neededVertices()) {
        const Step *step = after.step(ref);
        const int origin = step->line <= edited.origin.size() ? edited.origin.at(step->line - 1) : 0;
        const StepRef old = origin > 0 ? before.stepAtLine(origin) : StepRef {};
        const Step *oldStep = before.step(old);
        if (oldStep && oldStep->keyword == step->keyword && in.stepSeconds.contains(old))
            secondsAfter.insert(ref, in.stepSeconds.value(old));
    }
    engineAfter.setStepSeconds(secondsAfter);

    Advice a;
    a.rule = p.rule;
    a.line = p.line;
    a.lines = p.lines.isEmpty() ? QList<int> {p.line} : p.lines;
    a.title = p.title;
    a.detail = p.detail;
    a.change = p.changeText;
    a.whatifArgs = p.whatifArgs;
    a.changes = p.change;
    a.evidence = p.evidence;
    if (!p.correctness) {
        const WhatIfResult now = ctx.engine.whatIf(p.change);
        const WhatIfResult then =
            engineAfter.whatIf(p.changeGoesAway ? WhatIfChanges {} : mapLines(p.change, edited));
        a.stepsNow = now.count(Verdict::Rerun);
        a.stepsAfter = then.count(Verdict::Rerun);
        a.secondsNow = rerunSeconds(now);
        a.secondsAfter = rerunSeconds(then);
        a.untimedNow = a.secondsNow ? now.rerunUnknown : 0;
        a.untimedAfter = a.secondsAfter ? then.rerunUnknown : 0;
        // By line, not label: the rewrite renumbers the k/n of the labels.
        QSet<int> stillRun;
        for (const StepVerdict &v : then.steps) {
            if (v.verdict == Verdict::Rerun)
                stillRun.insert(v.line);
        }
        for (const StepVerdict &v : now.steps) {
            const int moved =
                v.line > 0 && v.line <= edited.newLineOf.size() ? edited.newLineOf.at(v.line - 1) : 0;
            if (v.verdict == Verdict::Rerun && moved > 0 && !stillRun.contains(moved))
                a.stepsSaved.append(v.label);
        }
        if (p.cheaperRerun) {
            if (a.stepsAfter > a.stepsNow)
                return drop(QStringLiteral("the rewrite re-runs more steps"));
            a.secondsAfter = a.secondsNow && p.measuredSaving
                ? std::optional<double>(std::max(0.0, *a.secondsNow - *p.measuredSaving))
                : std::nullopt;
        } else {
            const bool fewer = a.stepsAfter < a.stepsNow;
            const bool faster = a.secondsNow && a.secondsAfter && *a.secondsAfter < *a.secondsNow;
            if (!fewer && !faster)
                return drop(QStringLiteral("the what-if engine finds no saving (%1 steps now, %2 after)")
                                .arg(a.stepsNow)
                                .arg(a.stepsAfter));
            if (a.stepsAfter > a.stepsNow)
                return drop(QStringLiteral("the rewrite re-runs more steps"));
        }
    }

    // The patch, and the rewritten files for the GUI's "save as".
    if (!p.dockerfileEdits.isEmpty()) {
        a.patch = unifiedDiff(ctx.dockerfileName, in.dockerfileText, p.dockerfileEdits);
        a.dockerfileAfter = edited.text;
    }
    if (!p.ignoreAdd.isEmpty() && in.context) {
        const QString root = in.context->rootPath();
        QString ignorePath = in.context->ignoreFile();
        const bool created = ignorePath.isEmpty();
        QByteArray text;
        if (created) {
            ignorePath = root + QStringLiteral("/.dockerignore");
        } else {
            QFile f(ignorePath);
            if (f.size() <= (4 << 20) && f.open(QIODevice::ReadOnly))
                text = f.readAll();
        }
        a.ignoreFile = QDir(root).relativeFilePath(ignorePath);
        const int count = int(splitLines(text).size());
        const LineEdit append {count + 1, count, p.ignoreAdd, {}};
        a.patch += unifiedDiff(a.ignoreFile, text, {append}, created);
        a.ignoreAfter = applyEdits(text, {append}).text;
    }
    out.advice = a;
    return out;
}

} // namespace

std::optional<double> Advice::secondsSaved() const
{
    // The untimed steps must be the same ones on both sides for the difference to be exact: the rewrite
    // only takes steps away, so equal counts mean the same steps.
    if (!secondsNow || !secondsAfter || untimedNow != untimedAfter)
        return std::nullopt;
    return *secondsNow - *secondsAfter;
}

AdviceResult adviseOn(const AdviceInput &input)
{
    AdviceResult result;
    const RuleContext ctx(input);
    QList<Proposal> proposals;
    adviseInstallAfterBroadCopy(ctx, &proposals, &result.notes);
    adviseContextNotIgnored(ctx, &proposals, &result.notes);
    adviseNoCacheMount(ctx, &proposals, &result.notes);
    adviseCopyInsteadOfBind(ctx, &proposals, &result.notes);
    adviseEarlyArg(ctx, &proposals, &result.notes);
    adviseCopyLink(ctx, &proposals, &result.notes);
    adviseUnpinnedBase(ctx, &proposals, &result.notes);
    adviseAptUpdateAlone(ctx, &proposals, &result.notes);
    for (const Proposal &p : std::as_const(proposals)) {
        Checked c = check(ctx, p);
        if (c.advice)
            result.advice.append(std::move(*c.advice));
        else
            result.dropped.append(c.why);
    }
    // Ranked by seconds saved (unknown last), then by steps saved, then by line.
    std::stable_sort(result.advice.begin(), result.advice.end(), [](const Advice &a, const Advice &b) {
        const auto sa = a.secondsSaved();
        const auto sb = b.secondsSaved();
        if (sa.has_value() != sb.has_value())
            return sa.has_value();
        if (sa && sb && *sa != *sb)
            return *sa > *sb;
        const int da = a.stepsNow - a.stepsAfter;
        const int db = b.stepsNow - b.stepsAfter;
        if (da != db)
            return da > db;
        return a.line < b.line;
    });
    return result;
}

QString savesText(const Advice &a)
{
    if (a.whatifArgs.isEmpty() && a.stepsNow == 0)
        return QStringLiteral("correctness");
    if (const auto saved = a.secondsSaved(); saved && *saved > 0)
        return formatDuration(*saved);
    if (a.stepsAfter < a.stepsNow) {
        const int n = a.stepsNow - a.stepsAfter;
        return n == 1 ? QStringLiteral("1 fewer re-run") : QStringLiteral("%1 fewer re-runs").arg(n);
    }
    return QStringLiteral("faster re-runs");
}

QJsonObject toJson(const AdviceResult &result)
{
    auto figure = [](const std::optional<double> &s) {
        return s ? QJsonValue(*s) : QJsonValue();
    };
    QJsonArray list;
    for (const Advice &a : result.advice) {
        QJsonObject o;
        o.insert(QStringLiteral("rule"), a.rule);
        o.insert(QStringLiteral("line"), a.line);
        QJsonArray lines;
        for (int l : a.lines)
            lines.append(l);
        o.insert(QStringLiteral("lines"), lines);
        o.insert(QStringLiteral("title"), a.title);
        o.insert(QStringLiteral("detail"), a.detail);
        o.insert(QStringLiteral("patch"), a.patch);
        o.insert(QStringLiteral("change"), a.change);
        o.insert(QStringLiteral("whatif_args"), QJsonArray::fromStringList(a.whatifArgs));
        o.insert(QStringLiteral("steps_now"), a.stepsNow);
        o.insert(QStringLiteral("steps_after"), a.stepsAfter);
        o.insert(QStringLiteral("seconds_now"), figure(a.secondsNow));
        o.insert(QStringLiteral("seconds_after"), figure(a.secondsAfter));
        o.insert(QStringLiteral("seconds_saved"), figure(a.secondsSaved()));
        o.insert(QStringLiteral("untimed_steps_now"), a.untimedNow);
        o.insert(QStringLiteral("untimed_steps_after"), a.untimedAfter);
        o.insert(QStringLiteral("evidence"), QJsonArray::fromStringList(a.evidence));
        o.insert(QStringLiteral("steps_saved"), QJsonArray::fromStringList(a.stepsSaved));
        o.insert(
            QStringLiteral("ignore_file"), a.ignoreFile.isEmpty() ? QJsonValue() : QJsonValue(a.ignoreFile));
        list.append(o);
    }
    QJsonArray notes;
    for (const AdviceNote &n : result.notes) {
        QJsonObject o;
        o.insert(QStringLiteral("rule"), n.rule);
        o.insert(QStringLiteral("line"), n.line);
        o.insert(QStringLiteral("detail"), n.detail);
        notes.append(o);
    }
    QJsonObject doc;
    doc.insert(QStringLiteral("advice"), list);
    doc.insert(QStringLiteral("notes"), notes);
    return doc;
}

} // namespace Stagelens
