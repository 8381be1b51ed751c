#include "buildcompare.h"

#include "model/analysis/buildsummary.h"
#include "model/buildlog/vertexorder.h"
#include "model/context/sourcematcher.h"
#include "model/core/duration.h"

#include <QHash>
#include <QJsonArray>
#include <QSet>

#include <algorithm>

namespace Stagelens {

namespace {

bool isDockerfileStep(const BuildVertex &v)
{
    return v.label.step > 0 && !v.label.internal;
}

// The step's identity across builds: its stage (with bake target and platform) and position.
QString stepKey(const VertexLabel &label)
{
    return label.platform + QLatin1Char('|') + label.target + QLatin1Char('|') + label.stage
        + QLatin1Char('|') + QString::number(label.step);
}

bool ran(VertexStatus s)
{
    return s == VertexStatus::Done || s == VertexStatus::Error;
}

// The summary's definition of a vertex's time; a cached vertex did no work, so it has none.
std::optional<double> secondsOf(const BuildVertex &v)
{
    return v.status == VertexStatus::Cached ? std::nullopt : vertexDuration(v);
}

// The sources of a COPY/ADD as its label shows them: the words after the options, the last one (the
// destination) left out. Heredocs and JSON forms give words that match nothing, which is safe.
CopySpec copySpecOf(const VertexLabel &label)
{
    CopySpec spec;
    const QStringList words = label.text.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    QStringList args;
    for (int i = 1; i < words.size(); ++i) {
        const QString &w = words[i];
        if (args.isEmpty() && w.startsWith(QLatin1String("--"))) {
            if (w.startsWith(QLatin1String("--exclude=")))
                spec.excludes.append(w.mid(10));
            if (w == QLatin1String("--parents") || w == QLatin1String("--parents=true"))
                spec.parents = true;
            continue;
        }
        args.append(w);
    }
    if (args.size() >= 2) {
        args.removeLast();
        spec.sources = args;
    }
    return spec;
}

// The stages a step reads (COPY --from, --mount from=), from its label's options.
QList<QStringView> stagesRead(const VertexLabel &label)
{
    QList<QStringView> from;
    const QStringView text(label.text);
    sourceStages(text.startsWith(label.instruction) ? text.mid(label.instruction.size()) : text, &from);
    return from;
}

bool readsContext(const VertexLabel &label)
{
    if (label.instruction != QLatin1String("COPY") && label.instruction != QLatin1String("ADD"))
        return false;
    return stagesRead(label).isEmpty();
}

// The words of `after` that are not in `before`, and the reverse: "1.0" -> "1.1" for an expanded ARG.
QPair<QString, QString> wordDifference(const QString &before, const QString &after)
{
    const QStringList a = before.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    const QStringList b = after.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    QStringList onlyA, onlyB;
    for (int i = 0; i < std::max(a.size(), b.size()); ++i) {
        const QString x = a.value(i), y = b.value(i);
        if (x != y) {
            if (!x.isEmpty())
                onlyA.append(x);
            if (!y.isEmpty())
                onlyB.append(y);
        }
    }
    return {onlyA.join(QLatin1Char(' ')), onlyB.join(QLatin1Char(' '))};
}

} // namespace

CompareResult compareBuilds(const BuildRun &before, const BuildRun &after, const CompareContext &context)
{
    CompareResult result;
    // The wall times every view shows (BuildSummary): unknown stays unknown, never 0.
    result.beforeSeconds = summarizeBuild(before).wallSeconds;
    result.afterSeconds = summarizeBuild(after).wallSeconds;
    if (result.beforeSeconds && result.afterSeconds)
        result.deltaSeconds = *result.afterSeconds - *result.beforeSeconds;

    QHash<QString, int> beforeByKey;
    QHash<QString, int> beforeFromByText;
    for (int i = 0; i < before.vertices.size(); ++i) {
        const BuildVertex &v = before.vertices[i];
        if (!isDockerfileStep(v))
            continue;
        beforeByKey.insert(stepKey(v.label), i);
        if (v.label.instruction == QLatin1String("FROM") && !beforeFromByText.contains(v.label.text))
            beforeFromByText.insert(v.label.text, i);
    }
    QSet<QString> afterFromTexts;
    for (const BuildVertex &v : after.vertices) {
        if (isDockerfileStep(v) && v.label.instruction == QLatin1String("FROM"))
            afterFromTexts.insert(v.label.text);
    }
    // AFTER's steps in stage order, each stage's steps by position: a chain is read front to back.
    QList<int> order;
    QHash<QString, int> stageOrder;
    for (int i = 0; i < after.vertices.size(); ++i) {
        const BuildVertex &v = after.vertices[i];
        if (!isDockerfileStep(v))
            continue;
        if (!stageOrder.contains(v.label.stage))
            stageOrder.insert(v.label.stage, int(stageOrder.size()));
        order.append(i);
    }
    // A stage is read after the stages it builds on (FROM, from the Dockerfile) and reads from (COPY
    // --from, --mount from=, from its labels): their misses decide whether its own are roots.
    QHash<QString, QSet<QString>> inputs;
    for (int i : std::as_const(order)) {
        const VertexLabel &l = after.vertices[i].label;
        const QList<QStringView> sources = stagesRead(l);
        for (QStringView source : sources)
            inputs[l.stage].insert(source.toString());
    }
    for (auto it = context.stageParents.cbegin(); it != context.stageParents.cend(); ++it)
        inputs[it.key()].insert(it.value());
    QHash<QString, int> rank;
    for (int round = 0; round <= stageOrder.size(); ++round) { // a cycle (invalid input) stops here
        bool changed = false;
        for (auto it = stageOrder.cbegin(); it != stageOrder.cend(); ++it) {
            int r = 0;
            for (const QString &input : inputs.value(it.key()))
                r = std::max(r, rank.value(input, 0) + 1);
            if (r != rank.value(it.key(), 0)) {
                rank.insert(it.key(), r);
                changed = true;
            }
        }
        if (!changed)
            break;
    }
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        const VertexLabel &la = after.vertices[a].label, &lb = after.vertices[b].label;
        if (la.stage != lb.stage) {
            const int ra = rank.value(la.stage), rb = rank.value(lb.stage);
            if (ra != rb)
                return ra < rb;
            return stageOrder.value(la.stage) < stageOrder.value(lb.stage);
        }
        return la.step < lb.step;
    });

    // Whole-build facts used for causes.
    bool everyStepRan = true; // FROM and WORKDIR aside: BuildKit keeps those even with --no-cache
    for (int i : std::as_const(order)) {
        const VertexLabel &l = after.vertices[i].label;
        if (l.instruction != QLatin1String("FROM") && l.instruction != QLatin1String("WORKDIR")
            && !ran(after.vertices[i].status))
            everyStepRan = false;
    }
    const bool noCacheRequested = after.record
        && (after.record->frontendAttrs.contains(QStringLiteral("no-cache"))
            || after.record->frontendAttrs.value(QStringLiteral("no-cache")) == QLatin1String(""));
    QStringList argChanges;
    if (before.record && after.record) {
        QSet<QString> names;
        for (auto it = before.record->buildArgs.cbegin(); it != before.record->buildArgs.cend(); ++it)
            names.insert(it.key());
        for (auto it = after.record->buildArgs.cbegin(); it != after.record->buildArgs.cend(); ++it)
            names.insert(it.key());
        QStringList sorted(names.begin(), names.end());
        sorted.sort();
        for (const QString &name : sorted) {
            const QString a = before.record->buildArgs.value(name), b = after.record->buildArgs.value(name);
            if (a != b)
                argChanges.append(QStringLiteral("%1: %2 -> %3")
                                      .arg(name, a.isEmpty() ? QStringLiteral("(unset)") : a,
                                          b.isEmpty() ? QStringLiteral("(unset)") : b));
        }
    }
    bool importedCache = false;
    for (const BuildVertex &v : after.vertices)
        importedCache = importedCache || v.name.contains(QLatin1String("importing cache manifest"));

    QHash<QString, QString> chainRoot; // stage token -> the root its chain follows (a miss so far)
    QSet<QString> matchedBefore;
    for (int i : std::as_const(order)) {
        const BuildVertex &v = after.vertices[i];
        const QString key = stepKey(v.label);
        ComparedStep step;
        step.label = v.name;
        step.after = v.status;
        step.afterSeconds = secondsOf(v);
        int b = beforeByKey.value(key, -1);
        // BuildKit prints a FROM that several stages share once, under whichever stage got there first: the
        // same image under another stage's name is the same step.
        if (b < 0 && v.label.instruction == QLatin1String("FROM"))
            b = beforeFromByText.value(v.label.text, -1);
        const BuildVertex *bv = b >= 0 ? &before.vertices[b] : nullptr;
        if (bv) {
            matchedBefore.insert(stepKey(bv->label));
            step.before = bv->status;
            step.beforeSeconds = secondsOf(*bv);
            if (bv->label.text != v.label.text)
                step.beforeLabel = bv->name;
        }
        // The chain this step is in: its stage's, or inherited from the stage it is built FROM.
        QString inherited = chainRoot.value(v.label.stage);
        for (QString s = context.stageParents.value(v.label.stage); inherited.isEmpty() && !s.isEmpty();
             s = context.stageParents.value(s)) {
            inherited = chainRoot.value(s);
            if (s == v.label.stage)
                break;
        }

        if (!bv) {
            step.change = StepChange::Added;
        } else if (v.label.instruction == QLatin1String("FROM")) {
            // FROM is a no-op either way; only the image it resolved to matters.
            if (bv->label.text == v.label.text) {
                step.change = StepChange::Same;
            } else {
                step.change = StepChange::Missed;
                step.root = true;
                step.cause = MissCause {CauseKind::BaseImage,
                    QStringLiteral("the base image changed: %1 -> %2").arg(bv->label.text, v.label.text), {}};
                chainRoot.insert(v.label.stage, v.name);
            }
        } else if (v.status == VertexStatus::Cached) {
            step.change = ran(bv->status) ? StepChange::Hit : StepChange::Same;
        } else if (!ran(v.status)) {
            step.change = StepChange::Ran; // canceled or unfinished: nothing to say about the cache
        } else {
            step.change = StepChange::Missed;
            const QList<QStringView> sources = stagesRead(v.label);
            QString upstream;
            for (QStringView s : std::as_const(sources)) {
                QString root = chainRoot.value(s.toString());
                for (QString p = context.stageParents.value(s.toString()); root.isEmpty() && !p.isEmpty();
                     p = context.stageParents.value(p)) {
                    root = chainRoot.value(p);
                    if (p == s)
                        break;
                }
                if (!root.isEmpty()) {
                    upstream = root;
                    break;
                }
            }
            if (!inherited.isEmpty()) {
                step.follows = inherited;
            } else if (!upstream.isEmpty()) {
                // Not a root: its source stage produced new bytes, the root of that stage explains it.
                step.follows = upstream;
                step.cause = MissCause {CauseKind::Upstream,
                    QStringLiteral("reads a stage that produced new files (%1)").arg(upstream), {}};
                chainRoot.insert(v.label.stage, upstream);
            } else {
                step.root = true;
                chainRoot.insert(v.label.stage, v.name);
                MissCause cause;
                const bool instructionChanged = bv->label.text != v.label.text;
                const QStringList stageArgs = context.stageArgs.value(v.label.stage);
                if (instructionChanged && !argChanges.isEmpty() && !stageArgs.isEmpty()) {
                    cause = {CauseKind::BuildArg,
                        QStringLiteral("build args changed (%1)").arg(argChanges.join(QStringLiteral("; "))),
                        {}};
                } else if (instructionChanged) {
                    const auto [was, now] = wordDifference(bv->label.text, v.label.text);
                    // BuildKit prints the text with ARGs expanded: an unedited Dockerfile whose step text
                    // changed means a build arg the stage reads took another value.
                    if (context.dockerfileChanged == false && !stageArgs.isEmpty())
                        cause = {CauseKind::BuildArg,
                            QStringLiteral("a build arg the stage reads (%1) changed: %2 -> %3")
                                .arg(stageArgs.join(QStringLiteral(", ")), was, now),
                            {}};
                    else
                        cause = {CauseKind::Instruction,
                            stageArgs.isEmpty() || context.dockerfileChanged == true
                                ? QStringLiteral("the instruction changed: %1 -> %2").arg(was, now)
                                : QStringLiteral(
                                    "the instruction changed: %1 -> %2 (an edit, or a build arg of "
                                    "%3 it expands)")
                                      .arg(was, now, stageArgs.join(QStringLiteral(", "))),
                            {}};
                } else if (noCacheRequested) {
                    cause = {CauseKind::NoCache,
                        QStringLiteral("the build ran with --no-cache (the record says so)"), {}};
                } else if (readsContext(v.label)) {
                    if (context.changedFiles) {
                        const SourceMatcher matcher(copySpecOf(v.label));
                        QStringList files;
                        for (const QString &f : *context.changedFiles) {
                            if (matcher.reads(f, true))
                                files.append(f);
                        }
                        if (!files.isEmpty())
                            cause = {CauseKind::Files,
                                QStringLiteral("%1 changed")
                                    .arg(files.size() <= 3
                                            ? files.join(QStringLiteral(", "))
                                            : QStringLiteral("%1 files it copies").arg(files.size())),
                                files};
                        else if (everyStepRan)
                            cause = {CauseKind::NoCache,
                                QStringLiteral(
                                    "no file it copies changed between the revisions, and every step "
                                    "ran: the build ran with --no-cache"),
                                {}};
                        else
                            cause = {CauseKind::Files,
                                QStringLiteral(
                                    "no file it copies changed between the revisions (%1); its files "
                                    "differ in mode or content outside git's view")
                                    .arg(context.revisionsNote),
                                {}};
                    } else if (everyStepRan) {
                        cause = {CauseKind::NoCache,
                            QStringLiteral(
                                "every step ran but FROM and WORKDIR: the build ran with --no-cache "
                                "(or without any cache)"),
                            {}};
                    } else {
                        cause = {CauseKind::Files,
                            QStringLiteral("the files it copies from the build context changed (no revisions "
                                           "given to name them)"),
                            {}};
                    }
                } else if (!stageArgs.isEmpty() && v.label.instruction == QLatin1String("RUN")) {
                    cause = argChanges.isEmpty() ? MissCause {CauseKind::BuildArg,
                                QStringLiteral(
                                    "its text is unchanged, but the stage reads build args (%1): one of them "
                                    "changed, as plain logs do not record")
                                    .arg(stageArgs.join(QStringLiteral(", "))),
                                {}}
                                                 : MissCause {CauseKind::BuildArg,
                                                     QStringLiteral("build args changed (%1)")
                                                         .arg(argChanges.join(QStringLiteral("; "))),
                                                     {}};
                } else if (everyStepRan) {
                    cause = {CauseKind::NoCache,
                        QStringLiteral("every step ran but FROM and WORKDIR: the build ran with --no-cache"),
                        {}};
                } else if (v.label.instruction == QLatin1String("RUN")
                    || v.label.instruction == QLatin1String("WORKDIR")) {
                    cause = {CauseKind::CacheUnavailable,
                        importedCache
                            ? QStringLiteral("nothing it reads changed, yet it missed: the imported cache "
                                             "did not hold it (mode=min leaves intermediate stages out)")
                            : QStringLiteral("nothing it reads changed, yet it missed: no cache was imported "
                                             "(no 'importing cache manifest' line); a new runner or an "
                                             "evicted cache"),
                        {}};
                } else {
                    cause = {CauseKind::Unknown,
                        QStringLiteral("checked: instruction text, build args, base image, upstream stages"),
                        {}};
                }
                step.cause = cause;
            }
        }
        result.steps.append(step);
    }
    for (const BuildVertex &v : before.vertices) {
        if (!isDockerfileStep(v) || matchedBefore.contains(stepKey(v.label)))
            continue;
        if (v.label.instruction == QLatin1String("FROM") && afterFromTexts.contains(v.label.text))
            continue; // printed under another stage's name in AFTER: matched there

        ComparedStep step;
        step.label = v.name;
        step.before = v.status;
        step.beforeSeconds = secondsOf(v);
        step.change = StepChange::Removed;
        result.steps.append(step);
    }

    // Causes: each root's cause with its followers; upstream steps count under the root they follow.
    QHash<QString, int> rootIndex;
    for (int i = 0; i < result.steps.size(); ++i) {
        if (result.steps[i].root)
            rootIndex.insert(result.steps[i].label, i);
    }
    QList<CauseSummary> summaries;
    QHash<QString, int> summaryOfRoot;
    for (const ComparedStep &s : std::as_const(result.steps)) {
        if (s.change != StepChange::Missed)
            continue;
        const QString root = s.root ? s.label : s.follows;
        if (!rootIndex.contains(root))
            continue;
        const ComparedStep &r = result.steps[rootIndex.value(root)];
        const MissCause &cause = *r.cause;
        // Roots with the same cause kind and detail share a line.
        const QString key = causeKindName(cause.kind) + QLatin1Char('\n') + cause.detail;
        int index = summaryOfRoot.value(key, -1);
        if (index < 0) {
            index = int(summaries.size());
            summaryOfRoot.insert(key, index);
            summaries.append({cause, {}, 0});
        }
        summaries[index].steps.append(s.label);
        summaries[index].seconds += s.afterSeconds.value_or(0);
    }
    std::stable_sort(summaries.begin(), summaries.end(),
        [](const CauseSummary &a, const CauseSummary &b) { return a.seconds > b.seconds; });
    result.causes = summaries;
    return result;
}

