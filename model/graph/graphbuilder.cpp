// Interprets a parsed Dockerfile the way BuildKit's dockerfile2llb does: global args, stages and their
// dependencies, the target, and every step's text, label and inputs (GraphBuilder). The values it makes
// are in buildgraph.h.
#include "buildgraph.h"
#include "imagereference.h"
#include "model/dockerfile/dockerfileparser.h"
#include "model/shell/shelllexer.h"
#include "platform.h"

#include <QFile>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <optional>

namespace Stagelens {

namespace {

const QString ScratchImage = QStringLiteral("scratch");

// BuildKit's platform defaults when no --platform is requested: the daemon's own platform, which we take to
// be linux/amd64 (the machines the corpus logs come from).
const QList<QPair<QString, QString>> &defaultPlatformArgs()
{
    static const QList<QPair<QString, QString>> args = {
        {QStringLiteral("BUILDPLATFORM"), QStringLiteral("linux/amd64")},
        {QStringLiteral("BUILDOS"), QStringLiteral("linux")},
        {QStringLiteral("BUILDOSVERSION"), QString()},
        {QStringLiteral("BUILDARCH"), QStringLiteral("amd64")},
        {QStringLiteral("BUILDVARIANT"), QString()},
        {QStringLiteral("TARGETPLATFORM"), QStringLiteral("linux/amd64")},
        {QStringLiteral("TARGETOS"), QStringLiteral("linux")},
        {QStringLiteral("TARGETOSVERSION"), QString()},
        {QStringLiteral("TARGETARCH"), QStringLiteral("amd64")},
        {QStringLiteral("TARGETVARIANT"), QString()},
    };
    return args;
}

// Keywords are case-insensitive in Dockerfiles; the AST keeps them lower-case.
InstructionKind kindOf(const QString &keyword)
{
    static const QHash<QString, InstructionKind> kinds = {
        {QStringLiteral("from"), InstructionKind::From},
        {QStringLiteral("run"), InstructionKind::Run},
        {QStringLiteral("copy"), InstructionKind::Copy},
        {QStringLiteral("add"), InstructionKind::Add},
        {QStringLiteral("workdir"), InstructionKind::Workdir},
        {QStringLiteral("arg"), InstructionKind::Arg},
        {QStringLiteral("env"), InstructionKind::Env},
        {QStringLiteral("user"), InstructionKind::User},
        {QStringLiteral("shell"), InstructionKind::Shell},
        {QStringLiteral("onbuild"), InstructionKind::Onbuild},
        {QStringLiteral("label"), InstructionKind::Metadata},
        {QStringLiteral("cmd"), InstructionKind::Metadata},
        {QStringLiteral("entrypoint"), InstructionKind::Metadata},
        {QStringLiteral("expose"), InstructionKind::Metadata},
        {QStringLiteral("volume"), InstructionKind::Metadata},
        {QStringLiteral("stopsignal"), InstructionKind::Metadata},
        {QStringLiteral("healthcheck"), InstructionKind::Metadata},
        {QStringLiteral("maintainer"), InstructionKind::Metadata},
    };
    return kinds.value(keyword.toLower(), InstructionKind::Unknown);
}

// Go's strings.TrimSpace.
QString goTrim(const QString &s)
{
    return s.trimmed();
}

// dockerfile2llb's uppercaseCmd: upper-case everything before the first space.
QString uppercaseCmd(const QString &text)
{
    const qsizetype space = text.indexOf(QLatin1Char(' '));
    if (space < 0)
        return text.toUpper();
    return text.left(space).toUpper() + text.mid(space);
}

// Values of `--name=value` flags as written in the AST (BuildKit's BFlags; a later flag wins for strings).
QStringList flagValues(const QStringList &flags, const QString &name)
{
    QStringList values;
    const QString prefix = QStringLiteral("--") + name;
    for (const QString &f : flags) {
        if (f == prefix)
            values.append(QString());
        else if (f.startsWith(prefix + QLatin1Char('=')))
            values.append(f.mid(prefix.size() + 1));
    }
    return values;
}

std::optional<QString> flagValue(const QStringList &flags, const QString &name)
{
    const QStringList values = flagValues(flags, name);
    if (values.isEmpty())
        return std::nullopt;
    return values.last();
}

bool flagBool(const QStringList &flags, const QString &name)
{
    const auto v = flagValue(flags, name);
    if (!v)
        return false;
    return v->isEmpty() || v->compare(QLatin1String("true"), Qt::CaseInsensitive) == 0;
}

// Go's encoding/csv for one record, as BuildKit splits a --mount value into its fields.
QStringList splitCsv(const QString &text)
{
    QStringList fields;
    QString current;
    bool quoted = false;
    bool fieldStart = true;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == QLatin1Char('"')) {
                if (i + 1 < text.size() && text.at(i + 1) == QLatin1Char('"')) {
                    current += c;
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                current += c;
            }
        } else if (c == QLatin1Char(',')) {
            fields.append(current);
            current.clear();
            fieldStart = true;
            continue;
        } else if (c == QLatin1Char('"') && fieldStart) {
            quoted = true;
        } else {
            current += c;
        }
        fieldStart = false;
    }
    fields.append(current);
    return fields;
}

