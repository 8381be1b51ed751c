#include "projectsession.h"

#include "logloader.h"
#include "model/analysis/loggraph.h"
#include "model/analysis/projectscan.h"
#include "model/buildlog/buildlogreader.h"
#include "model/cache/baseimages.h"
#include "model/cache/changedescription.h"
#include "model/report/reportwhatif.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTimer>
#include <QtConcurrent>

#include <algorithm>

namespace Stagelens {

ProjectSession::ProjectSession(Mode mode, QObject *parent)
    : QObject(parent)
    , m_mode(mode)
    , m_diagnostics(new DiagnosticsModel(this))
    , m_buildArgs(new BuildArgsModel(this))
{
    connect(m_buildArgs, &BuildArgsModel::valueEdited, this, &ProjectSession::setBuildArg);
    if (m_mode == Mode::Asynchronous) {
        m_loader = new LogLoader(this);
        connect(m_loader, &LogLoader::started, this, &ProjectSession::loadStarted);
        connect(m_loader, &LogLoader::progress, this, &ProjectSession::loadProgress);
        connect(m_loader, &LogLoader::provisionalBuilds, this, &ProjectSession::addProvisional);
        connect(
            m_loader, &LogLoader::finished, this, [this](const QString &path, const BuildLogResult &result) {
                applyLoadedLog(path, result);
                Q_EMIT loadFinished(path, false);
                checkIdle();
            });
        connect(m_loader, &LogLoader::canceled, this, [this](const QString &path) {
            dropProvisional();
            Q_EMIT loadFinished(path, true);
            checkIdle();
        });
        m_contextWatcher = new QFutureWatcher<ContextIndex>(this);
        connect(m_contextWatcher, &QFutureWatcherBase::progressValueChanged, this,
            &ProjectSession::contextProgress);
        connect(m_contextWatcher, &QFutureWatcherBase::finished, this, [this]() {
            const QFuture<ContextIndex> future = m_contextWatcher->future();
            if (!m_contextPending || future.isCanceled() || future.resultCount() == 0)
                return;
            m_contextPending = false;
            m_context = std::make_shared<const ContextIndex>(future.result());
            rebuildEngine();
            Q_EMIT contextChanged();
            rebuildProblems();
            runWhatIf();
            checkIdle();
        });
        // Builds of a long log arrive with every chunk; after the first batch the views follow a few times a
        // second, so they keep showing what they show.
        m_provisionalTimer = new QTimer(this);
        m_provisionalTimer->setSingleShot(true);
        m_provisionalTimer->setInterval(250);
        connect(m_provisionalTimer, &QTimer::timeout, this, [this]() {
            rebuildEntries();
            Q_EMIT buildsChanged();
            Q_EMIT provisionalBuildsShown();
        });
    }
}

ProjectSession::~ProjectSession()
{
    if (m_contextWatcher && m_contextWatcher->isRunning()) {
        m_contextWatcher->cancel();
        m_contextWatcher->waitForFinished();
    }
}

template<typename Work, typename Apply>
void ProjectSession::runJob(quint64 *generation, bool *pending, Work work, Apply apply)
{
    const quint64 mine = ++*generation;
    if (m_mode == Mode::Synchronous) {
        *pending = false;
        apply(work());
        return;
    }
    using Result = std::invoke_result_t<Work>;
    *pending = true;
    // Through a watcher the session owns, not a continuation: in Qt 6.4 a continuation whose owner is gone
    // asserts, and the work may outlive the session.
    auto *watcher = new QFutureWatcher<Result>(this);
    connect(watcher, &QFutureWatcherBase::finished, this,
        [this, watcher, generation, pending, mine, apply = std::move(apply)]() mutable {
            watcher->deleteLater();
            if (mine != *generation)
                return;
            *pending = false;
            apply(watcher->result());
            checkIdle();
        });
    watcher->setFuture(QtConcurrent::run(std::move(work)));
}

// ---- What is open ------------------------------------------------------------------------------------

bool ProjectSession::open(const QString &path)
{
    switch (classifyPath(path)) {
    case PathKind::Missing:
        addMessage(QStringLiteral("%1: no such file or folder").arg(path));
        return false;
    case PathKind::ProjectFolder:
        return openProject(path);
    case PathKind::Dockerfile:
        return openDockerfile(path);
    case PathKind::BuildLog:
        addLog(path);
        return true;
    }
    return false;
}

bool ProjectSession::openProject(const QString &folder, const QString &dockerfile)
{
    m_projectFolder = QFileInfo(folder).absoluteFilePath();
    m_dockerfiles = findDockerfiles(m_projectFolder);
    m_messages.clear();
    QString chosen = dockerfile;
    const bool named = !dockerfile.isEmpty();
    if (chosen.isEmpty() && !m_dockerfiles.isEmpty())
        chosen = m_dockerfiles.first();
    if (chosen.isEmpty()) {
        m_dockerfilePath.clear();
        addMessage(QStringLiteral("%1: no Dockerfile found in this folder").arg(m_projectFolder));
        Q_EMIT projectChanged();
        return false;
    }
    const bool opened = openDockerfile(QDir(m_projectFolder).absoluteFilePath(chosen), m_projectFolder);
    m_dockerfileChosen = named;
    return opened;
}

bool ProjectSession::openDockerfile(
    const QString &path, const QString &contextDir, const BuildOptions &options)
{
    const QFileInfo info(path);
    m_dockerfilePath = info.absoluteFilePath();
    if (!contextDir.isEmpty()) {
        const QString folder = QFileInfo(contextDir).absoluteFilePath();
        if (folder != m_projectFolder) {
            m_projectFolder = folder;
            m_dockerfiles = findDockerfiles(m_projectFolder);
        }
    } else if (m_projectFolder.isEmpty()
        || !m_dockerfilePath.startsWith(m_projectFolder + QLatin1Char('/'))) {
        // A Dockerfile opened on its own has its folder as the build context, as `docker build .` would.
        m_projectFolder = info.absolutePath();
        m_dockerfiles = findDockerfiles(m_projectFolder);
    }
    m_options = options;
    m_changes = WhatIfChanges();
    m_dockerfileChosen = true;
    // The last project's context must not serve the new graph's engine, even until the new scan lands.
    m_context.reset();
    readDockerfile();
    Q_EMIT projectChanged();
    rebuildGraph();
    scanContext();
    return !m_dockerfileText.isNull();
}

QByteArray ProjectSession::readDockerfileText(const QString &path, bool *cut, QString *error, qint64 maxBytes)
{
    *cut = false;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return QByteArray();
    }
    QByteArray text = file.read(maxBytes);
    if (text.isNull())
        text = QByteArray(""); // read, and empty
    *cut = !file.atEnd();
    return text;
}

