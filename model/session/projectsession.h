#pragma once

// The one owner of an open project's state, under every front end (see shared/DESIGN.md). It holds the
// options (Dockerfile, target, build args), the graph, the build context, the cache engine, the loaded builds
// and which one is selected, the analysis of that build, the what-if question and its answer, and the
// problems of all of them; it runs the project's jobs and says what changed. The GUI observes it
// (Asynchronous: context scans, log reads and big analyses run on workers with progress and cancel); the CLI
// drives the same code synchronously, so `whatif`, `report`, `log` and the window cannot disagree.
// QtCore only.

#include "model/advice/advice.h"
#include "model/analysis/buildanalysis.h"
#include "model/buildlog/buildrun.h"
#include "model/cache/cacheengine.h"
#include "model/context/contextindex.h"
#include "model/graph/buildgraph.h"
#include "model/itemmodels/buildargsmodel.h"
#include "model/itemmodels/diagnosticsmodel.h"
#include "model/report/reportdata.h"

#include <QFutureWatcher>
#include <QObject>
#include <QSet>
#include <QStringList>

#include <functional>
#include <memory>

class QTimer;

namespace Stagelens {

class LogLoader;

class ProjectSession : public QObject
{
    Q_OBJECT
public:
    enum class Mode
    {
        Synchronous, ///< every call finishes its work before it returns (the CLI, tests)
        Asynchronous ///< long work runs on workers; signals say when it lands (the GUI)
    };

    /// Dockerfiles are small: anything past this is cut (with a warning) so a wrong file cannot eat memory.
    static constexpr qint64 MaxDockerfileBytes = 64 << 20;
    /// Builds with more vertices than this are analysed on a worker in the asynchronous mode: matching tens
    /// of thousands of vertices takes tens of milliseconds, too long for the GUI thread.
    static constexpr qsizetype AsyncAnalysisVertices = 5000;
    /// Dockerfiles longer than this get their graph built on a worker in the asynchronous mode (a third of a
    /// millisecond per KiB: a few MiB that are no Dockerfile held the GUI thread for seconds).
    static constexpr qsizetype AsyncGraphBytes = 64 << 10;

    /// A Dockerfile's text as every front end reads it: at most `maxBytes` (`*cut` says more followed), an
    /// empty file as an empty non-null array. Null when the file cannot be read (`*error` says why).
    static QByteArray readDockerfileText(
        const QString &path, bool *cut, QString *error, qint64 maxBytes = MaxDockerfileBytes);
    /// The graph of a Dockerfile's text for `options`, as the window draws it and the CLI prints it; `cut`
    /// (readDockerfileText's) adds the warning that the file was read only in part.
    static BuildGraph graphOf(
        const QByteArray &text, const QString &path, const BuildOptions &options, bool cut = false);
    /// The warning for a Dockerfile read only in part.
    static Diagnostic cutDockerfileWarning(const QString &path);

    explicit ProjectSession(Mode mode = Mode::Synchronous, QObject *parent = nullptr);
    ~ProjectSession() override;

    Mode mode() const { return m_mode; }

    // ---- What is open -------------------------------------------------------------------------------
    /// Opens a folder, a Dockerfile or a log, deciding by the path as a drop on the window would. Returns
    /// false (with a problem listed) when the path cannot be opened.
    bool open(const QString &path);
    /// A project folder: lists its Dockerfiles and opens `dockerfile` (absolute or relative to the folder),
    /// or the first one found.
    bool openProject(const QString &folder, const QString &dockerfile = {});
    /// A Dockerfile; its folder becomes the build context unless it lies inside the open project folder
    /// (or `contextDir` is given, as `docker build -f FILE DIR`). Target and build args become `options`.
    bool openDockerfile(
        const QString &path, const QString &contextDir = {}, const BuildOptions &options = {});
    /// The open Dockerfile is only the folder's default (nobody named it): a log that says it built
    /// another Dockerfile of the project ("load build definition from Dockerfile.fail") switches to it,
    /// as opening the folder does.
    void letLogChooseDockerfile() { m_dockerfileChosen = false; }
    /// Reads a log (synchronously, or queued on the worker) and adds its builds; the newest build is
    /// selected unless the user picked one while it was read.
    void addLog(const QString &path);
    /// Stops every log read and drops the queue; builds shown early by a cancelled read go.
    void cancelLoading();
    /// Off: builds are read and listed but not analysed (no graph from the build, no match, no costs); for
    /// `stagelens log` without a Dockerfile, which prints the builds as read. On by default.
    void setAnalyseBuilds(bool analyse) { m_analyseBuilds = analyse; }
    /// One build per bake/compose target and platform (BuildLogReadOptions::splitTargets) for later logs.
    void setSplitTargets(bool split) { m_splitTargets = split; }
    /// The logs read so far (not the one being read), in the order they were opened.
    int logCount() const;
    const BuildLogResult &logResult(int log) const { return m_logs.at(log).result; }

