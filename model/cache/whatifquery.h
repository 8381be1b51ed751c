#pragma once

// One what-if question put to the cache engine: the changed paths and lines resolved once, then every needed
// stage walked in dependency order, each step given a verdict and its reason chain. Private to CacheEngine
// (CacheEngine::whatIf is the interface); one object per query, any thread.

#include "cacheengine.h"

namespace Stagelens {

class CacheEngine::Query
{
public:
    Query(const CacheEngine &engine, const WhatIfChanges &changes);
    WhatIfResult run();

    /// The verdict a chain carries from one vertex to the next (and through FROM <stage>).
    struct ChainState
    {
        Verdict verdict = Verdict::Cached;
        QStringList reasons;
        QString lastLabel; ///< label of the last vertex step, for "follows ..."
    };
    /// A changed context path that can matter, and whether a step reads it.
    struct EffectivePath
    {
        QString path;
        ChangeKind kind = ChangeKind::Content;
        bool matched = false;
        bool implied = false; ///< not asked for: follows from another change (an edited Dockerfile line)
        bool missing = false; ///< not in the context as scanned (deleted since, or a wrong path)
    };

private:
    struct StageWalk;

    void resolvePaths();
    void resolveLines();
    void walkStage(int s);
    QString fromCause(int s) const;
    void judgeBase(int s, StageWalk &walk);
    void absorbEnvironment(StepRef ref, const Step &step, StageWalk &walk) const;
    QStringList ownCauses(StepRef ref, const Step &step, StageWalk &walk, QStringList *maybe);
    QStringList contextCauses(StepRef ref, const Step &step, QStringList *maybe);
    QStringList upstreamCauses(const Step &step) const;
    void addNotes();
    void collect();

    const CacheEngine &m_engine;
    const BuildGraph &m_graph;
    const WhatIfChanges &m_changes;
    WhatIfResult m_result;
    QList<EffectivePath> m_paths;
    QString m_ignoreFile; ///< the ignore file, relative to the context; empty when none
    QSet<QString> m_changedArgs;
    QHash<StepRef, int> m_changedStepLines;
    QHash<int, int> m_changedFromLines; ///< stage -> changed line of its FROM
    QStringList m_globalArgs;
    QHash<int, ChainState> m_finals; ///< stage -> the state its last step leaves
    QHash<int, QStringList> m_pendingEnvOut; ///< ENV/USER/SHELL changes not yet consumed by a RUN: inherited
    QHash<StepRef, StepVerdict> m_verdicts;
};

} // namespace Stagelens