Diagnostic ProjectSession::cutDockerfileWarning(const QString &path)
{
    Diagnostic d;
    d.severity = Severity::Warning;
    d.file = path;
    d.message = QStringLiteral("only the first %1 MiB were read: this is not a Dockerfile")
                    .arg(MaxDockerfileBytes >> 20);
    return d;
}

BuildGraph ProjectSession::graphOf(
    const QByteArray &text, const QString &path, const BuildOptions &options, bool cut)
{
    BuildGraph graph = buildGraph(text, path, options);
    if (cut)
        graph.diagnostics.append(cutDockerfileWarning(path));
    return graph;
}

void ProjectSession::readDockerfile()
{
    QString error;
    m_dockerfileText = readDockerfileText(m_dockerfilePath, &m_dockerfileCut, &error);
    if (m_dockerfileText.isNull())
        addMessage(error);
}

void ProjectSession::addLog(const QString &path)
{
    if (m_loader) {
        m_loader->setSplitTargets(m_splitTargets);
        m_loader->enqueue(path);
        return;
    }
    Q_EMIT loadStarted(path);
    BuildLogReadOptions options;
    options.splitTargets = m_splitTargets;
    applyLoadedLog(QFileInfo(path).absoluteFilePath(), readBuildLogFile(path, options));
    Q_EMIT loadFinished(path, false);
}

