#pragma once

// The rules of the advice engine and what they share. Private to model/advice: each rule looks at the
// project and proposes rewrites; adviceengine.cpp checks every proposal (it parses, keeps what the target
// needs, and the what-if engine confirms the saving) before it becomes an Advice.

#include "advice.h"
#include "textedit.h"

#include <QSet>

namespace Stagelens {

/// A rewrite a rule proposes, not yet checked.
struct Proposal
{
    QString rule;
    int line = 0;
    QList<int> lines;
    QString title;
    QString detail;
    QList<LineEdit> dockerfileEdits;
    QStringList ignoreAdd; ///< patterns appended to the ignore file (created when there is none)
    QSet<int> removableLines; ///< first lines of vertex steps the rewrite may drop (folded into another)
    WhatIfChanges change; ///< the representative change, on the Dockerfile as it is
    QString changeText;
    QStringList whatifArgs;
    QStringList evidence;
    /// About correctness, not a change (apt-update-alone): no saving to confirm, only that it parses and
    /// keeps every step.
    bool correctness = false;
    /// The change stops existing once the rewrite is in (a pinned base does not move with its tag): the
    /// rewritten Dockerfile is asked about no change at all.
    bool changeGoesAway = false;
    /// The rewrite makes a re-run cheaper, not rarer (a cache mount): the same steps re-run, and the saving
    /// is what the log says the step spent downloading (unknown when it does not say).
    bool cheaperRerun = false;
    std::optional<double> measuredSaving;
};

/// What every rule reads: the input plus helpers over it.
class RuleContext
{
public:
    explicit RuleContext(const AdviceInput &input);

    const AdviceInput &input;
    const BuildGraph &graph;
    QStringList lines; ///< the Dockerfile's lines
    CacheEngine engine; ///< on the Dockerfile as it is, with the step times
    QString dockerfileName; ///< the Dockerfile relative to the context folder (the patch's file name)

    const ContextIndex *context() const { return input.context.get(); }
    /// The raw Dockerfile lines of a step.
    QStringList stepLines(const Step &step) const;
    /// The step's output in the loaded build (empty when it did not run there or no build is loaded).
    QString stepOutput(StepRef ref) const;
    /// Whether the loaded build ran the step (so its output, or the absence of it, is known).
    bool ranInBuild(StepRef ref) const;
    std::optional<double> seconds(StepRef ref) const;
    /// "line 12 took 45.2 s in the loaded build", or empty.
    QString timeEvidence(StepRef ref) const;
    /// The loaded build came from a CI job (a wrapped log): cache mounts start empty on ephemeral runners.
    bool fromCi() const;
    /// Whether a context path exists and BuildKit receives it.
    bool inContext(const QString &path) const;
    /// A small text file of the context (at most 1 MB), empty when missing or larger.
    QByteArray readContextFile(const QString &path) const;
    /// The context files a step reads (entries of type File).
    QStringList filesRead(StepRef ref) const;
};

void adviseInstallAfterBroadCopy(const RuleContext &ctx, QList<Proposal> *out, QList<AdviceNote> *notes);
void adviseContextNotIgnored(const RuleContext &ctx, QList<Proposal> *out, QList<AdviceNote> *notes);
void adviseNoCacheMount(const RuleContext &ctx, QList<Proposal> *out, QList<AdviceNote> *notes);
void adviseEarlyArg(const RuleContext &ctx, QList<Proposal> *out, QList<AdviceNote> *notes);
void adviseUnpinnedBase(const RuleContext &ctx, QList<Proposal> *out, QList<AdviceNote> *notes);
void adviseCopyInsteadOfBind(const RuleContext &ctx, QList<Proposal> *out, QList<AdviceNote> *notes);
void adviseCopyLink(const RuleContext &ctx, QList<Proposal> *out, QList<AdviceNote> *notes);
void adviseAptUpdateAlone(const RuleContext &ctx, QList<Proposal> *out, QList<AdviceNote> *notes);

/// "`npm ci`": a command shortened for a sentence.
QString quoteCommand(const QString &command);

} // namespace Stagelens
