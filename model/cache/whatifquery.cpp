#include "whatifquery.h"

#include "model/context/pathmatch.h"

#include <QRegularExpression>

#include <algorithm>

namespace Stagelens {

namespace {

using ChainState = CacheEngine::Query::ChainState;
using EffectivePath = CacheEngine::Query::EffectivePath;

constexpr int MaxChangesReported = 3; // a reason lists the first few changed paths only

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

// COPY/ADD --link whose copy BuildKit keys by its sources alone (see walkStage).
bool isLinkedCopy(const Step &step)
{
    if (!step.link || (step.kind != InstructionKind::Copy && step.kind != InstructionKind::Add))
        return false;
    static const QRegularExpression numeric(QStringLiteral(R"(^\d+(?::\d+)?$)"));
    return step.chown.isEmpty() || numeric.match(step.chown).hasMatch();
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

// What one stage's walk carries from step to step.
struct CacheEngine::Query::StageWalk
{
    ChainState prev; ///< the verdict of the last vertex, which every later step of the chain follows
    QStringList pendingEnv; ///< ENV/USER/SHELL changes: re-run the next RUN, inherited through FROM <stage>
    QStringList pendingArg; ///< ARG changes: re-run the next RUN of this stage only (ARG scope)
    QStringList stageArgs; ///< changed args declared in this stage so far (in file order)
    QStringList changedEnvNames; ///< ENV names whose value changed
    /// Set when the base image may have changed (a FROM line, a build arg in FROM): every step of the stage
    /// re-runs only if the new reference resolves to other layers or another config Env, which the
    /// Dockerfile alone cannot tell (BuildKit keys a base by content, not by name).
    QString stageMaybe;
    QString stageRerun; ///< the base image has other layers: every step of the stage re-runs
};

CacheEngine::Query::Query(const CacheEngine &engine, const WhatIfChanges &changes)
    : m_engine(engine)
    , m_graph(engine.m_graph)
    , m_changes(changes)
{
    m_result.target = m_graph.target;
    m_result.timed = !engine.m_seconds.isEmpty();
}

WhatIfResult CacheEngine::Query::run()
{
    resolvePaths();
    resolveLines();
    // One pass in dependency order: a stage's verdicts need its FROM parent's and its --from sources' final
    // verdicts. Stages the target does not need are never built, so they never matter.
    for (int s : m_graph.stageOrder()) {
        if (m_graph.stages.at(s).needed)
            walkStage(s);
    }
    addNotes();
    collect();
    return std::move(m_result);
}

// Context paths: drop what cannot matter, with a note saying why.
void CacheEngine::Query::resolvePaths()
{
    const ContextIndex *context = m_engine.m_context.get();
    const QString root = context ? context->rootPath() : QString();
    if (context && !context->ignoreFile().isEmpty())
        m_ignoreFile = ContextIndex::relativePath(context->ignoreFile(), root);
    else if (context)
        m_ignoreFile = QStringLiteral(".dockerignore"); // none yet: an edit that adds one changes the rules
    for (const PathChange &change : m_changes.paths) {
        if (change.path.trimmed().isEmpty()) {
            m_result.notes.append(QStringLiteral("an empty path was ignored"));
            continue;
        }
        bool inside = true;
        const QString rel = root.isEmpty() ? goCleanPath(change.path)
                                           : ContextIndex::relativePath(change.path, root, &inside);
        if (!inside) {
            m_result.notes.append(QStringLiteral("%1 is outside the build context").arg(change.path));
            continue;
        }
        if (change.kind == ChangeKind::Touched) {
            m_result.notes.append(
                QStringLiteral("%1: a change of mtime only never invalidates the cache").arg(rel));
            continue;
        }
        if (context && rel != QLatin1String(".") && context->isIgnored(rel)) {
            m_result.notes.append(
                QStringLiteral("%1 is excluded by %2: BuildKit never sees it")
                    .arg(rel, m_ignoreFile.isEmpty() ? QStringLiteral(".dockerignore") : m_ignoreFile));
            continue;
        }
        // An edited or chmod'ed file must exist; a path that is not there is most often a path given relative
        // to the wrong folder ("util.c" for "src/util.c"). The ignore file may be new.
        if (context && rel != QLatin1String(".") && rel != m_ignoreFile && context->indexOf(rel) < 0
            && (change.kind == ChangeKind::Content || change.kind == ChangeKind::Mode)) {
            m_result.notes.append(QStringLiteral("%1 is not in the build context (%2)").arg(rel, root));
            continue;
        }
        if (!root.isEmpty() && !m_graph.file.isEmpty()
            && rel == ContextIndex::relativePath(m_graph.file, root))
            m_result.notes.append(
                QStringLiteral("%1 is the Dockerfile: it counts only where a COPY reads it; "
                               "name edited instructions with their line numbers")
                    .arg(rel));
        const bool missing = context && rel != QLatin1String(".") && context->indexOf(rel) < 0;
        m_paths.append({rel, change.kind, false, false, missing});
    }
}

// Dockerfile lines: which step (or stage-wide instruction) each one hits. An edit outside every step is a
// global ARG, a comment or a parser directive.
void CacheEngine::Query::resolveLines()
{
    m_changedArgs = QSet<QString>(m_changes.args.cbegin(), m_changes.args.cend());
    // BuildKit ignores a --build-arg that no ARG declares (and warns): say so rather than answer nothing.
    QSet<QString> declared;
    for (const ArgDeclaration &arg : m_graph.argDeclarations)
        declared.insert(arg.name);
    for (const QString &name : m_changes.args) {
        if (!declared.contains(name))
            m_result.notes.append(
                QStringLiteral("ARG %1 is not declared in the Dockerfile: BuildKit ignores that build arg")
                    .arg(name));
    }
    for (int line : m_changes.lines) {
        if (const StepRef ref = m_graph.stepAtLine(line); ref.isValid()) {
            const Step &step = *m_graph.step(ref);
            if (ref.step == 0 && step.kind == InstructionKind::From)
                m_changedFromLines.insert(ref.stage, line);
            else
                m_changedStepLines.insert(ref, line);
            if (step.kind == InstructionKind::Metadata)
                m_result.notes.append(QStringLiteral("line %1 (%2) changes image metadata only, no layer")
                                          .arg(line)
                                          .arg(step.keyword));
            continue;
        }
        if (const GlobalArg *arg = m_graph.globalArgAt(line)) {
            // A global ARG default feeds FROM lines and every stage that redeclares it.
            for (const GlobalArg &other : m_graph.globalArgs) {
                if (other.line == arg->line)
                    m_changedArgs.insert(other.name);
            }
        } else if (m_graph.lineCount > 0 && line > m_graph.lineCount) {
            m_result.notes.append(QStringLiteral("line %1 is past the end of the Dockerfile (%2 lines)")
                                      .arg(line)
                                      .arg(m_graph.lineCount));
        } else {
            m_result.notes.append(QStringLiteral("line %1 is a comment or blank: no step changes").arg(line));
        }
    }
    for (const GlobalArg &arg : m_graph.globalArgs)
        m_globalArgs.append(arg.name);

    // The Dockerfile is also a file of the build context when it lies inside it and is not ignored: an edit
    // of any of its lines (a comment too) changes what `COPY . .`-like steps copy.
    const ContextIndex *context = m_engine.m_context.get();
    if (!m_changes.lines.isEmpty() && context && !m_graph.file.isEmpty()) {
        bool inside = false;
        const QString rel = ContextIndex::relativePath(m_graph.file, context->rootPath(), &inside);
        const bool listed = std::any_of(
            m_paths.cbegin(), m_paths.cend(), [&rel](const EffectivePath &p) { return p.path == rel; });
        if (inside && rel != QLatin1String(".") && !context->isIgnored(rel) && !listed)
            m_paths.append({rel, ChangeKind::Content, false, true});
    }
}

void CacheEngine::Query::walkStage(int s)
{
    const Stage &stage = m_graph.stages.at(s);
    StageWalk walk;
    if (stage.baseStage >= 0 && m_finals.contains(stage.baseStage)) {
        const ChainState &base = m_finals.value(stage.baseStage);
        if (base.verdict != Verdict::Cached) {
            walk.prev.verdict = base.verdict;
            walk.prev.reasons = base.reasons;
            // The hop replaces the parent's own "follows": root cause, then how it reached this stage.
            if (!walk.prev.reasons.isEmpty()
                && walk.prev.reasons.last().startsWith(QLatin1String("follows ")))
                walk.prev.reasons.removeLast();
            const QString key = labelKey(base.lastLabel);
            walk.prev.reasons.append(QStringLiteral("FROM %1: follows %2")
                                         .arg(stage.baseName, key.isEmpty() ? base.lastLabel : key));
        }
        walk.prev.lastLabel = base.lastLabel;
        walk.pendingEnv = m_pendingEnvOut.value(stage.baseStage);
    }
    judgeBase(s, walk);

    for (int k = 0; k < stage.steps.size(); ++k) {
        const Step &step = stage.steps.at(k);
        const StepRef ref {s, k};
        // ARG/ENV/USER/SHELL are no vertex of their own: they change the environment of later RUNs.
        if (!step.isVertex()) {
            absorbEnvironment(ref, step, walk);
            continue;
        }
        QStringList maybe;
        QStringList own = ownCauses(ref, step, walk, &maybe);
        // COPY --link copies onto an empty layer that is merged onto the chain afterwards: BuildKit keys the
        // copy by its sources alone, so a changed base or an earlier re-run leaves it cached (the steps after
        // it still re-run: the merge is new). A --chown by name needs the base's user database: not linked
        // for this purpose.
        const bool linked = isLinkedCopy(step);
        if (own.isEmpty() && !walk.stageRerun.isEmpty() && !linked)
            own.append(walk.stageRerun);
        if (own.isEmpty() && maybe.isEmpty() && !walk.stageMaybe.isEmpty() && !linked)
            maybe.append(walk.stageMaybe);
        if (own.isEmpty() && maybe.isEmpty())
            maybe = upstreamCauses(step);

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
        } else if (walk.prev.verdict == Verdict::Rerun && !linked) {
            v.verdict = Verdict::Rerun;
            v.reasons = follows(walk.prev);
        } else if (!maybe.isEmpty()) {
            v.verdict = Verdict::Maybe;
            v.reasons = maybe;
        } else if (walk.prev.verdict == Verdict::Maybe && !linked) {
            v.verdict = Verdict::Maybe;
            v.reasons = follows(walk.prev);
        }
        if (const auto it = m_engine.m_seconds.constFind(ref); it != m_engine.m_seconds.cend())
            v.seconds = *it;
        // A linked copy's own verdict does not end the chain's: what follows it builds on the merge.
        if (!linked || v.verdict >= walk.prev.verdict) {
            walk.prev.verdict = v.verdict;
            walk.prev.reasons = v.reasons;
            walk.prev.lastLabel = step.label;
        }
        m_verdicts.insert(ref, v);
    }
    m_finals.insert(s, walk.prev);
    m_pendingEnvOut.insert(s, walk.pendingEnv);
}

// Why the stage's base image may have changed: its FROM line changed, or FROM expands a changed build arg.
QString CacheEngine::Query::fromCause(int s) const
{
    const Stage &stage = m_graph.stages.at(s);
    if (m_changedFromLines.contains(s))
        return QStringLiteral("FROM line %1 changed").arg(m_changedFromLines.value(s));
    if (stage.steps.isEmpty())
        return {};
    const Step &from = stage.steps.first();
    // Loop over the Dockerfile's own (bounded) arg lists, never over the query's.
    QStringList candidates = from.argDependencies;
    candidates.append(m_globalArgs);
    for (const QString &name : std::as_const(candidates)) {
        if (m_changedArgs.contains(name)
            && (from.argDependencies.contains(name) || from.variables.contains(name)))
            return QStringLiteral("FROM uses build arg %1").arg(name);
    }
    return {};
}

// Rule 2 of issue #17: BuildKit keys a base by content (its layer chain), and a RUN also by the image
// config's Env/User/WorkingDir/Shell. The Dockerfile alone says only that the reference changed ("maybe");
// the previous build's log names the reference (and digest) it used; the daemon says what both are.
void CacheEngine::Query::judgeBase(int s, StageWalk &walk)
{
    const Stage &stage = m_graph.stages.at(s);
    const QString cause = fromCause(s);
    const BaseImageEvidence *e = nullptr;
    for (const BaseImageEvidence &b : m_changes.bases) {
        if (b.stage == s)
            e = &b;
    }
    auto nameOf = [](const QString &ref) {
        return ref.section(QLatin1Char('@'), 0, 0);
    };
    auto digestOf = [](const QString &ref) {
        return ref.section(QLatin1Char('@'), 1);
    };
    // The Dockerfile names another base than the logged build used (edited since that build).
    const bool edited = e && e->restsOn != BaseEvidence::Dockerfile
        && (nameOf(e->previous) != nameOf(e->next)
            || (!digestOf(e->next).isEmpty() && digestOf(e->previous) != digestOf(e->next)));
    const QString written = stage.base.isEmpty() ? stage.baseName : stage.base;
    // The question itself says the image behind the name has other layers (a tag that moved).
    const bool moved = !stage.base.isEmpty()
        && std::any_of(m_changes.movedBases.cbegin(), m_changes.movedBases.cend(),
            [&](const QString &name) { return m_graph.stageIndex(name) == s; });
    if (moved) {
        BaseImageVerdict v;
        v.stage = s;
        v.stageToken = stage.token();
        v.previous = v.next = written;
        v.verdict = Verdict::Rerun;
        v.detail = QStringLiteral("other layers under the same name (asked)");
        walk.stageRerun = QStringLiteral("the base image %1 has other layers").arg(written);
        m_result.baseImages.append(v);
        return;
    }
    if (cause.isEmpty() && !edited)
        return;
    BaseImageVerdict v;
    v.stage = s;
    v.stageToken = stage.token();
    v.previous = e ? e->previous : written;
    v.next = e ? e->next : written;
    v.restsOn = e ? e->restsOn : BaseEvidence::Dockerfile;
    const QString why = cause.isEmpty()
        ? QStringLiteral("FROM names %1, the logged build used %2").arg(v.next, v.previous)
        : cause;
    const bool resolved =
        edited && e->previousImage && e->nextImage && e->previousImage->found && e->nextImage->found;
    if (resolved) {
        const ImageFacts &a = *e->previousImage;
        const ImageFacts &b = *e->nextImage;
        if (a.layers != b.layers) {
            v.verdict = Verdict::Rerun;
            v.detail = QStringLiteral("other layers (%1 -> %2)").arg(a.layers.size()).arg(b.layers.size());
            walk.stageRerun = QStringLiteral("%1: %2 has other layers than %3").arg(why, v.next, v.previous);
        } else {
            v.verdict = Verdict::Cached;
            QStringList differs;
            if (a.env != b.env)
                differs.append(QStringLiteral("Env"));
            if (a.user != b.user)
                differs.append(QStringLiteral("User"));
            if (a.workingDir != b.workingDir)
                differs.append(QStringLiteral("WorkingDir"));
            if (a.shell != b.shell)
                differs.append(QStringLiteral("Shell"));
            v.runConfigChanged = !differs.isEmpty();
            v.detail = v.runConfigChanged
                ? QStringLiteral("same %1 layers, other %2: the RUN steps re-run")
                      .arg(b.layers.size())
                      .arg(differs.join(QLatin1Char('/')))
                : QStringLiteral("same %1 layers, Env, User, WorkingDir and Shell").arg(b.layers.size());
            if (v.runConfigChanged)
                walk.pendingEnv.append(QStringLiteral("%1: %2 has the layers of %3 but another %4")
                                           .arg(why, v.next, v.previous, differs.join(QLatin1Char('/'))));
        }
    } else if (edited && !digestOf(e->previous).isEmpty() && digestOf(e->previous) == digestOf(e->next)) {
        v.verdict = Verdict::Cached;
        v.detail = QStringLiteral("the digest the logged build used");
    } else {
        v.verdict = Verdict::Maybe;
        if (e && !e->detail.isEmpty())
            v.detail = e->detail;
        else if (v.restsOn == BaseEvidence::Dockerfile)
            v.detail = QStringLiteral("no log names the base the previous build used");
        else if (!edited)
            v.detail =
                QStringLiteral("the Dockerfile still names %1, as the logged build did: edit it first, "
                               "then ask")
                    .arg(v.next);
        else
            v.detail = QStringLiteral("not resolved (--resolve-images asks the local Docker daemon)");
        walk.stageMaybe = QStringLiteral("%1: the stage re-runs if the new base image has other layers "
                                         "or Env (BuildKit keys a base by content, not by name)")
                              .arg(why);
    }
    m_result.baseImages.append(v);
}

// An ARG, ENV, USER or SHELL instruction: what it changes reaches the next RUN (and ENV the steps using it).
void CacheEngine::Query::absorbEnvironment(StepRef ref, const Step &step, StageWalk &walk) const
{
    if (step.kind == InstructionKind::Arg) {
        for (const QString &name : step.declares) {
            if (m_changedArgs.contains(name)) {
                walk.stageArgs.append(name);
                walk.pendingArg.append(QStringLiteral("build arg %1 changed (ARG on line %2 is in scope)")
                                           .arg(name)
                                           .arg(step.line));
            }
        }
    }
    if (!m_changedStepLines.contains(ref))
        return;
    const QString why =
        QStringLiteral("%1 on line %2 changed").arg(step.keyword).arg(m_changedStepLines.value(ref));
    if (step.kind == InstructionKind::Arg) {
        walk.pendingArg.append(why);
        walk.stageArgs.append(step.declares);
    } else if (step.kind == InstructionKind::Env || step.kind == InstructionKind::User
        || step.kind == InstructionKind::Shell) {
        walk.pendingEnv.append(why);
        if (step.kind == InstructionKind::Env)
            walk.changedEnvNames.append(step.declares);
    }
}

// The step's own reasons to re-run: its FROM, its line, its args and ENV uses, the environment a RUN takes
// in, and the context files it reads. A changed ignore file only gives `maybe`.
QStringList CacheEngine::Query::ownCauses(StepRef ref, const Step &step, StageWalk &walk, QStringList *maybe)
{
    QStringList own;
    // A FROM's text names its base; the base counts by content (fromCause), never by the name's arguments.
    if (step.kind == InstructionKind::From)
        return own;
    if (m_changedStepLines.contains(ref))
        own.append(QStringLiteral("Dockerfile line %1 changed").arg(m_changedStepLines.value(ref)));
    if (own.isEmpty()) {
        for (const QString &name : step.argDependencies) {
            if (m_changedArgs.contains(name)) {
                own.append(QStringLiteral("%1 uses build arg %2").arg(step.keyword, name));
                break;
            }
        }
        for (const QString &name : std::as_const(walk.stageArgs)) {
            if (own.isEmpty() && step.variables.contains(name))
                own.append(QStringLiteral("%1 uses build arg %2").arg(step.keyword, name));
        }
    }
    if (own.isEmpty()) {
        for (const QString &name : std::as_const(walk.changedEnvNames)) {
            if (step.variables.contains(name)) {
                own.append(QStringLiteral("%1 uses ${%2}, whose ENV changed").arg(step.keyword, name));
                break;
            }
        }
    }
    // BuildKit puts every ARG in scope and the ENV into a RUN's cache key, used or not (case 09).
    if (step.kind == InstructionKind::Run) {
        if (own.isEmpty() && !walk.pendingArg.isEmpty())
            own.append(walk.pendingArg.first());
        if (own.isEmpty() && !walk.pendingEnv.isEmpty())
            own.append(walk.pendingEnv.first());
        walk.pendingArg.clear(); // BuildKit's RUN cache key holds the whole env: one RUN absorbs it
        walk.pendingEnv.clear();
    }
    if (own.isEmpty())
        own = contextCauses(ref, step, maybe);
    return own;
}

QStringList CacheEngine::Query::contextCauses(StepRef ref, const Step &step, QStringList *maybe)
{
    const int input = m_engine.m_inputByStep.value(ref, -1);
    if (input < 0)
        return {};
    const StepInputs &inputs = m_engine.m_inputs.at(input);
    QStringList hits;
    QStringList retargeted;
    bool ignoreFileChanged = false;
    const ContextIndex *context = m_engine.m_context.get();
    for (EffectivePath &p : m_paths) {
        const QString hit = m_engine.readsPath(inputs, p.path);
        const int entry = context && !inputs.followedLinks.isEmpty() ? context->indexOf(p.path) : -1;
        if (!hit.isEmpty()) {
            p.matched = true;
            if (hits.size() < MaxChangesReported)
                hits.append(p.path + changeSuffix(p.kind));
        } else if (entry >= 0
            && std::binary_search(inputs.followedLinks.cbegin(), inputs.followedLinks.cend(), entry)) {
            // The step hashes the link's target, not the link: a new target string with the same bytes
            // behind it leaves the step cached. Without the file contents only "maybe" is honest. A link
            // that is removed leaves the source missing: the step runs (and fails).
            p.matched = true;
            if (p.kind == ChangeKind::Deleted)
                hits.append(p.path + changeSuffix(p.kind));
            else if (retargeted.size() < MaxChangesReported)
                retargeted.append(p.path);
        } else if (!m_ignoreFile.isEmpty() && p.path == m_ignoreFile) {
            ignoreFileChanged = true;
            p.matched = true;
        }
    }
    if (!hits.isEmpty())
        return {QStringLiteral("%1 reads %2").arg(step.text, hits.join(QStringLiteral(", ")))};
    if (!retargeted.isEmpty())
        maybe->append(QStringLiteral("%1 follows the symlink %2: it re-runs only if the new target's content "
                                     "differs")
                          .arg(step.text, retargeted.join(QStringLiteral(", "))));
    if (ignoreFileChanged)
        maybe->append(QStringLiteral("%1 changed: the set of files %2 receives may differ")
                          .arg(m_ignoreFile, step.text));
    return {};
}

// Content-keyed inputs from other stages (COPY --from, RUN --mount=...,from=): an upstream re-run gives
// only "maybe", since BuildKit compares the copied bytes.
QStringList CacheEngine::Query::upstreamCauses(const Step &step) const
{
    auto upstream = [this](int from, const QString &what) -> QStringList {
        if (from < 0 || !m_finals.contains(from) || m_finals.value(from).verdict == Verdict::Cached)
            return {};
        QStringList reasons = m_finals.value(from).reasons;
        reasons.append(what);
        return reasons;
    };
    QStringList maybe = upstream(step.fromStage,
        QStringLiteral("COPY --from=%1: re-runs only if %2 changes")
            .arg(step.from, joinSources(step.sources)));
    for (qsizetype i = 0; maybe.isEmpty() && i < step.mounts.size(); ++i) {
        const Mount &m = step.mounts.at(i);
        maybe = upstream(m.fromStage,
            QStringLiteral("RUN --mount from=%1: re-runs only if %2 changes")
                .arg(m.from, m.source.isEmpty() ? QStringLiteral("/") : m.source));
    }
    return maybe;
}

void CacheEngine::Query::addNotes()
{
    for (const StepInputs &inputs : m_engine.m_inputs) {
        if (inputs.linkProblems.isEmpty() || !m_verdicts.contains(inputs.step))
            continue; // only steps the target needs
        const Step &step = *m_graph.step(inputs.step);
        for (const QString &problem : inputs.linkProblems)
            m_result.notes.append(QStringLiteral("%1 (line %2): %3; BuildKit fails this step")
                                      .arg(step.text)
                                      .arg(step.line)
                                      .arg(problem));
    }
    for (const EffectivePath &p : std::as_const(m_paths)) {
        if (!p.matched && !p.implied)
            m_result.notes.append(p.missing
                    ? QStringLiteral("%1 is not in the build context").arg(p.path)
                    : QStringLiteral("%1 is read by no step the target needs").arg(p.path));
    }
    // A hostile query must not turn into megabytes of notes.
    constexpr qsizetype MaxNotes = 100;
    if (m_result.notes.size() > MaxNotes) {
        const qsizetype dropped = m_result.notes.size() - MaxNotes;
        m_result.notes.resize(MaxNotes);
        m_result.notes.append(QStringLiteral("... and %1 more notes").arg(dropped));
    }
}

// Output in stage order, then step order, with the cost totals.
void CacheEngine::Query::collect()
{
    for (int s = 0; s < m_graph.stages.size(); ++s) {
        for (int k = 0; k < m_graph.stages.at(s).steps.size(); ++k) {
            const auto it = m_verdicts.constFind(StepRef {s, k});
            if (it == m_verdicts.cend())
                continue;
            const StepVerdict &v = *it;
            if (v.verdict == Verdict::Rerun) {
                if (v.seconds)
                    m_result.rerunSeconds += *v.seconds;
                else
                    ++m_result.rerunUnknown;
            } else if (v.verdict == Verdict::Maybe) {
                if (v.seconds)
                    m_result.maybeSeconds += *v.seconds;
                else
                    ++m_result.maybeUnknown;
            }
            m_result.steps.append(v);
        }
    }
}

} // namespace Stagelens