// path.Clean for slash-separated paths.
// path.Clean for slash-separated paths (WORKDIR normalisation).
QString cleanPath(const QString &path)
{
    const bool absolute = path.startsWith(QLatin1Char('/'));
    QStringList out;
    for (const QString &part : path.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        if (part == QLatin1String("."))
            continue;
        if (part == QLatin1String("..")) {
            if (!out.isEmpty() && out.last() != QLatin1String(".."))
                out.removeLast();
            else if (!absolute)
                out.append(part);
            continue;
        }
        out.append(part);
    }
    const QString joined = out.join(QLatin1Char('/'));
    if (absolute)
        return QLatin1Char('/') + joined;
    return joined.isEmpty() ? QStringLiteral(".") : joined;
}

// BuildKit's system.NormalizeWorkdir for Linux stages.
QString normalizeWorkdir(const QString &current, const QString &requested)
{
    const QString base = current.isEmpty() ? QStringLiteral("/") : current;
    if (requested.startsWith(QLatin1Char('/')))
        return cleanPath(requested);
    return cleanPath(base + QLatin1Char('/') + requested);
}

// The k/n counter with BuildKit's padding: k is right-aligned to the width of n (`%*d/%d`).
QString counterText(int index, int total)
{
    const int width = int(QString::number(total).size());
    return QStringLiteral("%1/%2").arg(index, width, 10, QLatin1Char(' ')).arg(total);
}

bool isHeredocWord(const QString &word)
{
    static const QRegularExpression re(QStringLiteral("^(\\d*)<<(-?)\\s*([^<]*)$"));
    return re.match(word).hasMatch();
}

// summarizeHeredoc: the first line of the (trimmed) body, "..." when there are more.
QString summarizeHeredoc(const QString &body)
{
    QString doc = goTrim(body);
    doc.replace(QLatin1String("\r\n"), QLatin1String("\n"));
    const qsizetype nl = doc.indexOf(QLatin1Char('\n'));
    if (nl < 0)
        return doc;
    return doc.left(nl) + QLatin1String("...");
}

// Per-stage interpretation state, as dispatchState keeps it.
struct StageState
{
    ShellEnvironment env;
    QHash<QString, QSet<QString>> envArgDeps; ///< variable -> build args its value came from
    QStringList argsInScope;
    QString workdir = QStringLiteral("/");
    QList<Instruction> onbuild; ///< ONBUILD triggers a child stage runs first
};

// The build args behind the variables an expansion used.
QSet<QString> depsOf(const StageState &state, const QSet<QString> &matched)
{
    QSet<QString> deps;
    for (const QString &name : matched)
        deps.unite(state.envArgDeps.value(name));
    return deps;
}

QStringList sortedList(const QSet<QString> &set)
{
    QStringList list(set.begin(), set.end());
    list.sort();
    return list;
}

struct SourceRef
{
    int stage = -1; ///< resolved stage, or -1 for an image / the context
    QString text;
    bool registered = false; ///< creates an (unregistered) dispatch state in BuildKit
};

class GraphBuilder
{
public:
    GraphBuilder(const DockerfileAst &ast, const QString &fileName, const BuildOptions &options)
        : m_ast(ast)
        , m_options(options)
        , m_lexer(ast.escapeToken)
    {
        m_graph.file = fileName;
        m_graph.diagnostics = ast.diagnostics;
    }

    // The phases of dockerfile2llb's Dockerfile2LLB, in its order: meta args, stages, target, dependency
    // graph, cycle check, reachability, then the per-stage dispatch that names the vertices.
    BuildGraph run()
    {
        splitStages();
        if (m_stageInstructions.isEmpty()) {
            error(0, QStringLiteral("dockerfile contains no stages to build"));
            return m_graph;
        }
        buildGlobalArgs();
        createStages();
        resolveTarget();
        resolveDependencies();
        checkCycles();
        markNeeded();
        reportUnknownRefs();
        m_singleUnnamed = m_stageInstructions.size() == 1 && m_extraStates == 0;
        for (int i = 0; i < m_graph.stages.size(); ++i)
            dispatchStage(i);
        resolveEdgeTargets();
        return m_graph;
    }

private:
    // Which step of the consuming stage each COPY --from / mount edge comes into, found once here so views
    // never search by line number.
    void resolveEdgeTargets()
    {
        for (Edge &edge : m_graph.edges) {
            if (edge.kind == EdgeKind::From || edge.to < 0 || edge.to >= m_graph.stages.size())
                continue;
            const QList<Step> &steps = m_graph.stages.at(edge.to).steps;
            for (int k = 1; k < steps.size(); ++k) {
                if (steps.at(k).line == edge.line) {
                    edge.toStep = k;
                    break;
                }
            }
        }
    }

    // The variables an instruction's text refers to, set or not, as the lexer sees them (quotes included:
    // '$X' refers to nothing). Text the lexer rejects is scanned for $NAME / ${NAME forms instead.
    QStringList referencedVariables(const QString &text, const ShellEnvironment &env) const
    {
        // Only '$' starts a reference, for the lexer and for the scan below: most instructions have none, and
        // the lexer's full expansion of each was a third of building a large file's graph.
        if (!text.contains(QLatin1Char('$')))
            return {};
        QSet<QString> names;
        const ShellWordResult r = m_lexer.processWord(text, env);
        if (r.ok()) {
            names = r.matched;
            names.unite(r.unmatched);
        } else {
            for (qsizetype i = text.indexOf(QLatin1Char('$')); i >= 0;
                 i = text.indexOf(QLatin1Char('$'), i + 1)) {
                qsizetype start = i + 1;
                if (start < text.size() && text.at(start) == QLatin1Char('{'))
                    ++start;
                qsizetype end = start;
                while (end < text.size()
                    && (text.at(end).isLetterOrNumber() || text.at(end) == QLatin1Char('_'))
                    && text.at(end).unicode() < 128)
                    ++end;
                if (end > start && !text.at(start).isDigit())
                    names.insert(text.mid(start, end - start));
            }
        }
        return sortedList(names);
    }