    QString projectFolder() const { return m_projectFolder; }
    QString dockerfilePath() const { return m_dockerfilePath; }
    /// The Dockerfile shown: the open file's text, or the one a build record carries when no file is open.
    QByteArray dockerfileText() const
    {
        return m_dockerfilePath.isEmpty() ? m_recordDockerfile.toUtf8() : m_dockerfileText;
    }
    /// True when a Dockerfile's text is known (opened, or carried by the selected build record).
    bool hasDockerfileText() const { return !m_dockerfilePath.isEmpty() || !m_recordDockerfile.isEmpty(); }
    /// The Dockerfiles of the project folder, relative to it.
    QStringList dockerfiles() const { return m_dockerfiles; }

    // ---- How it is built ------------------------------------------------------------------------------
    const BuildOptions &options() const { return m_options; }
    /// Target and build args together (the command line): not a what-if question.
    void setOptions(const BuildOptions &options);
    void setTarget(const QString &target);
    /// A new build-arg value is both another build (labels change) and a what-if question (what re-runs?).
    void setBuildArg(const QString &name, const QString &value);

    const BuildGraph &graph() const { return m_graph; }
    std::shared_ptr<const ContextIndex> context() const { return m_context; }
    const CacheEngine *engine() const { return m_engine.get(); }
    /// The context entries the stages the target needs read (for greying out the rest).
    QSet<int> contextEntriesRead() const;

    // ---- Builds ---------------------------------------------------------------------------------------
    int buildCount() const { return int(m_entries.size()); }
    int provisionalBuildCount() const;
    /// "02-edit-src.log, build 2 of 3 (2024-05-01 10:12)", the name every view gives a build.
    QString buildName(int index) const;
    int selectedBuild() const { return m_selected; }
    const BuildRun *selectedRun() const;
    /// The build at `index` of the build selector, or null.
    const BuildRun *run(int index) const;
    QString selectedLogPath() const;
    /// Picks a build. A choice made while a log is being read is kept when the read finishes.
    void selectBuild(int index);
    const BuildAnalysis &analysis() const { return m_analysis; }
    /// Whether the selected build fits the open Dockerfile: a `log-dockerfile-mismatch` warning (the log is
    /// of another Dockerfile: no times are put on its steps) or `log-dockerfile-partial` (some steps differ:
    /// an edited Dockerfile); empty when every step of the log is a step of the file.
    const QList<Diagnostic> &matchDiagnostics() const { return m_matchDiagnostics; }
    /// What each step costs when it runs, from the builds up to the selected one (stepCosts).
    const QHash<StepRef, double> &stepCosts() const { return m_costs; }

    // ---- What if ------------------------------------------------------------------------------------
    const WhatIfChanges &changes() const { return m_changes; }
    void setChanges(const WhatIfChanges &changes);
    /// Ticked context paths, all with one kind of change.
    void setChangedPaths(const QStringList &paths, ChangeKind kind = ChangeKind::Content);
    void setLineChanged(int line, bool changed);
    void clearChanges();
    bool hasChanges() const;
    const WhatIfResult &whatIf() const { return m_whatIf; }
    /// The answer in one sentence (describeAnswer); empty without changes.
    QString whatIfSentence() const;

    // ---- Problems and models ------------------------------------------------------------------------
    DiagnosticsModel *diagnostics() const { return m_diagnostics; }
    BuildArgsModel *buildArgs() const { return m_buildArgs; }
    /// Lists a problem that is not in any input (a file that cannot be opened); kept until the project
    /// changes.
    void addMessage(const QString &message, Severity severity = Severity::Error, const QString &file = {});

    // ---- Outputs -------------------------------------------------------------------------------------
    /// What a report is made from: the same for File > Export Report and `stagelens report`.
    ReportInput reportInput() const;
    /// What the advice engine looks at (adviseOn): the same for the Advice pane, `advise` and the report.
    /// A value: it may go to a worker.
    AdviceInput adviceInput() const;