void ProjectSession::cancelLoading()
{
    if (m_loader)
        m_loader->cancel();
    dropProvisional();
}

// ---- Options and graph ---------------------------------------------------------------------------------

void ProjectSession::setOptions(const BuildOptions &options)
{
    m_options = options;
    rebuildGraph();
}

void ProjectSession::setTarget(const QString &target)
{
    if (m_options.target == target)
        return;
    m_options.target = target;
    rebuildGraph();
}

void ProjectSession::setBuildArg(const QString &name, const QString &value)
{
    if (m_options.buildArgs.contains(name) && m_options.buildArgs.value(name) == value)
        return;
    m_options.buildArgs.insert(name, value);
    if (!m_changes.args.contains(name)) {
        m_changes.args.append(name);
        m_changes.args.sort();
    }
    rebuildGraph();
}

void ProjectSession::rebuildGraph()
{
    if (m_mode == Mode::Asynchronous && !m_dockerfilePath.isEmpty()
        && m_dockerfileText.size() > AsyncGraphBytes) {
        // Until it lands there is no graph: the last one is another file's, or another target's.
        m_graphPending = true;
        setGraph(BuildGraph());
        runJob(
            &m_graphGeneration, &m_graphPending,
            [text = m_dockerfileText, path = m_dockerfilePath, options = m_options, cut = m_dockerfileCut]() {
                return graphOf(text, path, options, cut);
            },
            [this](BuildGraph graph) { setGraph(std::move(graph)); });
        return;
    }
    ++m_graphGeneration; // drops a worker's graph for an older request
    m_graphPending = false;
    setGraph(m_dockerfilePath.isEmpty()
            ? BuildGraph()
            : graphOf(m_dockerfileText, m_dockerfilePath, m_options, m_dockerfileCut));
}

void ProjectSession::setGraph(BuildGraph graph)
{
    m_graph = std::move(graph);
    rebuildArgsModel();
    rebuildEngine();
    Q_EMIT graphChanged();
    refreshAnalysis();
    rebuildProblems();
}

void ProjectSession::rebuildArgsModel()
{
    QList<BuildArgRow> rows;
    QSet<QString> seen;
    for (const ArgDeclaration &arg : std::as_const(m_graph.argDeclarations)) {
        if (seen.contains(arg.name))
            continue;
        seen.insert(arg.name);
        BuildArgRow row;
        row.name = arg.name;
        row.defaultValue = arg.defaultValue;
        row.set = m_options.buildArgs.contains(arg.name);
        row.value = m_options.buildArgs.value(arg.name);
        rows.append(row);
    }
    m_buildArgs->setArgs(rows);
}

void ProjectSession::scanContext()
{
    m_context.reset();
    rebuildEngine();
    Q_EMIT contextChanged();
    ContextScanOptions options;
    options.contextDir = m_projectFolder;
    options.dockerfilePath = m_dockerfilePath;
    ++m_contextGeneration;
    if (m_mode == Mode::Synchronous) {
        m_context = std::make_shared<const ContextIndex>(ContextIndex::scan(options));
        rebuildEngine();
        Q_EMIT contextChanged();
        rebuildProblems();
        runWhatIf();
        return;
    }
    // A folder opened while the last one is still being walked: that walk stops.
    if (m_contextWatcher->isRunning())
        m_contextWatcher->cancel();
    m_contextPending = true;
    m_contextWatcher->setFuture(QtConcurrent::run(&Stagelens::scanContext, options));
}

void ProjectSession::rebuildEngine()
{
    if (!m_context || m_graph.stages.isEmpty()) {
        m_engine.reset();
        return;
    }
    m_engine = std::make_unique<CacheEngine>(m_graph, m_context);
    m_engine->setStepSeconds(m_costs);
}