    void error(int line, const QString &message, Severity severity = Severity::Error)
    {
        Diagnostic d;
        d.severity = severity;
        d.file = m_graph.file;
        d.line = line;
        d.column = line > 0 ? 1 : 0;
        d.message = message;
        m_graph.diagnostics.append(d);
    }

    // Instructions before the first FROM: only ARGs matter (the global "meta" args).
    void splitStages()
    {
        for (const Instruction &ins : m_ast.instructions) {
            const QString kw = ins.keyword.toLower();
            if (kw == QLatin1String("from")) {
                m_stageInstructions.append(qMakePair(&ins, QList<const Instruction *>()));
            } else if (m_stageInstructions.isEmpty()) {
                if (kw == QLatin1String("arg"))
                    m_metaArgs.append(&ins);
                // anything else before the first FROM is reported by the parser
            } else {
                m_stageInstructions.last().second.append(&ins);
            }
        }
    }

    static QPair<QString, std::optional<QString>> splitArgWord(const QString &word)
    {
        const qsizetype eq = word.indexOf(QLatin1Char('='));
        if (eq < 0)
            return {word, std::nullopt};
        return {word.left(eq), word.mid(eq + 1)};
    }

    QString targetNameForArgs() const
    {
        if (!m_options.target.isEmpty())
            return m_options.target;
        const Instruction *last = m_stageInstructions.last().first;
        if (last->args.size() >= 3 && last->args.at(1).compare(QLatin1String("as"), Qt::CaseInsensitive) == 0)
            return last->args.at(2).toLower();
        return QStringLiteral("default");
    }

    // defaultArgs + buildMetaArgs: platform args, then each global ARG (a --build-arg overrides its default,
    // and a default may use the args before it).
    void buildGlobalArgs()
    {
        for (const auto &[key, value] : defaultPlatformArgs())
            m_global.insert(key, value);
        m_targetPlatform = parsePlatform(QStringLiteral("linux/amd64"));
        if (!m_options.platform.isEmpty()) {
            const Platform p = parsePlatform(m_options.platform);
            if (p.isValid())
                m_targetPlatform = p;
            else
                error(0, QStringLiteral("invalid platform \"%1\"").arg(m_options.platform));
        }
        m_global.insert(QStringLiteral("TARGETPLATFORM"), m_targetPlatform.toString());
        m_global.insert(QStringLiteral("TARGETOS"), m_targetPlatform.os);
        m_global.insert(QStringLiteral("TARGETARCH"), m_targetPlatform.architecture);
        m_global.insert(QStringLiteral("TARGETVARIANT"), m_targetPlatform.variant);
        for (const auto &[key, value] : defaultPlatformArgs()) {
            if (m_options.buildArgs.contains(key))
                m_global.insert(key, m_options.buildArgs.value(key));
        }
        m_global.insert(QStringLiteral("TARGETSTAGE"),
            m_options.buildArgs.value(QStringLiteral("TARGETSTAGE"), targetNameForArgs()));
        for (const Instruction *ins : std::as_const(m_metaArgs)) {
            for (const QString &word : ins->args) {
                const auto [key, def] = splitArgWord(word);
                if (key.isEmpty())
                    continue;
                m_graph.globalArgs.append({key, ins->startLine, std::max(ins->startLine, ins->endLine)});
                m_graph.argDeclarations.append({key, def, ins->startLine, true});
                std::optional<QString> value;
                QSet<QString> deps;
                if (m_options.buildArgs.contains(key)) {
                    value = m_options.buildArgs.value(key);
                } else if (def) {
                    const ShellWordResult r = m_lexer.processWord(*def, m_global);
                    if (!r.ok()) {
                        error(ins->startLine, r.error);
                        continue;
                    }
                    value = r.result;
                    for (const QString &m : r.matched)
                        deps.unite(m_globalDeps.value(m, {m}));
                }
                deps.insert(key);
                if (value) {
                    m_global.insert(key, *value);
                    m_globalDeps.insert(key, deps);
                }
            }
        }
    }

    // BuildKit keeps one map from lower-cased name to stage, filled as stages are added (a later duplicate
    // wins): FROM sees only the stages before it, --from and --target see them all.
    int findStageByName(const QString &name) const { return m_nameIndex.value(name.toLower(), -1); }