CompareContext compareContextOf(const BuildGraph &graph)
{
    CompareContext context;
    for (const Stage &stage : graph.stages) {
        const QString token = stage.token();
        if (stage.baseStage >= 0 && stage.baseStage < graph.stages.size())
            context.stageParents.insert(token, graph.stages.at(stage.baseStage).token());
        QStringList args;
        for (const Step &step : stage.steps) {
            if (step.kind != InstructionKind::Arg)
                continue;
            // "ARG NAME=default OTHER": the names before any '='.
            const QString text = step.text.mid(step.text.indexOf(QLatin1Char(' ')) + 1).trimmed();
            for (const QString &word : text.split(QLatin1Char(' '), Qt::SkipEmptyParts))
                args.append(word.section(QLatin1Char('='), 0, 0));
        }
        if (!args.isEmpty())
            context.stageArgs.insert(token, args);
    }
    return context;
}

QString stepChangeName(StepChange change)
{
    switch (change) {
    case StepChange::Missed:
        return QStringLiteral("missed");
    case StepChange::Hit:
        return QStringLiteral("hit");
    case StepChange::Same:
        return QStringLiteral("same");
    case StepChange::Ran:
        return QStringLiteral("ran");
    case StepChange::Added:
        return QStringLiteral("added");
    case StepChange::Removed:
        return QStringLiteral("removed");
    }
    return {};
}

