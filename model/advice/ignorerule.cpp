// Rule context-not-ignored: a COPY that sends a whole folder also sends what no step needs and what changes
// without any source edit (.git on every commit, node_modules on every local install, caches, the Dockerfile
// itself), and each such change re-runs the COPY and everything after it. Docker's ".dockerignore files"
// guide: leave them out of the context.

#include "advicerules.h"
#include "model/buildlog/buildrun.h"
#include "model/core/duration.h"
#include "packagemanagers.h"

#include <QRegularExpression>

namespace Stagelens {

namespace {

struct Candidate
{
    QString pattern; ///< the .dockerignore line
    QString what; ///< "git's repository data"
    QString change; ///< the representative change in words
    bool anyDepth = false; ///< match the folder name at any depth (**/node_modules)
    QStringList preferred; ///< files inside that the change writes, best first
    QString needsInstall; ///< a package manager id whose install must be in the build (else the image may
                          ///< rely on the local copy)
};

const QList<Candidate> &candidates()
{
    static const QList<Candidate> list = {
        {QStringLiteral(".git"), QStringLiteral("git's repository data"),
            QStringLiteral("a commit or checkout (git rewrites %1)"), false,
            {QStringLiteral(".git/index"), QStringLiteral(".git/HEAD")}, {}},
        {QStringLiteral("**/node_modules"), QStringLiteral("locally installed npm packages"),
            QStringLiteral("a local npm install (it writes %1)"), true, {}, QStringLiteral("node")},
        {QStringLiteral("**/__pycache__"), QStringLiteral("Python's bytecode cache"),
            QStringLiteral("running the code locally (Python rewrites %1)"), true, {}, {}},
        {QStringLiteral(".venv"), QStringLiteral("a local virtualenv"),
            QStringLiteral("a local pip install (it writes %1)"), false, {}, QStringLiteral("pip")},
        {QStringLiteral("venv"), QStringLiteral("a local virtualenv"),
            QStringLiteral("a local pip install (it writes %1)"), false, {}, QStringLiteral("pip")},
        {QStringLiteral("**/.pytest_cache"), QStringLiteral("pytest's cache"),
            QStringLiteral("a local test run (pytest writes %1)"), true, {}, {}},
        {QStringLiteral("**/.mypy_cache"), QStringLiteral("mypy's cache"),
            QStringLiteral("a local type check (mypy writes %1)"), true, {}, {}},
        {QStringLiteral(".tox"), QStringLiteral("tox's environments"),
            QStringLiteral("a local tox run (it writes %1)"), false, {}, {}},
    };
    return list;
}

// Whether any needed stage installs with the manager family (the image then does not need the local copy).
bool buildInstalls(const RuleContext &ctx, const QString &family)
{
    for (const StepRef ref : ctx.graph.neededVertices()) {
        const Step *s = ctx.graph.step(ref);
        if (s->kind != InstructionKind::Run)
            continue;
        for (const PackageManager &pm : installsIn(runCommand(s->text))) {
            if (family == QLatin1String("node")
                && (pm.id == QLatin1String("npm") || pm.id == QLatin1String("yarn")
                    || pm.id == QLatin1String("pnpm")))
                return true;
            if (family == QLatin1String("pip")
                && (pm.id == QLatin1String("pip") || pm.id == QLatin1String("poetry")
                    || pm.id == QLatin1String("uv")))
                return true;
        }
    }
    return false;
}

// The needed steps that read entry `e` (or a file below it), in graph order.
QList<StepRef> readersOf(const RuleContext &ctx, int e)
{
    const ContextEntry &entry = ctx.context()->entries().at(e);
    QList<StepRef> readers;
    for (const StepRef ref : ctx.graph.neededVertices()) {
        for (int r : ctx.engine.contextReads(ref)) {
            if (r == e || (r > e && r < entry.subtreeEnd)) {
                readers.append(ref);
                break;
            }
        }
    }
    return readers;
}

// A step that names the path itself (COPY .git ..., RUN git describe): the build needs it.
QString explicitUse(const RuleContext &ctx, const QString &path, const QString &name)
{
    // git as a command (at the start of a shell command), not a package name being installed.
    static const QRegularExpression gitCommand(
        QStringLiteral(R"((?:^|&&|\|\||[;|(`]|\$\()\s*(?:sudo\s+)?git\s)"),
        QRegularExpression::MultilineOption);
    for (const StepRef ref : ctx.graph.neededVertices()) {
        const Step *s = ctx.graph.step(ref);
        for (const QString &source : s->sources) {
            if (source == path || source.startsWith(path + QLatin1Char('/'))
                || source.endsWith(QLatin1Char('/') + name))
                return QStringLiteral("line %1 copies %2").arg(s->line).arg(source);
        }
        if (s->kind == InstructionKind::Run) {
            const QString command = runCommand(s->text);
            if (name == QLatin1String(".git") && gitCommand.match(command).hasMatch())
                return QStringLiteral("line %1 runs git, which reads .git").arg(s->line);
            if (command.contains(name))
                return QStringLiteral("line %1 names %2").arg(s->line).arg(name);
        }
    }
    return {};
}

// Files and bytes below a folder (sizes asked of the file system, at most `limit` files).
QString sizeOf(const ContextIndex &c, int e)
{
    const ContextEntry &entry = c.entries().at(e);
    if (entry.type != EntryType::Directory) {
        const ContextFileStatus st = c.fileStatus(e);
        return st.exists ? QStringLiteral("%1 bytes").arg(st.size) : QString();
    }
    constexpr int Limit = 20000;
    qint64 bytes = 0;
    int files = 0;
    bool all = true;
    for (int i = e + 1; i < entry.subtreeEnd; ++i) {
        if (c.entries().at(i).type != EntryType::File)
            continue;
        if (files == Limit) {
            all = false;
            break;
        }
        bytes += c.fileStatus(i).size;
        ++files;
    }
    return QStringLiteral("%1%2 files, %3%4 MB")
        .arg(all ? QString() : QStringLiteral("over "))
        .arg(files)
        .arg(all ? QString() : QStringLiteral("over "))
        .arg(double(bytes) / 1e6, 0, 'f', 1);
}

// What the loaded build spent sending the context ("[internal] load build context" and its size).
QStringList transferEvidence(const RuleContext &ctx)
{
    QStringList out;
    if (!ctx.input.run)
        return out;
    for (const BuildVertex &v : ctx.input.run->vertices) {
        if (!v.name.contains(QLatin1String("load build context")))
            continue;
        if (v.seconds)
            out.append(
                QStringLiteral("the build spent %1 sending the context").arg(formatDuration(*v.seconds)));
        break;
    }
    return out;
}

} // namespace

void adviseContextNotIgnored(const RuleContext &ctx, QList<Proposal> *out, QList<AdviceNote> *notes)
{
    const ContextIndex *c = ctx.context();
    if (!c)
        return;
    const QList<ContextEntry> &entries = c->entries();
    const QString rule = QString::fromLatin1(AdviceRule::ContextNotIgnored);

    auto propose = [&](int e, const QString &pattern, const QString &what, const QString &changeText,
                       const QString &edited) {
        const QList<StepRef> readers = readersOf(ctx, e);
        if (readers.isEmpty())
            return;
        const Step *first = ctx.graph.step(readers.first());
        Proposal p;
        p.rule = rule;
        p.line = first->line;
        for (const StepRef r : readers)
            p.lines.append(ctx.graph.step(r)->line);
        p.title = QStringLiteral("Leave %1 out of the build context").arg(entries.at(e).path);
        p.detail = QStringLiteral(
            "%1 (line %2) sends %3 (%4), which no step needs; every change to it re-runs that COPY and "
            "what follows. Add `%5` to %6.")
                       .arg(quoteCommand(first->text))
                       .arg(first->line)
                       .arg(entries.at(e).path, what, pattern,
                           c->ignoreFile().isEmpty() ? QStringLiteral("a new .dockerignore")
                                                     : QStringLiteral("the .dockerignore"));
        p.ignoreAdd = {pattern};
        p.change.paths = {{edited, ChangeKind::Content}};
        p.changeText = changeText;
        p.whatifArgs = {QStringLiteral("--changed"), edited};
        if (const QString size = sizeOf(*c, e); !size.isEmpty())
            p.evidence.append(QStringLiteral("%1: %2 in the context").arg(entries.at(e).path, size));
        p.evidence.append(transferEvidence(ctx));
        out->append(p);
    };

    for (const Candidate &cand : candidates()) {
        const QString name = cand.anyDepth ? cand.pattern.mid(3) : cand.pattern;
        for (int e = 0; e < entries.size(); ++e) {
            const ContextEntry &entry = entries.at(e);
            const QString base = entry.path.mid(entry.path.lastIndexOf(QLatin1Char('/')) + 1);
            if (entry.ignored || entry.type != EntryType::Directory || base != name
                || (!cand.anyDepth && entry.depth != 0))
                continue;
            if (readersOf(ctx, e).isEmpty())
                break;
            if (const QString use = explicitUse(ctx, entry.path, name); !use.isEmpty()) {
                notes->append({rule, 0,
                    QStringLiteral("%1 is sent with the context and changes without any source edit, but %2: "
                                   "keep it unless that step can do without it")
                        .arg(entry.path, use)});
                break;
            }
            if (!cand.needsInstall.isEmpty() && !buildInstalls(ctx, cand.needsInstall)) {
                notes->append({rule, 0,
                    QStringLiteral("%1 is sent with the context, but no step installs those packages: the "
                                   "image may rely on the local copy, so it is not advised away")
                        .arg(entry.path)});
                break;
            }
            // The file the change writes: the preferred one, else the first file below.
            QString edited;
            for (const QString &f : cand.preferred) {
                if (c->indexOf(f) >= 0) {
                    edited = f;
                    break;
                }
            }
            for (int i = e + 1; edited.isEmpty() && i < entry.subtreeEnd; ++i) {
                if (entries.at(i).type == EntryType::File && !entries.at(i).ignored)
                    edited = entries.at(i).path;
            }
            if (edited.isEmpty())
                break;
            propose(e, cand.pattern, cand.what, cand.change.arg(edited), edited);
            break; // one advice per pattern: it covers every match
        }
    }

    // The Dockerfile itself, when a broad COPY sends it: every edit of it (a comment) re-runs that COPY.
    const int df = c->indexOf(ctx.dockerfileName);
    if (df >= 0 && !entries.at(df).ignored) {
        const QString name = ctx.dockerfileName;
        if (const QString use = explicitUse(ctx, name, name); use.isEmpty())
            propose(df, name, QStringLiteral("the Dockerfile itself"),
                QStringLiteral("an edit of %1 that leaves the copied files alone (a comment, a later step)")
                    .arg(name),
                name);
    }
}

} // namespace Stagelens