    // buildDispatchStates: expand FROM with the global args only, resolve FROM <stage>, and count the
    // vertices (n of k/n) the way BuildKit does before anything is dispatched.
    void createStages()
    {
        for (int i = 0; i < m_stageInstructions.size(); ++i) {
            const Instruction *from = m_stageInstructions[i].first;
            Stage st;
            st.index = i;
            st.line = from->startLine;
            if (from->args.size() >= 3
                && from->args.at(1).compare(QLatin1String("as"), Qt::CaseInsensitive) == 0)
                st.name = from->args.at(2).toLower();
            const QString rawBase = from->args.value(0);
            const ShellWordResult r = m_lexer.processWord(rawBase, m_global);
            QSet<QString> fromDeps;
            if (!r.ok()) {
                error(from->startLine, r.error);
            } else if (r.result.isEmpty()) {
                error(from->startLine, QStringLiteral("base name (%1) should not be blank").arg(rawBase));
            }
            st.baseName = r.ok() ? r.result : rawBase;
            for (const QString &m : r.matched)
                fromDeps.unite(m_globalDeps.value(m));
            if (const auto platform = flagValue(from->flags, QStringLiteral("platform"));
                platform && !platform->isEmpty()) {
                const ShellWordResult p = m_lexer.processWord(*platform, m_global);
                if (!p.ok())
                    error(from->startLine,
                        QStringLiteral("failed to process arguments for platform %1: %2")
                            .arg(*platform, p.error));
                else if (p.result.isEmpty())
                    error(from->startLine,
                        QStringLiteral("empty platform value from expression %1").arg(*platform));
                st.platform = p.result;
                for (const QString &m : p.matched)
                    fromDeps.unite(m_globalDeps.value(m));
            }
            // FROM <name> names only an earlier stage (BuildKit's addState looks it up while adding).
            st.baseStage = st.baseName.isEmpty() ? -1 : findStageByName(st.baseName);
            if (st.baseStage < 0 && !st.baseName.isEmpty() && st.baseName != ScratchImage) {
                const ImageReference ref = normalizeImageReference(st.baseName);
                if (ref.isValid())
                    st.base = ref.toString();
                else
                    error(from->startLine,
                        QStringLiteral("failed to parse stage name \"%1\": %2").arg(st.baseName, ref.error));
            }
            Platform stagePlatform = m_targetPlatform;
            if (!st.platform.isEmpty()) {
                const Platform p = parsePlatform(st.platform);
                if (p.isValid())
                    stagePlatform = p;
                else
                    error(from->startLine, QStringLiteral("failed to parse platform %1").arg(st.platform));
            }
            if (st.baseStage >= 0)
                stagePlatform =
                    m_stagePlatforms.value(st.baseStage, stagePlatform); // FROM <stage> runs on its platform
            m_stagePlatforms.append(stagePlatform);
            int total = (st.baseStage < 0 && st.baseName != ScratchImage) ? 1 : 0;
            for (const Instruction *ins : std::as_const(m_stageInstructions[i].second)) {
                const InstructionKind k = kindOf(ins->keyword);
                if (k == InstructionKind::Add || k == InstructionKind::Copy || k == InstructionKind::Run
                    || k == InstructionKind::Workdir)
                    ++total;
            }
            m_totals.append(total);
            m_fromDeps.append(fromDeps);
            if (!st.name.isEmpty())
                m_nameIndex.insert(st.name, i);
            m_graph.stages.append(st);
        }
    }

    // Default target: the last stage in the file.
    void resolveTarget()
    {
        const int last = int(m_graph.stages.size()) - 1;
        if (m_options.target.isEmpty()) {
            m_graph.targetStage = last;
        } else {
            m_graph.targetStage = findStageByName(m_options.target);
            // BuildOptions documents a stage index too (BuildKit itself takes names only)
            bool isIndex = false;
            const int index = m_options.target.toInt(&isIndex);
            if (m_graph.targetStage < 0 && isIndex && index >= 0 && index < m_graph.stages.size())
                m_graph.targetStage = index;
            if (m_graph.targetStage < 0)
                error(0, QStringLiteral("target stage \"%1\" could not be found").arg(m_options.target));
        }
        if (m_graph.targetStage >= 0)
            m_graph.target = m_graph.stages[m_graph.targetStage].token();
    }

    // toCommand for COPY --from: a number is a stage index, a name a stage, anything else an image.
    SourceRef resolveCopyFrom(const QString &from, int line)
    {
        SourceRef ref;
        ref.text = from;
        // BuildKit refuses variables in --from (it expands with an empty environment and compares).
        const ShellWordResult r = m_lexer.processWord(from, {});
        if (!r.ok() || r.result != from) {
            error(line,
                QStringLiteral("variable expansion is not supported for --from, define a new stage with FROM "
                               "using ARG from global scope as a workaround"));
            return ref;
        }
        bool isNumber = false;
        const int index = from.toInt(&isNumber);
        if (isNumber) {
            if (index < 0 || index >= m_graph.stages.size())
                error(line, QStringLiteral("invalid stage index %1").arg(index));
            else
                ref.stage = index;
            return ref;
        }
        ref.stage = findStageByName(from);
        if (ref.stage < 0) {
            ref.registered = true;
            checkImageSource(from, line, QStringLiteral("COPY --from"), m_currentStage);
        }
        return ref;
    }

    // A --from / from= that names no stage is an image to pull. A bare word (no registry, path, tag or
    // digest) is almost always a misspelt stage name: an error when the target needs that stage (the pull
    // would fail or fetch the wrong thing), a warning otherwise (BuildKit never resolves unreachable stages).
    void checkImageSource(const QString &from, int line, const QString &what, int stage)
    {
        static const QRegularExpression bare(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.-]*$"));
        if (bare.match(from).hasMatch() && from != ScratchImage) {
            m_unknownRefs.append({stage, line,
                QStringLiteral("%1=%2: no stage named \"%2\" (BuildKit would pull the image %3)")
                    .arg(what, from, normalizeImageReference(from.toLower()).toString())});
            return;
        }
        const ImageReference ref = normalizeImageReference(from);
        if (!ref.isValid())
            error(line, QStringLiteral("failed to parse stage name \"%1\": %2").arg(from, ref.error));
    }

    void reportUnknownRefs()
    {
        for (const UnknownRef &u : std::as_const(m_unknownRefs))
            error(u.line, u.message, m_graph.stages[u.stage].needed ? Severity::Error : Severity::Warning);
    }

    struct MountSpec
    {
        Mount mount;
        QString env; ///< secret mount env=
    };