QSet<int> ProjectSession::contextEntriesRead() const
{
    QSet<int> read;
    if (!m_engine)
        return read;
    for (int s = 0; s < m_graph.stages.size(); ++s) {
        if (!m_graph.stages.at(s).needed)
            continue;
        for (int i = 0; i < m_graph.stages.at(s).steps.size(); ++i) {
            for (int entry : m_engine->contextReads({s, i}))
                read.insert(entry);
        }
    }
    return read;
}

// ---- Builds ----------------------------------------------------------------------------------------------

void ProjectSession::rebuildEntries()
{
    m_entries.clear();
    for (int l = 0; l < m_logs.size(); ++l) {
        for (int b = 0; b < m_logs.at(l).result.builds.size(); ++b)
            m_entries.append({l, b});
    }
}

int ProjectSession::logCount() const
{
    return int(m_logs.size()) - (!m_logs.isEmpty() && m_logs.last().provisional ? 1 : 0);
}

int ProjectSession::provisionalBuildCount() const
{
    return int(std::count_if(m_entries.cbegin(), m_entries.cend(),
        [this](const Entry &e) { return m_logs.at(e.log).provisional; }));
}

QString ProjectSession::buildName(int index) const
{
    if (index < 0 || index >= m_entries.size())
        return {};
    const Entry &e = m_entries.at(index);
    const LoadedLog &log = m_logs.at(e.log);
    const BuildRun &run = log.result.builds.at(e.build);
    QString name = QFileInfo(log.path).fileName();
    // A log still being read does not know how many builds it has.
    if (log.provisional)
        name += QStringLiteral(", build %1").arg(e.build + 1);
    else if (log.result.builds.size() > 1)
        name += QStringLiteral(", build %1 of %2").arg(e.build + 1).arg(log.result.builds.size());
    if (run.record) {
        // A record says what was built and from which revision.
        const BuildRecordInfo &record = *run.record;
        QStringList facts;
        facts.append(record.target.isEmpty() ? QStringLiteral("default target")
                                             : QStringLiteral("target %1").arg(record.target));
        if (record.created)
            facts.append(QDateTime::fromMSecsSinceEpoch(qint64(*record.created * 1000), Qt::UTC)
                             .toString(QStringLiteral("yyyy-MM-dd hh:mm")));
        if (!record.vcsRevision.isEmpty())
            facts.append(record.vcsRevision.left(10));
        return name + QStringLiteral(": ") + facts.join(QStringLiteral(", "));
    }
    if (run.startEpoch)
        name += QStringLiteral(" (%1)").arg(
            QDateTime::fromMSecsSinceEpoch(qint64(*run.startEpoch * 1000), Qt::UTC)
                .toString(QStringLiteral("yyyy-MM-dd hh:mm")));
    return name;
}

const BuildRun *ProjectSession::selectedRun() const
{
    if (m_selected < 0 || m_selected >= m_entries.size())
        return nullptr;
    const Entry &e = m_entries.at(m_selected);
    return &m_logs.at(e.log).result.builds.at(e.build);
}

QString ProjectSession::selectedLogPath() const
{
    if (m_selected < 0 || m_selected >= m_entries.size())
        return {};
    return m_logs.at(m_entries.at(m_selected).log).path;
}

void ProjectSession::selectBuild(int index)
{
    if (m_loader && m_loader->isBusy())
        m_pickedDuringLoad = true;
    showBuild(index);
}

void ProjectSession::showBuild(int index)
{
    if (index < -1 || index >= m_entries.size())
        index = int(m_entries.size()) - 1;
    m_selected = index;
    Q_EMIT selectionChanged();
    refreshAnalysis();
}