QString causeKindName(CauseKind kind)
{
    switch (kind) {
    case CauseKind::Files:
        return QStringLiteral("files");
    case CauseKind::Instruction:
        return QStringLiteral("instruction");
    case CauseKind::BuildArg:
        return QStringLiteral("build-arg");
    case CauseKind::BaseImage:
        return QStringLiteral("base-image");
    case CauseKind::Upstream:
        return QStringLiteral("upstream");
    case CauseKind::NoCache:
        return QStringLiteral("no-cache");
    case CauseKind::CacheUnavailable:
        return QStringLiteral("cache-unavailable");
    case CauseKind::Unknown:
        return QStringLiteral("unknown");
    }
    return {};
}

namespace {

QJsonValue seconds(const std::optional<double> &s)
{
    return s ? QJsonValue(std::round(*s * 1000) / 1000) : QJsonValue();
}

QJsonObject causeJson(const MissCause &cause)
{
    return {{QStringLiteral("kind"), causeKindName(cause.kind)}, {QStringLiteral("detail"), cause.detail},
        {QStringLiteral("files"), QJsonArray::fromStringList(cause.files)}};
}

QString statusName(const std::optional<VertexStatus> &s)
{
    return s ? vertexStatusName(*s).toLower() : QString();
}

} // namespace