    QList<MountSpec> parseMounts(const Instruction &ins) const
    {
        QList<MountSpec> mounts;
        for (const QString &value : flagValues(ins.flags, QStringLiteral("mount"))) {
            MountSpec spec;
            spec.mount.type = QStringLiteral("bind");
            for (const QString &field : splitCsv(value)) {
                const qsizetype eq = field.indexOf(QLatin1Char('='));
                const QString key = (eq < 0 ? field : field.left(eq)).trimmed().toLower();
                const QString val = eq < 0 ? QString() : field.mid(eq + 1);
                if (key == QLatin1String("type"))
                    spec.mount.type = val.toLower();
                else if (key == QLatin1String("from"))
                    spec.mount.from = val;
                else if (key == QLatin1String("source") || key == QLatin1String("src"))
                    spec.mount.source = val;
                else if (key == QLatin1String("target") || key == QLatin1String("dst")
                    || key == QLatin1String("destination"))
                    spec.mount.target = val;
                else if (key == QLatin1String("env"))
                    spec.env = val;
            }
            mounts.append(spec);
        }
        return mounts;
    }

    void addEdge(int from, int to, EdgeKind kind, int line)
    {
        Edge e;
        e.from = from;
        e.to = to;
        e.kind = kind;
        e.line = line;
        m_graph.edges.append(e);
    }

    // buildStageDependencyGraph: FROM, COPY --from and RUN --mount from= edges between stages. Sources that
    // are not stages are counted because they change BuildKit's state count (single-stage naming).
    void resolveDependencies()
    {
        m_deps.resize(m_graph.stages.size());
        for (int i = 0; i < m_graph.stages.size(); ++i) {
            m_currentStage = i;
            const Stage &st = m_graph.stages[i];
            if (st.baseStage >= 0)
                addEdge(st.baseStage, i, EdgeKind::From, st.line);
            for (const Instruction *ins : std::as_const(m_stageInstructions[i].second)) {
                const InstructionKind k = kindOf(ins->keyword);
                if (k == InstructionKind::Copy) {
                    if (const auto from = flagValue(ins->flags, QStringLiteral("from"));
                        from && !from->isEmpty()) {
                        const SourceRef ref = resolveCopyFrom(*from, ins->startLine);
                        if (ref.registered)
                            ++m_extraStates;
                        if (ref.stage >= 0) {
                            addEdge(ref.stage, i, EdgeKind::Copy, ins->startLine);
                            m_deps[i].append({ref.stage, ins->startLine});
                        }
                        m_copyFrom.insert(ins, ref.stage);
                    }
                } else if (k == InstructionKind::Run) {
                    const QList<MountSpec> mounts = parseMounts(*ins);
                    QList<int> stages;
                    for (const MountSpec &m : mounts) {
                        // Every mount gives BuildKit's RUN a source state: a stage, an image or scratch.
                        const int s = m.mount.from.isEmpty() ? -1 : findStageByName(m.mount.from);
                        if (s < 0)
                            ++m_extraStates;
                        if (s < 0 && !m.mount.from.isEmpty() && !m.mount.from.contains(QLatin1Char('$')))
                            checkImageSource(
                                m.mount.from, ins->startLine, QStringLiteral("RUN --mount from"), i);
                        if (s >= 0) {
                            addEdge(s, i, EdgeKind::Mount, ins->startLine);
                            m_deps[i].append({s, ins->startLine});
                        }
                        stages.append(s);
                    }
                    m_mountStages.insert(ins, stages);
                }
            }
        }
    }

    // validateCircularDependency: a depth-first walk over --from / mount dependencies (not FROM, which can
    // only name an earlier stage). Iterative, so a long chain of stages cannot overflow the stack.
    void checkCycles()
    {
        const int n = int(m_graph.stages.size());
        QList<int> color(n, 0); // 0 new, 1 on path, 2 done
        for (int root = 0; root < n; ++root) {
            if (color[root] != 0)
                continue;
            QList<QPair<int, int>> stack; // (stage, next dependency index)
            stack.append({root, 0});
            color[root] = 1;
            while (!stack.isEmpty()) {
                auto &[stage, next] = stack.last();
                if (next >= m_deps[stage].size()) {
                    color[stage] = 2;
                    stack.removeLast();
                    continue;
                }
                const auto [dep, line] = m_deps[stage][next++];
                if (color[dep] == 1) {
                    // BuildKit names the stage the walk started from (before single-stage names are dropped)
                    // and points first at the --from that leaves it.
                    Q_UNUSED(line);
                    const int firstLine = m_deps[root][stack.first().second - 1].second;
                    error(firstLine,
                        QStringLiteral("circular dependency detected on stage: %1")
                            .arg(m_graph.stages[root].token()));
                    return;
                }
                if (color[dep] == 0) {
                    color[dep] = 1;
                    stack.append({dep, 0});
                }
            }
        }
    }

    // allReachableStages: only these are solved and printed.
    void markNeeded()
    {
        if (m_graph.targetStage < 0)
            return;
        QList<int> queue {m_graph.targetStage};
        m_graph.stages[m_graph.targetStage].needed = true;
        while (!queue.isEmpty()) {
            const int s = queue.takeFirst();
            QList<int> next;
            if (m_graph.stages[s].baseStage >= 0)
                next.append(m_graph.stages[s].baseStage);
            for (const auto &[dep, line] : m_deps[s])
                next.append(dep);
            for (int d : next) {
                if (!m_graph.stages[d].needed) {
                    m_graph.stages[d].needed = true;
                    queue.append(d);
                }
            }
        }
    }