void ProjectSession::applyLoadedLog(const QString &path, BuildLogResult result)
{
    if (m_provisionalTimer)
        m_provisionalTimer->stop();
    // A build the user picked meanwhile stays selected; otherwise the newest log is what was just asked for:
    // show its last build.
    Entry picked;
    if (m_pickedDuringLoad && m_selected >= 0 && m_selected < m_entries.size())
        picked = m_entries.at(m_selected);
    m_pickedDuringLoad = false;
    if (!m_logs.isEmpty() && m_logs.last().provisional)
        m_logs.removeLast();
    followLogDockerfile(result);
    const int logIndex = int(m_logs.size());
    if (result.builds.isEmpty())
        addMessage(
            QStringLiteral("%1: no BuildKit build found in this file").arg(path), Severity::Error, path);
    m_logs.append({path, std::move(result), false});
    rebuildEntries();
    int entry = int(m_entries.size()) - 1;
    if (picked.log >= 0) {
        if (picked.log == logIndex) // a provisional build: the same build of the final result
            picked.build = std::min(picked.build, int(m_logs.last().result.builds.size()) - 1);
        const auto it = std::find_if(m_entries.cbegin(), m_entries.cend(),
            [&picked](const Entry &e) { return e.log == picked.log && e.build == picked.build; });
        entry = it == m_entries.cend() ? int(m_entries.size()) - 1 : int(it - m_entries.cbegin());
    }
    Q_EMIT buildsChanged();
    rebuildProblems();
    showBuild(entry);
}

// A project folder was opened and its first Dockerfile taken; the log says it built another file of the
// project ("load build definition from Dockerfile.fail"): that one is what the log is about.
void ProjectSession::followLogDockerfile(const BuildLogResult &result)
{
    if (m_dockerfileChosen || m_projectFolder.isEmpty() || m_dockerfilePath.isEmpty()
        || result.builds.isEmpty())
        return;
    static const QString prefix = QStringLiteral("[internal] load build definition from ");
    for (const BuildVertex &vertex : result.builds.last().vertices) {
        if (!vertex.name.startsWith(prefix))
            continue;
        const QString name = vertex.name.mid(prefix.size()).trimmed();
        const QString path = QDir(m_projectFolder).absoluteFilePath(name);
        if (name.isEmpty() || QFileInfo(path) == QFileInfo(m_dockerfilePath) || !QFileInfo(path).isFile()
            || !QFileInfo(path).absoluteFilePath().startsWith(m_projectFolder + QLatin1Char('/')))
            return;
        openDockerfile(path, m_projectFolder);
        m_dockerfileChosen = false;
        return;
    }
}

void ProjectSession::addProvisional(const QString &path, const QList<BuildRun> &builds)
{
    const bool first = m_logs.isEmpty() || !m_logs.last().provisional;
    if (first)
        m_logs.append({path, {}, true});
    m_logs.last().result.builds += builds;
    if (!first) {
        if (!m_provisionalTimer->isActive())
            m_provisionalTimer->start();
        return;
    }
    rebuildEntries();
    Q_EMIT buildsChanged();
    if (!m_pickedDuringLoad)
        showBuild(int(m_entries.size()) - 1);
    Q_EMIT provisionalBuildsShown();
}

void ProjectSession::dropProvisional()
{
    if (m_provisionalTimer)
        m_provisionalTimer->stop();
    m_pickedDuringLoad = false;
    if (m_logs.isEmpty() || !m_logs.last().provisional)
        return;
    const int logIndex = int(m_logs.size()) - 1;
    const bool selectedGoes =
        m_selected >= 0 && m_selected < m_entries.size() && m_entries.at(m_selected).log == logIndex;
    m_logs.removeLast();
    rebuildEntries();
    Q_EMIT buildsChanged();
    if (selectedGoes || m_selected >= m_entries.size())
        showBuild(int(m_entries.size()) - 1);
}

const BuildRun *ProjectSession::run(int index) const
{
    if (index < 0 || index >= m_entries.size())
        return nullptr;
    return &m_logs.at(m_entries.at(index).log).result.builds.at(m_entries.at(index).build);
}

QList<const BuildRun *> ProjectSession::runsUpToSelected() const
{
    QList<const BuildRun *> runs;
    for (int i = 0; i <= m_selected && i < m_entries.size(); ++i)
        runs.append(&m_logs.at(m_entries.at(i).log).result.builds.at(m_entries.at(i).build));
    return runs;
}