QJsonObject toJson(const CompareResult &result)
{
    QJsonArray steps;
    for (const ComparedStep &s : result.steps) {
        QJsonObject o {{QStringLiteral("label"), s.label},
            {QStringLiteral("before"), s.before ? QJsonValue(statusName(s.before)) : QJsonValue()},
            {QStringLiteral("after"), s.after ? QJsonValue(statusName(s.after)) : QJsonValue()},
            {QStringLiteral("before_seconds"), seconds(s.beforeSeconds)},
            {QStringLiteral("after_seconds"), seconds(s.afterSeconds)},
            {QStringLiteral("change"), stepChangeName(s.change)}, {QStringLiteral("root"), s.root},
            {QStringLiteral("follows"), s.follows.isEmpty() ? QJsonValue() : QJsonValue(s.follows)},
            {QStringLiteral("cause"), s.cause ? QJsonValue(causeJson(*s.cause)) : QJsonValue()}};
        if (!s.beforeLabel.isEmpty())
            o.insert(QStringLiteral("before_label"), s.beforeLabel);
        steps.append(o);
    }
    QJsonArray causes;
    for (const CauseSummary &c : result.causes) {
        QJsonObject o = causeJson(c.cause);
        o.insert(QStringLiteral("steps"), QJsonArray::fromStringList(c.steps));
        o.insert(QStringLiteral("seconds"), std::round(c.seconds * 1000) / 1000);
        causes.append(o);
    }
    return {{QStringLiteral("steps"), steps}, {QStringLiteral("causes"), causes},
        {QStringLiteral("delta_seconds"), seconds(result.deltaSeconds)}};
}