    QString prefixed(
        int stage, int *cmdIndex, const QString &text, const ShellEnvironment *env = nullptr) const
    {
        const int total = m_totals[stage];
        if (total == 0)
            return text;
        QString out = QStringLiteral("[");
        if (m_options.multiPlatform) {
            const Platform &base = m_stagePlatforms[stage];
            out += base.toString() + targetPlatformSuffix(base, env) + QLatin1Char(' ');
        }
        if (!m_singleUnnamed)
            out += m_graph.stages[stage].token() + QLatin1Char(' ');
        ++*cmdIndex;
        out += counterText(*cmdIndex, total) + QLatin1String("] ");
        return out + text;
    }

    // formatTargetPlatform(platformFromEnv(env)): "->arm64" when a stage running on one platform builds for
    // another, as its TARGET* args say.
    static QString targetPlatformSuffix(const Platform &base, const ShellEnvironment *env)
    {
        if (!env)
            return QString();
        Platform target;
        bool set = false;
        if (const Platform p = parsePlatform(env->value(QStringLiteral("TARGETPLATFORM")));
            env->contains(QStringLiteral("TARGETPLATFORM")) && p.isValid()) {
            target = p;
            set = true;
        } else {
            for (const QString &key :
                {QStringLiteral("TARGETOS"), QStringLiteral("TARGETARCH"), QStringLiteral("TARGETVARIANT")}) {
                if (env->contains(key))
                    set = true;
            }
            target.os = env->value(QStringLiteral("TARGETOS"));
            target.architecture = env->value(QStringLiteral("TARGETARCH"));
            target.variant = env->value(QStringLiteral("TARGETVARIANT"));
        }
        if (!set)
            return QString();
        if (target.os.isEmpty())
            target.os = base.os;
        if (target.architecture.isEmpty())
            target.architecture = base.architecture;
        target = normalizePlatform(target);
        if (target.os == base.os && target.architecture != base.architecture) {
            QString archVariant = target.architecture;
            if (!target.variant.isEmpty())
                archVariant += QLatin1Char('/') + target.variant;
            return QStringLiteral("->") + archVariant;
        }
        if (target.os != base.os)
            return QStringLiteral("->") + target.toString();
        return QString();
    }

    // processCmdEnv: the expansion of the whole source line, or the line itself when it does not expand.
    QString cmdEnv(
        const ShellLexer &lexer, const QString &text, const ShellEnvironment &env, QSet<QString> *matched)
    {
        // A line with none of the characters the lexer acts on ('$', '<' of a heredoc, quotes, the escape
        // token) comes out of it unchanged, having read no variable: most lines of a large file.
        const QChar escape = lexer.escapeToken();
        if (std::none_of(text.cbegin(), text.cend(), [escape](QChar c) {
                return c == QLatin1Char('$') || c == QLatin1Char('<') || c == QLatin1Char('\'')
                    || c == QLatin1Char('"') || c == escape;
            })) {
            if (matched)
                matched->clear();
            return text;
        }
        const ShellWordResult r = lexer.processWord(text, env);
        if (!r.ok())
            return text;
        if (matched)
            *matched = r.matched;
        return r.result;
    }

    // The single-word expansion BuildKit applies to instruction arguments; a failure is an input error.
    QString expandWord(const QString &word, const StageState &state, int line, QSet<QString> *deps)
    {
        const ShellWordResult r = m_lexer.processWord(word, state.env);
        if (!r.ok()) {
            error(line, r.error);
            return word;
        }
        if (deps)
            deps->unite(depsOf(state, r.matched));
        return r.result;
    }

    // dispatchArg: --build-arg value, else the default (expanded in the stage), else the global value.
    void dispatchArg(const Instruction &ins, StageState &state)
    {
        for (const QString &word : ins.args) {
            const auto [key, def] = splitArgWord(word);
            if (key.isEmpty())
                continue;
            std::optional<QString> value;
            QSet<QString> deps {key};
            if (m_options.buildArgs.contains(key)) {
                value = m_options.buildArgs.value(key);
            } else if (def) {
                const ShellWordResult r = m_lexer.processWord(*def, state.env);
                if (!r.ok()) {
                    error(ins.startLine, r.error);
                    continue;
                }
                value = r.result;
                deps.unite(depsOf(state, r.matched));
            } else if (m_global.contains(key)) {
                // ARG NAME without a default takes the global value (meta ARG or platform default)
                value = m_global.value(key);
                deps.unite(m_globalDeps.value(key));
            }
            if (value) {
                state.env.insert(key, *value);
                state.envArgDeps.insert(key, deps);
            }
            // without a value BuildKit leaves the environment alone: an ENV of the same name stays visible
            if (!state.argsInScope.contains(key))
                state.argsInScope.append(key);
        }
    }

    void dispatchEnv(const Instruction &ins, StageState &state)
    {
        // BuildKit expands every value of one ENV against the environment before it, then applies them.
        const int stride = ins.args.size() % 3 == 0 ? 3 : 2;
        QList<QPair<QString, QString>> updates;
        QList<QSet<QString>> updateDeps;
        for (qsizetype i = 0; i + 1 < ins.args.size(); i += stride) {
            QSet<QString> deps;
            const QString value = expandWord(ins.args.at(i + 1), state, ins.startLine, &deps);
            updates.append({ins.args.at(i), value});
            updateDeps.append(deps);
        }
        for (qsizetype i = 0; i < updates.size(); ++i) {
            state.env.insert(updates[i].first, updates[i].second);
            state.envArgDeps.insert(updates[i].first, updateDeps[i]);
        }
    }

