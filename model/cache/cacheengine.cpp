#include "cacheengine.h"

#include "model/context/pathmatch.h"

#include <QJsonArray>

#include <algorithm>

namespace Stagelens {

namespace {

struct ChainState
{
    Verdict verdict = Verdict::Cached;
    QStringList reasons;
    QString lastLabel; ///< label of the last vertex step, for "follows ..."
};

struct EffectivePath
{
    QString path;
    ChangeKind kind = ChangeKind::Content;
    bool matched = false;
};

constexpr int MaxChangesReported = 3; // a reason lists the first few changed paths only

bool isRemoteSource(const QString &s)
{
    return s.startsWith(QLatin1String("http://")) || s.startsWith(QLatin1String("https://"))
        || s.startsWith(QLatin1String("git@"));
}

QString changeSuffix(ChangeKind kind)
{
    switch (kind) {
    case ChangeKind::Mode:
        return QStringLiteral(" (mode changed)");
    case ChangeKind::Added:
        return QStringLiteral(" (added)");
    case ChangeKind::Deleted:
        return QStringLiteral(" (deleted)");
    case ChangeKind::Content:
    case ChangeKind::Touched:
        break;
    }
    return QString();
}

// Extends a chain by "follows <label>", replacing an earlier same-stage "follows" so chains stay short:
// root cause, stage hops, and the immediate predecessor.
QStringList follows(const ChainState &prev)
{
    QStringList reasons = prev.reasons;
    const QString key = labelKey(prev.lastLabel);
    const QString hop = QStringLiteral("follows %1").arg(key.isEmpty() ? prev.lastLabel : key);
    if (!reasons.isEmpty() && reasons.last().startsWith(QLatin1String("follows ")))
        reasons.last() = hop;
    else
        reasons.append(hop);
    return reasons;
}

QString joinSources(const QStringList &sources)
{
    return sources.isEmpty() ? QStringLiteral("the copied files") : sources.join(QLatin1Char(' '));
}

} // namespace

QString StepVerdict::reason() const
{
    return reasons.join(QStringLiteral(" -> "));
}

int WhatIfResult::count(Verdict verdict) const
{
    return int(std::count_if(
        steps.cbegin(), steps.cend(), [verdict](const StepVerdict &s) { return s.verdict == verdict; }));
}

const StepVerdict *WhatIfResult::find(const QString &label) const
{
    for (const StepVerdict &s : steps) {
        if (s.label == label)
            return &s;
    }
    return nullptr;
}

CacheEngine::CacheEngine(BuildGraph graph, std::shared_ptr<const ContextIndex> context)
    : m_graph(std::move(graph))
    , m_context(std::move(context))
{
    // Resolve every context-reading step once: this is what makes a query independent of context size.
    for (int s = 0; s < m_graph.stages.size(); ++s) {
        const Stage &stage = m_graph.stages.at(s);
        for (int k = 0; k < stage.steps.size(); ++k) {
            const Step &step = stage.steps.at(k);
            CopySpec spec;
            if ((step.kind == InstructionKind::Copy || step.kind == InstructionKind::Add)
                && step.from.isEmpty() && step.fromStage < 0) {
                for (const QString &src : step.sources) {
                    if (!isRemoteSource(src))
                        spec.sources.append(src);
                }
                spec.excludes = step.excludes;
                spec.parents = step.parents;
            } else if (step.kind == InstructionKind::Run) {
                for (const Mount &m : step.mounts) {
                    if ((m.type == QLatin1String("bind") || m.type.isEmpty()) && m.from.isEmpty()
                        && m.fromStage < 0)
                        spec.sources.append(m.source.isEmpty() ? QStringLiteral(".") : m.source);
                }
            }
            if (spec.sources.isEmpty())
                continue;
            StepInputs inputs;
            inputs.step = {s, k};
            inputs.matcher = SourceMatcher(spec);
            if (m_context)
                inputs.reads = inputs.matcher.resolve(*m_context);
            m_inputByStep.insert(inputs.step, int(m_inputs.size()));
            m_inputs.append(std::move(inputs));
        }
    }
}

void CacheEngine::setStepSeconds(const QHash<StepRef, double> &seconds)
{
    m_seconds = seconds;
}

QList<int> CacheEngine::contextReads(StepRef step) const
{
    const int i = m_inputByStep.value(step, -1);
    return i < 0 ? QList<int>() : m_inputs.at(i).reads;
}

QString CacheEngine::readsPath(const StepInputs &inputs, const QString &path) const
{
    if (m_context) {
        const int idx = m_context->indexOf(path);
        if (idx >= 0) {
            const ContextEntry &entry = m_context->entries().at(idx);
            const auto it = std::lower_bound(inputs.reads.cbegin(), inputs.reads.cend(), idx);
            if (entry.type != EntryType::Directory)
                return (it != inputs.reads.cend() && *it == idx) ? path : QString();
            // A directory: some entry read below it (or a change inside it that the index cannot show).
            if (it != inputs.reads.cend() && *it < entry.subtreeEnd)
                return m_context->entries().at(*it).path == path ? path : path + QLatin1Char('/');
            return inputs.matcher.reads(path, false) ? path : QString();
        }
    }
    return inputs.matcher.reads(path, false) ? path : QString();
}

WhatIfResult CacheEngine::whatIf(const WhatIfChanges &changes) const
{
    WhatIfResult result;
    result.target = m_graph.target;
    result.timed = !m_seconds.isEmpty();

    // Context paths: drop what cannot matter, with a note saying why.
    QList<EffectivePath> paths;
    const QString root = m_context ? m_context->rootPath() : QString();
    QString ignoreFileRel;
    if (m_context && !m_context->ignoreFile().isEmpty())
        ignoreFileRel = ContextIndex::relativePath(m_context->ignoreFile(), root);
    for (const PathChange &change : changes.paths) {
        if (change.path.trimmed().isEmpty()) {
            result.notes.append(QStringLiteral("an empty path was ignored"));
            continue;
        }
        bool inside = true;
        const QString rel = root.isEmpty() ? goCleanPath(change.path)
                                           : ContextIndex::relativePath(change.path, root, &inside);
        if (!inside) {
            result.notes.append(QStringLiteral("%1 is outside the build context").arg(change.path));
            continue;
        }
        if (change.kind == ChangeKind::Touched) {
            result.notes.append(
                QStringLiteral("%1: a change of mtime only never invalidates the cache").arg(rel));
            continue;
        }
        if (m_context && rel != QLatin1String(".") && m_context->isIgnored(rel)) {
            result.notes.append(
                QStringLiteral("%1 is excluded by %2: BuildKit never sees it")
                    .arg(rel, ignoreFileRel.isEmpty() ? QStringLiteral(".dockerignore") : ignoreFileRel));
            continue;
        }
        if (!root.isEmpty() && !m_graph.file.isEmpty()
            && rel == ContextIndex::relativePath(m_graph.file, root))
            result.notes.append(QStringLiteral("%1 is the Dockerfile: it counts only where a COPY reads it; "
                                               "name edited instructions with their line numbers")
                                    .arg(rel));
        paths.append({rel, change.kind, false});
    }

    // Dockerfile lines: which step (or stage-wide instruction) each one hits.
    // Line edits are mapped to steps by range; an edit outside every step is a global ARG, a comment or
    // a parser directive.
    QSet<QString> changedArgs(changes.args.cbegin(), changes.args.cend());
    QHash<StepRef, int> changedStepLines;
    QHash<int, int> changedFromLines;
    for (int line : changes.lines) {
        if (const StepRef ref = m_graph.stepAtLine(line); ref.isValid()) {
            const Step &step = *m_graph.step(ref);
            if (ref.step == 0 && step.kind == InstructionKind::From)
                changedFromLines.insert(ref.stage, line);
            else
                changedStepLines.insert(ref, line);
            if (step.kind == InstructionKind::Metadata)
                result.notes.append(QStringLiteral("line %1 (%2) changes image metadata only, no layer")
                                        .arg(line)
                                        .arg(step.keyword));
            continue;
        }
        if (const GlobalArg *arg = m_graph.globalArgAt(line)) {
            // A global ARG default feeds FROM lines and every stage that redeclares it.
            for (const GlobalArg &other : m_graph.globalArgs) {
                if (other.line == arg->line)
                    changedArgs.insert(other.name);
            }
        } else if (m_graph.lineCount > 0 && line > m_graph.lineCount) {
            result.notes.append(QStringLiteral("line %1 is past the end of the Dockerfile (%2 lines)")
                                    .arg(line)
                                    .arg(m_graph.lineCount));
        } else {
            result.notes.append(QStringLiteral("line %1 is a comment or blank: no step changes").arg(line));
        }
    }

    QStringList globalArgList;
    for (const GlobalArg &arg : m_graph.globalArgs)
        globalArgList.append(arg.name);

    QHash<int, ChainState> finals;
    QHash<int, QStringList> pendingEnvOut; // ENV/USER/SHELL changes not yet consumed by a RUN: inherited
    QHash<StepRef, StepVerdict> verdicts;
    // One pass in dependency order: a stage's verdicts need its FROM parent's and its --from sources' final
    // verdicts. Stages the target does not need are never built, so they never matter.
    for (int s : m_graph.stageOrder()) {
        const Stage &stage = m_graph.stages.at(s);
        if (!stage.needed)
            continue;
        ChainState prev;
        QStringList pendingEnv; // re-runs the next RUN, inherited through FROM <stage>
        QStringList pendingArg; // re-runs the next RUN of this stage only (ARG scope)
        QStringList stageArgList; // changed args declared in this stage so far (in file order)
        QStringList changedEnvNames;
        if (stage.baseStage >= 0 && finals.contains(stage.baseStage)) {
            const ChainState &base = finals.value(stage.baseStage);
            if (base.verdict != Verdict::Cached) {
                prev.verdict = base.verdict;
                prev.reasons = base.reasons;
                // The hop replaces the parent's own "follows": root cause, then how it reached this stage.
                if (!prev.reasons.isEmpty() && prev.reasons.last().startsWith(QLatin1String("follows ")))
                    prev.reasons.removeLast();
                const QString key = labelKey(base.lastLabel);
                prev.reasons.append(QStringLiteral("FROM %1: follows %2")
                                        .arg(stage.baseName, key.isEmpty() ? base.lastLabel : key));
            }
            prev.lastLabel = base.lastLabel;
            pendingEnv = pendingEnvOut.value(stage.baseStage);
        }

        QString stageRerun;
        if (changedFromLines.contains(s))
            stageRerun = QStringLiteral("FROM line %1 changed: the whole stage re-runs")
                             .arg(changedFromLines.value(s));
        if (stageRerun.isEmpty() && !stage.steps.isEmpty()) {
            const Step &from = stage.steps.first();
            // Loop over the Dockerfile's own (bounded) arg lists, never over the query's.
            QStringList candidates = from.argDependencies;
            candidates.append(globalArgList);
            for (const QString &name : std::as_const(candidates)) {
                if (changedArgs.contains(name)
                    && (from.argDependencies.contains(name) || from.variables.contains(name))) {
                    stageRerun = QStringLiteral("FROM uses build arg %1: the whole stage re-runs").arg(name);
                    break;
                }
            }
        }

        for (int k = 0; k < stage.steps.size(); ++k) {
            const Step &step = stage.steps.at(k);
            const StepRef key {s, k};
            // ARG/ENV/USER/SHELL are no vertex of their own: they change the environment of later RUNs.
            if (!step.isVertex()) {
                if (step.kind == InstructionKind::Arg) {
                    for (const QString &name : step.declares) {
                        if (changedArgs.contains(name)) {
                            stageArgList.append(name);
                            pendingArg.append(
                                QStringLiteral("build arg %1 changed (ARG on line %2 is in scope)")
                                    .arg(name)
                                    .arg(step.line));
                        }
                    }
                }
                if (changedStepLines.contains(key)) {
                    const QString why = QStringLiteral("%1 on line %2 changed")
                                            .arg(step.keyword)
                                            .arg(changedStepLines.value(key));
                    if (step.kind == InstructionKind::Arg) {
                        pendingArg.append(why);
                        stageArgList.append(step.declares);
                    } else if (step.kind == InstructionKind::Env || step.kind == InstructionKind::User
                        || step.kind == InstructionKind::Shell) {
                        pendingEnv.append(why);
                        if (step.kind == InstructionKind::Env)
                            changedEnvNames.append(step.declares);
                    }
                }
                continue;
            }

            QStringList own;
            if (!stageRerun.isEmpty())
                own.append(stageRerun);
            if (own.isEmpty() && changedStepLines.contains(key))
                own.append(QStringLiteral("Dockerfile line %1 changed").arg(changedStepLines.value(key)));
            if (own.isEmpty()) {
                for (const QString &name : step.argDependencies) {
                    if (changedArgs.contains(name)) {
                        own.append(QStringLiteral("%1 uses build arg %2").arg(step.keyword, name));
                        break;
                    }
                }
                for (const QString &name : std::as_const(stageArgList)) {
                    if (own.isEmpty() && step.variables.contains(name))
                        own.append(QStringLiteral("%1 uses build arg %2").arg(step.keyword, name));
                }
            }
            if (own.isEmpty()) {
                for (const QString &name : std::as_const(changedEnvNames)) {
                    if (step.variables.contains(name)) {
                        own.append(
                            QStringLiteral("%1 uses ${%2}, whose ENV changed").arg(step.keyword, name));
                        break;
                    }
                }
            }
            // BuildKit puts every ARG in scope and the ENV into a RUN's cache key, used or not (case 09).
            if (step.kind == InstructionKind::Run) {
                if (own.isEmpty() && !pendingArg.isEmpty())
                    own.append(pendingArg.first());
                if (own.isEmpty() && !pendingEnv.isEmpty())
                    own.append(pendingEnv.first());
                pendingArg.clear(); // BuildKit's RUN cache key holds the whole env: one RUN absorbs it
                pendingEnv.clear();
            }

            QStringList maybe;
            const int input = m_inputByStep.value(key, -1);
            if (own.isEmpty() && input >= 0) {
                const StepInputs &inputs = m_inputs.at(input);
                QStringList hits;
                bool ignoreFileChanged = false;
                for (EffectivePath &p : paths) {
                    const QString hit = readsPath(inputs, p.path);
                    if (!hit.isEmpty()) {
                        p.matched = true;
                        if (hits.size() < MaxChangesReported)
                            hits.append(p.path + changeSuffix(p.kind));
                    } else if (!ignoreFileRel.isEmpty() && p.path == ignoreFileRel) {
                        ignoreFileChanged = true;
                        p.matched = true;
                    }
                }
                if (!hits.isEmpty())
                    own.append(QStringLiteral("%1 reads %2").arg(step.text, hits.join(QStringLiteral(", "))));
                else if (ignoreFileChanged)
                    maybe.append(QStringLiteral("%1 changed: the set of files %2 receives may differ")
                                     .arg(ignoreFileRel, step.text));
            }
            // Content-keyed inputs from other stages: COPY --from and RUN --mount=...,from=.
            if (own.isEmpty() && maybe.isEmpty()) {
                auto upstream = [&](int from, const QString &what) {
                    if (from < 0 || !finals.contains(from) || finals.value(from).verdict == Verdict::Cached)
                        return false;
                    maybe = finals.value(from).reasons;
                    maybe.append(what);
                    return true;
                };
                if (!upstream(step.fromStage,
                        QStringLiteral("COPY --from=%1: re-runs only if %2 changes")
                            .arg(step.from, joinSources(step.sources)))) {
                    for (const Mount &m : step.mounts) {
                        if (upstream(m.fromStage,
                                QStringLiteral("RUN --mount from=%1: re-runs only if %2 changes")
                                    .arg(m.from, m.source.isEmpty() ? QStringLiteral("/") : m.source)))
                            break;
                    }
                }
            }

            // Own causes win; then the same-stage (or FROM) chain, which never cuts off (cases 03, 04, 20);
            // content-keyed inputs give only "maybe" (cases 03, 09).
            StepVerdict v;
            v.stage = s;
            v.step = k;
            v.label = step.label;
            v.stageToken = stage.token();
            v.instruction = step.keyword;
            v.line = step.line;
            if (!own.isEmpty()) {
                v.verdict = Verdict::Rerun;
                v.reasons = own;
            } else if (prev.verdict == Verdict::Rerun) {
                v.verdict = Verdict::Rerun;
                v.reasons = follows(prev);
            } else if (!maybe.isEmpty()) {
                v.verdict = Verdict::Maybe;
                v.reasons = maybe;
            } else if (prev.verdict == Verdict::Maybe) {
                v.verdict = Verdict::Maybe;
                v.reasons = follows(prev);
            }
            if (const auto it = m_seconds.constFind(key); it != m_seconds.cend())
                v.seconds = *it;
            prev.verdict = v.verdict;
            prev.reasons = v.reasons;
            prev.lastLabel = step.label;
            verdicts.insert(key, v);
        }
        finals.insert(s, prev);
        pendingEnvOut.insert(s, pendingEnv);
    }

    for (const EffectivePath &p : std::as_const(paths)) {
        if (!p.matched)
            result.notes.append(QStringLiteral("%1 is read by no step the target needs").arg(p.path));
    }

    // A hostile query must not turn into megabytes of notes.
    constexpr qsizetype MaxNotes = 100;
    if (result.notes.size() > MaxNotes) {
        const qsizetype dropped = result.notes.size() - MaxNotes;
        result.notes.resize(MaxNotes);
        result.notes.append(QStringLiteral("... and %1 more notes").arg(dropped));
    }

    // Output in stage order, then step order, with the cost totals.
    for (int s = 0; s < m_graph.stages.size(); ++s) {
        for (int k = 0; k < m_graph.stages.at(s).steps.size(); ++k) {
            const auto it = verdicts.constFind(StepRef {s, k});
            if (it == verdicts.cend())
                continue;
            const StepVerdict &v = *it;
            if (v.verdict == Verdict::Rerun) {
                if (v.seconds)
                    result.rerunSeconds += *v.seconds;
                else
                    ++result.rerunUnknown;
            } else if (v.verdict == Verdict::Maybe) {
                if (v.seconds)
                    result.maybeSeconds += *v.seconds;
                else
                    ++result.maybeUnknown;
            }
            result.steps.append(v);
        }
    }
    return result;
}

QString verdictName(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Cached:
        return QStringLiteral("cached");
    case Verdict::Maybe:
        return QStringLiteral("maybe");
    case Verdict::Rerun:
        return QStringLiteral("rerun");
    }
    return QString();
}

