#include "cacheengine.h"

#include "model/context/pathmatch.h"
#include "model/context/symlinkresolver.h"
#include "whatifquery.h"

#include <QJsonArray>

#include <algorithm>

namespace Stagelens {

namespace {

bool isRemoteSource(const QString &s)
{
    return s.startsWith(QLatin1String("http://")) || s.startsWith(QLatin1String("https://"))
        || s.startsWith(QLatin1String("git@"));
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
            if (m_context) {
                QList<int> namedLinks;
                inputs.reads = inputs.matcher.resolve(*m_context, &namedLinks);
                followLinks(inputs, namedLinks);
            }
            m_inputByStep.insert(inputs.step, int(m_inputs.size()));
            m_inputs.append(std::move(inputs));
        }
    }
}

void CacheEngine::setStepSeconds(const QHash<StepRef, double> &seconds)
{
    m_seconds = seconds;
}

// BuildKit resolves a COPY source (and a bind mount's source) with FollowLinks: a named symlink, or one on
// the way to a named path, is replaced by what it points at, and that is what the step's cache key hashes.
void CacheEngine::followLinks(StepInputs &inputs, const QList<int> &namedLinks) const
{
    const QList<ContextEntry> &entries = m_context->entries();
    QStringList starts;
    for (int i : namedLinks)
        starts.append(entries.at(i).path);
    // A plain source missing from the index may lie behind a symlinked folder ("linkdir/app.conf").
    for (const QString &source : inputs.matcher.plainSources()) {
        if (!source.isEmpty() && m_context->indexOf(source) < 0)
            starts.append(source);
    }
    for (const QString &start : std::as_const(starts)) {
        const LinkResolution r = resolveSymlinks(*m_context, start, true);
        if (r.links.isEmpty() && r.error.isEmpty())
            continue; // a missing source with no link on its way: not this function's business
        inputs.followedLinks.append(r.links);
        if (!r.error.isEmpty()) {
            inputs.linkProblems.append(QStringLiteral("%1: %2").arg(start, r.error));
            continue;
        }
        if (r.path == QLatin1String(".")) {
            inputs.followedRoots.append(QString());
            for (int i = 0; i < entries.size(); ++i) {
                if (!entries.at(i).ignored)
                    inputs.reads.append(i);
            }
            continue;
        }
        inputs.followedRoots.append(r.path);
        if (r.entry < 0) {
            inputs.linkProblems.append(
                QStringLiteral("%1 points to %2, which is not in the build context").arg(start, r.path));
            continue;
        }
        // The target (a whole folder when it is one); links inside that folder are copied as links.
        for (int i = r.entry; i < std::max(r.entry + 1, entries.at(r.entry).subtreeEnd); ++i) {
            if (!entries.at(i).ignored)
                inputs.reads.append(i);
        }
    }
    for (QList<int> *list : {&inputs.reads, &inputs.followedLinks}) {
        std::sort(list->begin(), list->end());
        list->erase(std::unique(list->begin(), list->end()), list->end());
    }
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
    if (inputs.matcher.reads(path, false))
        return path;
    // A path the index does not hold (added since) inside a folder a followed link leads to.
    for (const QString &root : inputs.followedRoots) {
        if (root.isEmpty() || path == root || path.startsWith(root + QLatin1Char('/')))
            return path;
    }
    return QString();
}

WhatIfResult CacheEngine::whatIf(const WhatIfChanges &changes) const
{
    return Query(*this, changes).run();
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

QString baseEvidenceName(BaseEvidence evidence)
{
    switch (evidence) {
    case BaseEvidence::Dockerfile:
        return QStringLiteral("dockerfile");
    case BaseEvidence::Log:
        return QStringLiteral("log");
    case BaseEvidence::LogAndDaemon:
        return QStringLiteral("log+daemon");
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
    QJsonArray bases;
    for (const BaseImageVerdict &b : result.baseImages) {
        QJsonObject base;
        base.insert(QStringLiteral("stage"), b.stageToken);
        base.insert(QStringLiteral("previous"), b.previous);
        base.insert(QStringLiteral("next"), b.next);
        base.insert(QStringLiteral("verdict"), verdictName(b.verdict));
        base.insert(QStringLiteral("run_config_changed"), b.runConfigChanged);
        base.insert(QStringLiteral("rests_on"), baseEvidenceName(b.restsOn));
        base.insert(QStringLiteral("detail"), b.detail);
        bases.append(base);
    }
    o.insert(QStringLiteral("base_images"), bases);
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
