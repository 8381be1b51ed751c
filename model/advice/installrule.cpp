// Rule install-after-broad-copy: a dependency install placed after a COPY that sends the sources re-runs on
// every source edit. Docker's "Optimize cache usage" guide: copy the manifests and lockfiles first, install,
// then copy the rest.

#include "advicerules.h"
#include "model/core/duration.h"
#include "packagemanagers.h"

#include <QRegularExpression>

namespace Stagelens {

namespace {

// Folders of generated or downloaded files: an edit there is not a source edit.
bool isGenerated(const QString &path)
{
    static const QRegularExpression generated(QStringLiteral(
        R"((?:^|/)(?:\.git|node_modules|__pycache__|\.venv|venv|\.tox|\.pytest_cache|\.mypy_cache|dist|build|target)(?:/|$))"));
    return generated.match(path).hasMatch();
}

bool isSourceLike(const QString &path)
{
    if (isGenerated(path))
        return false;
    static const QRegularExpression ext(QStringLiteral(
        R"(\.(c|cc|cpp|h|hpp|go|rs|py|js|jsx|ts|tsx|mjs|java|kt|rb|php|cs|swift|scala|vue|svelte|html|css|scss)$)"));
    return ext.match(path).hasMatch();
}

// Where a COPY source puts the context: "" for the context root, "app" for COPY app/ ..., nothing (null)
// for a single file or a wildcard.
std::optional<QString> copiedFolder(const RuleContext &ctx, const QString &source)
{
    QString s = source;
    while (s.startsWith(QLatin1String("./")))
        s = s.mid(2);
    while (s.endsWith(QLatin1Char('/')) && s.size() > 1)
        s.chop(1);
    if (s.isEmpty() || s == QLatin1String(".") || s == QLatin1String("/"))
        return QString();
    const ContextIndex *c = ctx.context();
    const int i = c ? c->indexOf(s) : -1;
    if (i >= 0 && c->entries().at(i).type == EntryType::Directory)
        return s;
    return std::nullopt;
}

QString joined(const QString &folder, const QString &name)
{
    return folder.isEmpty() ? name : folder + QLatin1Char('/') + name;
}

// The package.json scripts npm/yarn/pnpm run on install: they may need the sources.
QStringList lifecycleScripts(const QByteArray &packageJson)
{
    QStringList found;
    for (const char *name : {"preinstall", "install", "postinstall", "prepare"}) {
        if (packageJson.contains(QByteArray(QByteArray("\"") + name + "\"")))
            found.append(QString::fromLatin1(name));
    }
    return found;
}

} // namespace

void adviseInstallAfterBroadCopy(const RuleContext &ctx, QList<Proposal> *out, QList<AdviceNote> *notes)
{
    if (!ctx.context())
        return;
    for (const Stage &stage : ctx.graph.stages) {
        if (!stage.needed)
            continue;
        for (int i = 1; i < stage.steps.size(); ++i) {
            const Step &run = stage.steps.at(i);
            if (run.kind != InstructionKind::Run || !run.isVertex())
                continue;
            const QString command = runCommand(run.text);
            const QList<PackageManager> installs = installsIn(command);
            if (installs.isEmpty())
                continue;
            // The nearest earlier step that sends sources from the context.
            int c = i - 1;
            while (c > 0
                && !(stage.steps.at(c).readsContext() && stage.steps.at(c).kind != InstructionKind::Run))
                --c;
            if (c <= 0)
                continue;
            const Step &copy = stage.steps.at(c);
            if (copy.kind != InstructionKind::Copy || copy.parents || !copy.excludes.isEmpty())
                continue;
            std::optional<QString> folder;
            for (const QString &source : copy.sources) {
                if ((folder = copiedFolder(ctx, source)))
                    break;
            }
            if (!folder)
                continue; // the COPY names files: not a broad copy

            for (const PackageManager &pm : installs) {
                if (!pm.dependenciesOnly)
                    continue;
                QStringList manifests;
                for (const QString &name : pm.manifests) {
                    if (ctx.inContext(joined(*folder, name)))
                        manifests.append(joined(*folder, name));
                }
                // Files the command names (pip install -r requirements/prod.txt, apt from a list).
                static const QRegularExpression token(QStringLiteral(R"([^\s'"=<>|;&]+)"));
                for (auto it = token.globalMatch(command); it.hasNext();) {
                    QString t = it.next().captured();
                    while (t.startsWith(QLatin1String("./")))
                        t = t.mid(2);
                    const QString path = joined(*folder, t);
                    if (!t.isEmpty() && !manifests.contains(path) && ctx.inContext(path)
                        && ctx.context()->entries().at(ctx.context()->indexOf(path)).type == EntryType::File)
                        manifests.append(path);
                }
                if (manifests.isEmpty())
                    continue;

                const StepRef runRef {stage.index, i};
                const StepRef copyRef {stage.index, c};
                // What lies between the COPY and the install would move after it: only image metadata may.
                QString between;
                for (int k = c + 1; k < i; ++k) {
                    if (stage.steps.at(k).kind != InstructionKind::Metadata) {
                        between = stage.steps.at(k).keyword;
                        break;
                    }
                }
                if (!between.isEmpty()) {
                    notes->append({QString::fromLatin1(AdviceRule::InstallAfterBroadCopy), run.line,
                        QStringLiteral("%1 on line %2 runs after COPY on line %3 sends the sources, but a %4 "
                                       "between them would have to move too: copy %5 first by hand if the "
                                       "install does not depend on it")
                            .arg(quoteCommand(command))
                            .arg(run.line)
                            .arg(copy.line)
                            .arg(between, manifests.join(QStringLiteral(", ")))});
                    break;
                }
                if (pm.id == QLatin1String("npm") || pm.id == QLatin1String("yarn")
                    || pm.id == QLatin1String("pnpm")) {
                    const QStringList scripts = lifecycleScripts(
                        ctx.readContextFile(joined(*folder, QStringLiteral("package.json"))));
                    if (!scripts.isEmpty()) {
                        notes->append({QString::fromLatin1(AdviceRule::InstallAfterBroadCopy), run.line,
                            QStringLiteral("%1 on line %2 re-runs on every source edit, but package.json has "
                                           "a %3 script that runs on install and may need the sources: copy "
                                           "the manifests first only if it does not")
                                .arg(quoteCommand(command))
                                .arg(run.line)
                                .arg(scripts.join(QStringLiteral("/")))});
                        break;
                    }
                }
                // A representative edit: a source file the broad COPY sends, not a manifest.
                QString edited;
                for (const QString &f : ctx.filesRead(copyRef)) {
                    if (manifests.contains(f) || f == ctx.dockerfileName
                        || (isGenerated(f) && !edited.isEmpty()))
                        continue;
                    if (edited.isEmpty() || (isSourceLike(f) && !isSourceLike(edited)))
                        edited = f;
                    if (isSourceLike(edited))
                        break;
                }
                if (edited.isEmpty())
                    break;

                // COPY <manifests> <dest>/ ; RUN <install> ; COPY . . ; ...
                QString dest = copy.destination;
                if (manifests.size() > 1 && !dest.endsWith(QLatin1Char('/')))
                    dest += QLatin1Char('/');
                QString flags;
                if (!copy.chown.isEmpty())
                    flags += QStringLiteral("--chown=%1 ").arg(copy.chown);
                if (!copy.chmod.isEmpty())
                    flags += QStringLiteral("--chmod=%1 ").arg(copy.chmod);
                if (copy.link)
                    flags += QStringLiteral("--link ");
                LineEdit insert;
                insert.first = copy.line;
                insert.last = copy.line - 1;
                insert.lines.append(
                    QStringLiteral("COPY %1%2 %3").arg(flags, manifests.join(QLatin1Char(' ')), dest));
                insert.origins.append(0);
                const QStringList runLines = ctx.stepLines(run);
                for (int k = 0; k < runLines.size(); ++k) {
                    insert.lines.append(runLines.at(k));
                    insert.origins.append(run.line + k);
                }
                const LineEdit remove {run.line, run.line + int(runLines.size()) - 1, {}, {}};

                Proposal p;
                p.rule = QString::fromLatin1(AdviceRule::InstallAfterBroadCopy);
                p.line = run.line;
                p.lines = {copy.line, run.line};
                p.title = QStringLiteral("Copy %1 before the sources so %2 stays cached")
                              .arg(manifests.join(QStringLiteral(", ")), quoteCommand(command));
                const std::optional<double> t = ctx.seconds(runRef);
                p.detail =
                    QStringLiteral(
                        "%1 (line %2) runs after %3 (line %4) has sent the sources, so an edit of any source "
                        "file re-runs the install%5. Copy %6 first, install, then copy the rest: the install "
                        "then re-runs only when they change.")
                        .arg(quoteCommand(command))
                        .arg(run.line)
                        .arg(quoteCommand(copy.text))
                        .arg(copy.line)
                        .arg(t ? QStringLiteral(" (%1 when it last ran)").arg(formatDuration(*t)) : QString(),
                            manifests.join(QStringLiteral(" and ")));
                p.dockerfileEdits = {insert, remove};
                p.change.paths = {{edited, ChangeKind::Content}};
                p.changeText = QStringLiteral("an edit of %1 (any file line %2 sends other than %3)")
                                   .arg(edited)
                                   .arg(copy.line)
                                   .arg(manifests.join(QStringLiteral(", ")));
                p.whatifArgs = {QStringLiteral("--changed"), edited};
                if (const QString e = ctx.timeEvidence(runRef); !e.isEmpty())
                    p.evidence.append(e);
                p.evidence.append(QStringLiteral("line %1 sends %2 files of the context")
                                      .arg(copy.line)
                                      .arg(ctx.filesRead(copyRef).size()));
                out->append(p);
                break;
            }
        }
    }
}

} // namespace Stagelens