QString compareToMarkdown(const CompareResult &result, const QString &beforeName, const QString &afterName)
{
    QString out = QStringLiteral("### Why it changed\n\n");
    out += QStringLiteral("%1 took %2, %3 took %4")
               .arg(beforeName, formatDuration(result.beforeSeconds), afterName,
                   formatDuration(result.afterSeconds));
    if (result.deltaSeconds)
        out += QStringLiteral(" (%1%2)").arg(
            *result.deltaSeconds >= 0 ? QStringLiteral("+") : QStringLiteral("−"),
            formatDuration(std::abs(*result.deltaSeconds)));
    out += QStringLiteral(".\n\n");
    if (result.causes.isEmpty()) {
        out += QStringLiteral("No step missed the cache.\n");
        return out;
    }
    out += QStringLiteral("| Cause | Detail | Steps | Time |\n|---|---|---:|---:|\n");
    for (const CauseSummary &c : result.causes) {
        QString detail = c.cause.detail;
        detail.replace(QLatin1Char('|'), QStringLiteral("\\|"));
        out += QStringLiteral("| %1 | %2 | %3 | %4 |\n")
                   .arg(causeKindName(c.cause.kind), detail)
                   .arg(c.steps.size())
                   .arg(formatDuration(c.seconds));
    }
    out += QStringLiteral("\nRoot misses (the first step of each chain that missed):\n\n");
    for (const ComparedStep &s : result.steps) {
        if (s.root)
            out += QStringLiteral("- `%1`: %2\n").arg(s.label, s.cause ? s.cause->detail : QString());
    }
    return out;
}

} // namespace Stagelens