    // The cache engine's inputs of a COPY/ADD: expanded sources and destination, and its flags.
    void fillCopy(const Instruction &ins, StageState &state, Step &step)
    {
        QSet<QString> deps;
        QStringList words;
        for (const QString &a : ins.args) {
            if (isHeredocWord(a))
                continue; // inline file, not a path
            words.append(ins.json ? a : expandWord(a, state, ins.startLine, &deps));
        }
        if (!words.isEmpty()) {
            step.destination = words.takeLast();
            step.sources = words;
        }
        if (const auto from = flagValue(ins.flags, QStringLiteral("from")))
            step.from = *from;
        step.fromStage = m_copyFrom.value(&ins, -1);
        step.excludes = flagValues(ins.flags, QStringLiteral("exclude"));
        step.parents = flagBool(ins.flags, QStringLiteral("parents"));
        step.link = flagBool(ins.flags, QStringLiteral("link"));
        step.chmod = flagValue(ins.flags, QStringLiteral("chmod")).value_or(QString());
        step.chown = flagValue(ins.flags, QStringLiteral("chown")).value_or(QString());
        if (!step.chown.isEmpty())
            step.chown = expandWord(step.chown, state, ins.startLine, &deps);
        if (!step.chmod.isEmpty())
            step.chmod = expandWord(step.chmod, state, ins.startLine, &deps);
        deps.unite(QSet<QString>(step.argDependencies.begin(), step.argDependencies.end()));
        step.argDependencies = sortedList(deps);
    }