    /// A context scan, a log read, a graph or an analysis is running or its result not yet applied.
    bool isBusy() const;
    /// The open Dockerfile's graph is being built on a worker (graph() is empty until graphChanged).
    bool isBuildingGraph() const { return m_graphPending; }

Q_SIGNALS:
    /// Folder, Dockerfile path or text changed (the source view, the window title).
    void projectChanged();
    /// A new graph: options or Dockerfile changed (views lay out again).
    void graphChanged();
    /// The context scan landed (or was reset).
    void contextChanged();
    /// Scan progress, 0..1000.
    void contextProgress(int permille);
    /// The list of builds changed (a log landed, provisional builds came or went).
    void buildsChanged();
    /// The selected build changed.
    void selectionChanged();
    /// The selected build's analysis (and the step costs) changed.
    void analysisChanged();
    /// The what-if question or its answer changed.
    void whatIfChanged();
    /// A log read started / progressed / ended (finished, cancelled or failed).
    void loadStarted(const QString &path);
    void loadProgress(int permille);
    void loadFinished(const QString &path, bool canceled);
    /// Builds of a log still being read were added (the first batch selects the newest of them).
    void provisionalBuildsShown();
    /// A problem was added that the user should see now (status bar).
    void messageAdded(const QString &message);
    /// isBusy() became false.
    void idle();

private:
    struct LoadedLog
    {
        QString path;
        BuildLogResult result;
        bool provisional = false;
    };
    struct Entry
    {
        int log = -1;
        int build = -1;
    };

    void readDockerfile();
    void rebuildGraph();
    void setGraph(BuildGraph graph);
    void checkMatch();
    void followLogDockerfile(const BuildLogResult &result);
    void scanContext();
    void rebuildEngine();
    void rebuildEntries();
    void applyLoadedLog(const QString &path, BuildLogResult result);
    void addProvisional(const QString &path, const QList<BuildRun> &builds);
    void dropProvisional();
    void showBuild(int index);
    void refreshAnalysis();
    void applyCosts();
    void runWhatIf();
    void rebuildProblems();
    void rebuildArgsModel();
    void checkIdle();
    QList<const BuildRun *> runsUpToSelected() const;

    /// Runs `work` now (synchronous mode) or on the thread pool, handing the result to `apply` on this thread
    /// unless `*generation` has moved on meanwhile (a newer request, a cancel).
    template<typename Work, typename Apply>
    void runJob(quint64 *generation, bool *pending, Work work, Apply apply);

    Mode m_mode;
    QString m_projectFolder;
    QStringList m_dockerfiles;
    QString m_dockerfilePath;
    QByteArray m_dockerfileText;
    QString m_recordDockerfile; ///< the selected record's Dockerfile when no file is open
    bool m_dockerfileCut = false;
    BuildOptions m_options;
    BuildGraph m_graph;
    std::shared_ptr<const ContextIndex> m_context;
    std::unique_ptr<CacheEngine> m_engine;
    QList<LoadedLog> m_logs;
    QList<Entry> m_entries;
    int m_selected = -1;
    bool m_pickedDuringLoad = false;
    BuildAnalysis m_analysis;
    QHash<StepRef, double> m_costs;
    QList<Diagnostic> m_matchDiagnostics;
    bool m_dockerfileChosen = false; ///< the user named the Dockerfile (else a log may name another one)
    WhatIfChanges m_changes;
    WhatIfResult m_whatIf;
    QList<Problem> m_messages;

    DiagnosticsModel *m_diagnostics = nullptr;
    BuildArgsModel *m_buildArgs = nullptr;
    LogLoader *m_loader = nullptr;
    QFutureWatcher<ContextIndex> *m_contextWatcher = nullptr; ///< the asynchronous scan, cancellable
    QTimer *m_provisionalTimer = nullptr; ///< later provisional batches reach the views a few times a second

    quint64 m_contextGeneration = 0;
    bool m_contextPending = false;
    quint64 m_analysisGeneration = 0;
    bool m_analysisPending = false;
    quint64 m_graphGeneration = 0;
    bool m_graphPending = false;
    bool m_splitTargets = false;
    bool m_analyseBuilds = true;
};

} // namespace Stagelens