namespace {

struct Answer
{
    std::optional<BuildGraph> graph; ///< set when the graph comes from the build itself (no Dockerfile open)
    QString recordDockerfile; ///< the Dockerfile a build record carries, when that made the graph
    BuildAnalysis analysis;
    QHash<StepRef, double> costs;
};

// The one analysis of the selected build (and the costs of the builds up to it), on any thread.
Answer analyse(const BuildGraph &openGraph, bool graphFromBuild, const QList<const BuildRun *> &runs)
{
    Answer answer;
    const BuildGraph *graph = &openGraph;
    if (graphFromBuild) {
        answer.graph = graphOfBuild(*runs.last(), &answer.recordDockerfile);
        graph = &*answer.graph;
    }
    answer.analysis = analyseBuild(*graph, *runs.last());
    answer.costs = stepCosts(*graph, runs);
    return answer;
}

} // namespace

void ProjectSession::refreshAnalysis()
{
    const BuildRun *run = selectedRun();
    const bool graphFromBuild = m_dockerfilePath.isEmpty();
    if (!run || !m_analyseBuilds) {
        ++m_analysisGeneration; // drops a worker's answer for an older request
        m_analysisPending = false;
        if (graphFromBuild && !m_graph.stages.isEmpty()) {
            m_graph = BuildGraph();
            m_recordDockerfile.clear();
            rebuildArgsModel();
            rebuildEngine();
            Q_EMIT graphChanged();
            Q_EMIT projectChanged();
        }
        m_analysis = emptyAnalysis(m_graph);
        m_costs.clear();
        m_matchDiagnostics.clear();
        applyCosts();
        Q_EMIT analysisChanged();
        rebuildProblems();
        runWhatIf();
        return;
    }
    auto apply = [this](Answer answer) {
        if (answer.graph) {
            m_graph = std::move(*answer.graph);
            const bool sourceChanged = m_recordDockerfile != answer.recordDockerfile;
            m_recordDockerfile = answer.recordDockerfile;
            rebuildArgsModel();
            rebuildEngine();
            Q_EMIT graphChanged();
            if (sourceChanged) // the source view shows a record's Dockerfile; a CI log has none
                Q_EMIT projectChanged();
        }
        m_analysis = std::move(answer.analysis);
        m_costs = std::move(answer.costs);
        checkMatch();
        applyCosts();
        Q_EMIT analysisChanged();
        rebuildProblems();
        runWhatIf();
    };
    if (m_mode == Mode::Asynchronous && run->vertices.size() > AsyncAnalysisVertices) {
        // Until the answer lands, the analysis refers to no vertex, so nothing indexes the new build with the
        // old build's vertex numbers; the views keep their picture. The runs are copied: the session may drop
        // or replace them while the worker reads them.
        m_analysis = emptyAnalysis(m_graph);
        QList<BuildRun> copies;
        for (const BuildRun *r : runsUpToSelected())
            copies.append(*r);
        runJob(
            &m_analysisGeneration, &m_analysisPending,
            [graph = m_graph, graphFromBuild, copies = std::move(copies)]() {
                QList<const BuildRun *> runs;
                for (const BuildRun &r : copies)
                    runs.append(&r);
                return analyse(graph, graphFromBuild, runs);
            },
            apply);
        return;
    }
    ++m_analysisGeneration;
    m_analysisPending = false;
    apply(analyse(m_graph, graphFromBuild, runsUpToSelected()));
}