    // Walks one stage as dispatch() would, giving each step its text, label and inputs. A FROM <stage> child
    // starts from its parent's environment, args in scope and working directory.
    void dispatchStage(int index)
    {
        Stage &st = m_graph.stages[index];
        const Instruction *from = m_stageInstructions[index].first;
        StageState state;
        if (st.baseStage >= 0) {
            state = m_states.value(st.baseStage);
        } else if (m_stagePlatforms.value(index).os != QLatin1String("windows")) {
            // BuildKit makes sure PATH is set; the image's own value is unknown here, most images use the
            // default
            state.env.insert(QStringLiteral("PATH"),
                QStringLiteral("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
        }
        int cmdIndex = 0;

        Step fromStep;
        fromStep.kind = InstructionKind::From;
        fromStep.keyword = QStringLiteral("FROM");
        fromStep.line = from->startLine;
        fromStep.endLine = qMax(from->endLine, from->startLine);
        fromStep.argDependencies = sortedList(m_fromDeps[index]);
        fromStep.variables = referencedVariables(goTrim(from->original), m_global);
        if (st.baseStage < 0 && st.baseName != ScratchImage && !st.base.isEmpty()) {
            fromStep.text = QStringLiteral("FROM ") + st.base;
            fromStep.label = prefixed(index, &cmdIndex, fromStep.text);
            fromStep.number = cmdIndex;
        } else {
            fromStep.text = QStringLiteral("FROM ") + st.baseName;
            if (st.baseStage < 0 && st.baseName != ScratchImage)
                ++cmdIndex; // an unparsable image still takes its place in the count
        }
        st.steps.append(fromStep);

        // ONBUILD triggers of a parent stage run first in the child (counted in its total).
        const QList<Instruction> triggers = state.onbuild;
        state.onbuild.clear();
        QList<const Instruction *> commands;
        QList<bool> onbuildFlags;
        for (const Instruction &trigger : triggers) {
            commands.append(&trigger);
            onbuildFlags.append(true);
            const InstructionKind k = kindOf(trigger.keyword);
            if (k == InstructionKind::Add || k == InstructionKind::Copy || k == InstructionKind::Run
                || k == InstructionKind::Workdir)
                ++m_totals[index];
        }
        for (const Instruction *ins : std::as_const(m_stageInstructions[index].second)) {
            commands.append(ins);
            onbuildFlags.append(false);
        }

        for (qsizetype c = 0; c < commands.size(); ++c) {
            const Instruction &ins = *commands[c];
            Step step;
            step.kind = kindOf(ins.keyword);
            step.keyword = ins.keyword.toUpper();
            // an ONBUILD trigger belongs to the FROM that fires it
            step.line = onbuildFlags[c] ? from->startLine : ins.startLine;
            step.endLine = onbuildFlags[c] ? from->startLine : qMax(ins.endLine, ins.startLine);
            const QString original = goTrim(ins.original);
            step.text = original;
            step.variables = referencedVariables(original, state.env);
            const QString onbuildPrefix = onbuildFlags[c] ? QStringLiteral("ONBUILD ") : QString();
            switch (step.kind) {
            case InstructionKind::Arg:
                for (const QString &word : ins.args) {
                    const auto [name, def] = splitArgWord(word);
                    if (name.isEmpty())
                        continue;
                    step.declares.append(name);
                    m_graph.argDeclarations.append({name, def, ins.startLine, false});
                }
                dispatchArg(ins, state);
                break;
            case InstructionKind::Env: {
                const int stride = ins.args.size() % 3 == 0 ? 3 : 2;
                for (qsizetype i = 0; i + 1 < ins.args.size(); i += stride)
                    step.declares.append(ins.args.at(i));
                dispatchEnv(ins, state);
                break;
            }
            case InstructionKind::Workdir: {
                QSet<QString> deps;
                const QString path = expandWord(ins.args.join(QLatin1Char(' ')), state, ins.startLine, &deps);
                state.workdir = normalizeWorkdir(state.workdir, path);
                step.destination = state.workdir;
                QSet<QString> matched;
                step.text = uppercaseCmd(cmdEnv(m_lexer, original, state.env, &matched));
                step.argDependencies = sortedList(deps + depsOf(state, matched));
                // WORKDIR / makes no filesystem change and so no vertex, though BuildKit counted it in n.
                if (state.workdir != QLatin1String("/")) {
                    step.label = prefixed(index, &cmdIndex, onbuildPrefix + step.text, &state.env);
                    step.number = cmdIndex;
                }
                break;
            }
            case InstructionKind::Copy:
            case InstructionKind::Add: {
                QSet<QString> matched;
                step.text = uppercaseCmd(cmdEnv(m_lexer, original, state.env, &matched));
                step.argDependencies = sortedList(depsOf(state, matched));
                fillCopy(ins, state, step);
                step.label = prefixed(index, &cmdIndex, onbuildPrefix + step.text, &state.env);
                step.number = cmdIndex;
                break;
            }
            case InstructionKind::Run:
                dispatchRun(ins, index, state, step);
                step.label = prefixed(index, &cmdIndex, onbuildPrefix + step.text, &state.env);
                step.number = cmdIndex;
                break;
            case InstructionKind::Onbuild:
                state.onbuild.append(ins.children);
                break;
            default:
                break;
            }
            st.steps.append(step);
        }
        st.vertexTotal = m_totals[index];
        m_states.insert(index, state);
    }

    // dispatchRun's custom name: the source line (plus a heredoc summary), upper-cased keyword, variables
    // of the stage substituted.
    void dispatchRun(const Instruction &ins, int stage, StageState &state, Step &step)
    {
        QString customName = goTrim(ins.original);
        if (!ins.heredocs.isEmpty() && ins.args.size() == 1 && !ins.json && isHeredocWord(ins.args.first()))
            customName += QStringLiteral(" (%1)").arg(summarizeHeredoc(ins.heredocs.first().content));

        const QList<MountSpec> mounts = parseMounts(ins);
        const QList<int> mountStages = m_mountStages.value(&ins);
        ShellEnvironment env = state.env;
        for (qsizetype i = 0; i < mounts.size(); ++i) {
            Mount m = mounts[i].mount;
            m.fromStage = mountStages.value(i, -1);
            if (m.source.isEmpty() && m.type == QLatin1String("bind"))
                m.source = m.from.isEmpty() ? QStringLiteral(".") : QStringLiteral("/");
            step.mounts.append(m);
            // secret mounts exposed as variables print as ****
            if (m.type == QLatin1String("secret") && !mounts[i].env.isEmpty())
                env.insert(mounts[i].env, QStringLiteral("****"));
        }
        Q_UNUSED(stage);
        // The vertex name keeps quotes and leaves unknown variables as written (RawQuotes, SkipUnsetEnv).
        ShellLexer lexer(m_ast.escapeToken);
        lexer.setRawQuotes(true);
        lexer.setSkipUnsetEnv(true);
        step.text = uppercaseCmd(cmdEnv(lexer, customName, env, nullptr));
        // Every ARG in scope is in the RUN environment and so in its cache key, used or not.
        QStringList args = state.argsInScope;
        args.sort();
        step.argDependencies = args;
    }

    const DockerfileAst &m_ast;
    const BuildOptions &m_options;
    ShellLexer m_lexer;
    BuildGraph m_graph;
    QList<const Instruction *> m_metaArgs;
    QList<QPair<const Instruction *, QList<const Instruction *>>> m_stageInstructions;
    ShellEnvironment m_global;
    QHash<QString, int> m_nameIndex;
    Platform m_targetPlatform;
    QList<Platform> m_stagePlatforms;
    QHash<QString, QSet<QString>> m_globalDeps;
    QList<int> m_totals;
    QList<QSet<QString>> m_fromDeps;
    QList<QList<QPair<int, int>>> m_deps; ///< per stage: (stage it reads with --from/mount, line)
    QHash<const Instruction *, int> m_copyFrom;
    QHash<const Instruction *, QList<int>> m_mountStages;
    QHash<int, StageState> m_states;
    struct UnknownRef
    {
        int stage;
        int line;
        QString message;
    };
    QList<UnknownRef> m_unknownRefs;
    int m_currentStage = 0;
    int m_extraStates = 0; ///< BuildKit's unregistered states (images, scratch mounts)
    bool m_singleUnnamed = false;
};

} // namespace

BuildGraph buildGraphFromAst(const DockerfileAst &ast, const QString &fileName, const BuildOptions &options)
{
    return GraphBuilder(ast, fileName, options).run();
}

BuildGraph buildGraph(const QByteArray &dockerfileText, const QString &fileName, const BuildOptions &options)
{
    BuildGraph graph = buildGraphFromAst(parseDockerfile(dockerfileText, fileName), fileName, options);
    graph.lineCount =
        int(dockerfileText.count('\n')) + (dockerfileText.isEmpty() || dockerfileText.endsWith('\n') ? 0 : 1);
    return graph;
}

BuildGraph buildGraphFromFile(const QString &path, const BuildOptions &options)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        BuildGraph g;
        g.file = path;
        Diagnostic d;
        d.file = path;
        d.message = QStringLiteral("cannot read %1: %2").arg(path, f.errorString());
        g.diagnostics.append(d);
        return g;
    }
    return buildGraph(f.readAll(), path, options);
}

InstructionKind instructionKindOf(const QString &keyword)
{
    return kindOf(keyword);
}

} // namespace Stagelens