QString changeKindName(ChangeKind kind)
{
    switch (kind) {
    case ChangeKind::Content:
        return QStringLiteral("content");
    case ChangeKind::Mode:
        return QStringLiteral("mode");
    case ChangeKind::Added:
        return QStringLiteral("added");
    case ChangeKind::Deleted:
        return QStringLiteral("deleted");
    case ChangeKind::Touched:
        return QStringLiteral("touched");
    }
    return QString();
}

QJsonObject toJson(const WhatIfResult &result)
{
    QJsonArray steps;
    for (const StepVerdict &v : result.steps) {
        QJsonObject o;
        o.insert(QStringLiteral("label"), v.label);
        o.insert(QStringLiteral("stage"), v.stageToken);
        o.insert(QStringLiteral("instruction"), v.instruction);
        o.insert(QStringLiteral("line"), v.line);
        o.insert(QStringLiteral("verdict"), verdictName(v.verdict));
        o.insert(QStringLiteral("reason"),
            v.verdict == Verdict::Cached ? QStringLiteral("no input of this step changed") : v.reason());
        o.insert(QStringLiteral("reasons"), QJsonArray::fromStringList(v.reasons));
        o.insert(QStringLiteral("seconds"), v.seconds ? QJsonValue(*v.seconds) : QJsonValue());
        steps.append(o);
    }
    QJsonObject o;
    o.insert(QStringLiteral("target"), result.target);
    o.insert(QStringLiteral("steps"), steps);
    // Without a log the cost is unknown (null), never zero.
    auto figure = [&](double sum, int unknown, int count) {
        if (!result.timed || (count > 0 && unknown == count))
            return QJsonValue();
        return QJsonValue(sum);
    };
    o.insert(QStringLiteral("rerun_seconds"),
        figure(result.rerunSeconds, result.rerunUnknown, result.count(Verdict::Rerun)));
    o.insert(QStringLiteral("maybe_seconds"),
        figure(result.maybeSeconds, result.maybeUnknown, result.count(Verdict::Maybe)));
    o.insert(QStringLiteral("rerun_steps"), result.count(Verdict::Rerun));
    o.insert(QStringLiteral("maybe_steps"), result.count(Verdict::Maybe));
    o.insert(QStringLiteral("cached_steps"), result.count(Verdict::Cached));
    o.insert(QStringLiteral("rerun_unknown_seconds"), result.rerunUnknown);
    o.insert(QStringLiteral("maybe_unknown_seconds"), result.maybeUnknown);
    o.insert(QStringLiteral("notes"), QJsonArray::fromStringList(result.notes));
    QJsonArray diagnostics;
    for (const Diagnostic &d : result.diagnostics)
        diagnostics.append(d.toJson());
    o.insert(QStringLiteral("diagnostics"), diagnostics);
    return o;
}

QString labelKey(const QString &label)
{
    if (!label.startsWith(QLatin1Char('[')))
        return QString();
    const qsizetype close = label.indexOf(QLatin1Char(']'));
    return close < 0 ? QString() : label.left(close + 1);
}

} // namespace Stagelens