// Does the selected build's log belong to the open Dockerfile? Only then may its times go on the graph.
void ProjectSession::checkMatch()
{
    m_matchDiagnostics.clear();
    const BuildRun *run = selectedRun();
    if (!run || m_dockerfilePath.isEmpty() || m_analysis.stepVertices == 0)
        return;
    const int unmatched = int(m_analysis.unmatchedVertices.size());
    const int total = m_analysis.stepVertices;
    if (unmatched == 0)
        return;
    QStringList names;
    for (int v : std::as_const(m_analysis.unmatchedVertices)) {
        if (names.size() == 3)
            break;
        names.append(run->vertices.at(v).name.left(80));
    }
    const QString list =
        names.join(QStringLiteral("; ")) + (unmatched > names.size() ? QStringLiteral("; ...") : QString());
    Diagnostic d;
    d.severity = Severity::Warning;
    d.file = selectedLogPath();
    const QString dockerfile = QFileInfo(m_dockerfilePath).fileName();
    if (unmatched * 2 > total) {
        // Another Dockerfile's log: its times would land on unrelated lines. Keep the log's own picture.
        d.code = QStringLiteral("log-dockerfile-mismatch");
        d.message =
            QStringLiteral("this log does not match %1: %2 of its %3 Dockerfile steps are not in it (%4); "
                           "its times are not put on the Dockerfile's steps")
                .arg(dockerfile)
                .arg(unmatched)
                .arg(total)
                .arg(list);
        BuildAnalysis unjoined = emptyAnalysis(m_graph);
        for (QList<StepTiming> &stage : unjoined.steps) {
            for (StepTiming &t : stage)
                t.state = StepState::NotInLog;
        }
        unjoined.stepOfVertex.fill(StepRef(), run->vertices.size());
        unjoined.summary = m_analysis.summary;
        unjoined.criticalPath = m_analysis.criticalPath;
        unjoined.summedSeconds = m_analysis.summedSeconds;
        unjoined.estimatedTimes = m_analysis.estimatedTimes;
        unjoined.concurrency = m_analysis.concurrency;
        unjoined.stepVertices = total;
        unjoined.unmatchedVertices = m_analysis.unmatchedVertices;
        m_analysis = std::move(unjoined);
        m_costs.clear();
    } else {
        d.code = QStringLiteral("log-dockerfile-partial");
        d.message =
            QStringLiteral("%1 of the log's %2 Dockerfile steps are not in %3 (was it edited since?): %4")
                .arg(unmatched)
                .arg(total)
                .arg(dockerfile, list);
    }
    m_matchDiagnostics.append(d);
}

void ProjectSession::applyCosts()
{
    if (m_engine)
        m_engine->setStepSeconds(m_costs);
}

// ---- What if
// -----------------------------------------------------------------------------------------------

void ProjectSession::setChanges(const WhatIfChanges &changes)
{
    m_changes = changes;
    std::sort(m_changes.lines.begin(), m_changes.lines.end());
    m_changes.lines.erase(std::unique(m_changes.lines.begin(), m_changes.lines.end()), m_changes.lines.end());
    m_changes.args.sort();
    m_changes.args.removeDuplicates();
    runWhatIf();
}

void ProjectSession::setChangedPaths(const QStringList &paths, ChangeKind kind)
{
    WhatIfChanges changes = m_changes;
    changes.paths.clear();
    for (const QString &path : paths)
        changes.paths.append({path, kind});
    setChanges(changes);
}

void ProjectSession::setLineChanged(int line, bool changed)
{
    WhatIfChanges changes = m_changes;
    if (changed)
        changes.lines.append(line);
    else
        changes.lines.removeAll(line);
    setChanges(changes);
}

void ProjectSession::clearChanges()
{
    setChanges({});
}

bool ProjectSession::hasChanges() const
{
    return !m_changes.paths.isEmpty() || !m_changes.args.isEmpty() || !m_changes.lines.isEmpty()
        || !m_changes.movedBases.isEmpty();
}

void ProjectSession::runWhatIf()
{
    if (!m_engine || !hasChanges()) {
        m_whatIf = WhatIfResult();
    } else if (m_changes.bases.isEmpty()) {
        // What the selected log says each stage's base was (rule 2); the daemon is asked only by a front end
        // the user allowed to (whatif --resolve-images), which passes its answers in the changes.
        WhatIfChanges changes = m_changes;
        changes.bases = gatherBaseImages(m_graph, selectedRun(), nullptr);
        m_whatIf = m_engine->whatIf(changes);
    } else {
        m_whatIf = m_engine->whatIf(m_changes);
    }
    Q_EMIT whatIfChanged();
}

QString ProjectSession::whatIfSentence() const
{
    if (!hasChanges() || !m_engine)
        return {};
    return describeAnswer(
        m_whatIf, m_changes, selectedRun() ? m_analysis.summary.wallSeconds : std::optional<double>());
}

// ---- Problems
// ----------------------------------------------------------------------------------------------

void ProjectSession::addMessage(const QString &message, Severity severity, const QString &file)
{
    Diagnostic d;
    d.severity = severity;
    d.file = file;
    d.message = message;
    m_messages.append({ProblemSource::Session, d});
    rebuildProblems();
    Q_EMIT messageAdded(message);
}

void ProjectSession::rebuildProblems()
{
    // Every input's problems, from scratch: refreshing one input never drops another's.
    QList<Problem> problems;
    for (const Diagnostic &d : std::as_const(m_graph.diagnostics))
        problems.append({ProblemSource::Dockerfile, d});
    if (m_context) {
        for (const Diagnostic &d : m_context->diagnostics()) {
            if (d.severity != Severity::Info)
                problems.append({ProblemSource::Context, d});
        }
    }
    for (const LoadedLog &log : std::as_const(m_logs)) {
        for (Diagnostic d : log.result.diagnostics) {
            if (d.severity == Severity::Info)
                continue;
            if (d.file.isEmpty())
                d.file = log.path;
            problems.append({ProblemSource::Log, d});
        }
    }
    // A record's warnings point at its Dockerfile's lines.
    if (const BuildRun *run = selectedRun(); run && run->record) {
        for (const RecordWarning &w : run->record->warnings) {
            Diagnostic d;
            d.severity = Severity::Warning;
            d.file = w.file.isEmpty() ? run->record->dockerfileName : w.file;
            d.line = w.line;
            d.message = w.text;
            problems.append({ProblemSource::Log, d});
        }
    }
    for (const Diagnostic &d : std::as_const(m_matchDiagnostics))
        problems.append({ProblemSource::Log, d});
    problems += m_messages;
    m_diagnostics->setProblems(problems);
}

// ---- Outputs
// -------------------------------------------------------------------------------------------------

AdviceInput ProjectSession::adviceInput() const
{
    AdviceInput input;
    input.graph = m_graph;
    input.dockerfileText = dockerfileText();
    input.dockerfilePath = m_dockerfilePath;
    input.options = m_options;
    input.context = m_context;
    input.stepSeconds = m_costs;
    if (const BuildRun *run = selectedRun()) {
        input.run = *run;
        input.analysis = m_analysis;
        input.runPath = selectedLogPath();
    }
    return input;
}

ReportInput ProjectSession::reportInput() const
{
    ReportInput input;
    input.project = m_projectFolder;
    input.dockerfile = m_dockerfilePath;
    input.graph = m_graph;
    for (const LoadedLog &log : m_logs) {
        if (log.provisional)
            continue;
        for (const BuildRun &run : log.result.builds)
            input.builds.append({log.path, run});
        // The report lists every input's problems with the Dockerfile's.
        input.graph.diagnostics += log.result.diagnostics;
    }
    input.selectedBuild = m_selected < m_entries.size() && m_selected >= 0
            && m_logs.at(m_entries.at(m_selected).log).provisional
        ? -1
        : m_selected;
    if (hasChanges() && m_engine)
        input.whatIf = reportWhatIf(m_whatIf, describeChanges(m_changes));
    if (!m_dockerfilePath.isEmpty() && m_engine)
        input.advice = adviseOn(adviceInput());
    return input;
}

bool ProjectSession::isBusy() const
{
    return m_contextPending || m_analysisPending || m_graphPending || (m_loader && m_loader->isBusy());
}

void ProjectSession::checkIdle()
{
    if (!isBusy())
        Q_EMIT idle();
}

} // namespace Stagelens
