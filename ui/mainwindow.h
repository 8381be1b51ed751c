#pragma once

#include "model/analysis/buildanalysis.h"
#include "model/buildlog/buildrun.h"
#include "model/cache/cacheengine.h"
#include "model/context/contextindex.h"
#include "model/graph/buildgraph.h"
#include "model/report/reportdata.h"
#include "ui/viewadapters.h"

#include <QFutureWatcher>
#include <QMainWindow>

#include <functional>

class QAction;
class QComboBox;
class QSortFilterProxyModel;
class QTreeView;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSplitter;
class QTableWidget;
class QTimer;
class QTabWidget;
class QTreeWidget;

namespace Stagelens {

class ContextTreeModel;
class DagView;
class RecentFiles;
class TimelinePlot;
class SourceView;

/// The main window: a project's stage DAG with the selected build's timing, the timeline, the source and
/// the details of the selected step. GUI thread only. Every long job (log parsing, context scan, layout)
/// runs on a worker; results come back through continuations that drop stale generations.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Opens each path as if it had been dropped on the window.
    void openPaths(const QStringList &paths);
    /// Preselects context paths (relative to the project folder) in the what-if view.
    void setChangedPaths(const QStringList &paths);
    /// Calls `done` once every pending load and layout has finished.
    void whenIdle(std::function<void()> done);

    // For tests and the report: the state the window shows.
    const BuildGraph &graph() const { return m_graph; }
    const BuildAnalysis &analysis() const { return m_analysis; }
    const BuildRun *selectedBuild() const;
    QString projectFolder() const { return m_projectFolder; }
    QString dockerfilePath() const { return m_dockerfilePath; }
    int buildCount() const;
    /// How many of buildCount() are provisional: builds of a log still being read, shown early.
    int provisionalBuildCount() const;
    /// Selects an entry of the build selector, as the user would (a load in progress then keeps it).
    void selectBuild(int index);
    int selectedBuildIndex() const { return m_selectedBuildEntry; }
    /// Selects a step everywhere (DAG, timeline, source, details).
    void selectStep(int stage, int step);
    QPair<int, int> selectedStep() const { return m_selectedStep; }
    DagView *dagView() const { return m_dagView; }
    TimelinePlot *timeline() const { return m_timeline; }
    QString detailsText() const;
    /// The selected step's output as the details pane shows it (read from the log file on a worker).
    QString stepOutputText() const;
    /// What File > Export Report writes: the same input `stagelens report` builds from its arguments.
    ReportInput reportInput() const;
    /// The current what-if answer; empty steps when no change is selected.
    const WhatIfResult &whatIf() const { return m_whatIf; }
    QString whatIfSummary() const;
    ContextTreeModel *contextModel() const { return m_contextModel; }
    /// Marks a Dockerfile line as edited (or not) for the what-if view.
    void setLineChanged(int line, bool changed);

Q_SIGNALS:
    void idle();
    void stepSelected(int stage, int step);
    /// The selected step's output, read on a worker, is on show (see stepOutputText()).
    void stepOutputShown();
    /// Builds of a log still being read were added to the build selector.
    void provisionalBuildsShown();

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    struct LoadedLog
    {
        QString path;
        BuildLogResult result;
        bool provisional = false; ///< builds handed out while the file is still being read
    };

    void createActions();
    QWidget *createProjectPane();
    QWidget *createDetailsPane();
    void openPath(const QString &path);
    void openProjectFolder(const QString &path);
    void openDockerfile(const QString &path);
    void openLog(const QString &path);
    void openFolderDialog();
    void openDockerfileDialog();
    void openLogDialog();
    void cancelLoading();
    void addProvisionalBuilds(quint64 generation, const QString &path, QList<BuildRun> builds);
    void dropProvisionalBuilds();
    void onLogFinished();
    void startNextLog();
    void applyLoadedLog(const QString &path, BuildLogResult result);
    void appendProvisionalEntries();
    void showBuild(int index);
    void addLogDiagnostics(const LoadedLog &log);
    void requestStepOutput();

    void reloadGraph();
    void rebuildBuildSelector();
    void refreshAnalysis();
    BuildAnalysis unmatchedAnalysis() const; ///< shaped like the graph, no vertex matched
    void refreshViews();
    void refreshStatusBar();
    void refreshDetails();
    void refreshSourceGutter();
    void showError(const QString &message);
    void scanContext();
    void rebuildEngine();
    void runWhatIf();
    void applyStepSeconds();
    bool isBusy() const;
    void checkIdle();

    // State (the model side); nothing here is computed from widgets.
    QString m_projectFolder;
    QString m_dockerfilePath;
    QByteArray m_dockerfileText;
    BuildOptions m_options;
    BuildGraph m_graph;
    QList<LoadedLog> m_logs;
    QList<QPair<int, int>> m_builds; ///< (log, build) per entry of the build selector
    int m_selectedBuildEntry = -1;
    BuildAnalysis m_analysis;
    QPair<int, int> m_selectedStep {-1, -1};
    QStringList m_changedPaths; ///< from --changed, applied when the context scan lands
    std::shared_ptr<const ContextIndex> m_context;
    std::unique_ptr<CacheEngine> m_engine;
    WhatIfResult m_whatIf;
    QSet<int> m_changedLines;
    QSet<QString> m_changedArgs;
    bool m_contextPending = false; ///< a context scan runs, or its result is not yet applied
    quint64 m_contextGeneration = 0;

    // Async bookkeeping.
    QFutureWatcher<BuildLogResult> *m_logWatcher = nullptr;
    QStringList m_logQueue;
    quint64 m_logGeneration = 0;
    QList<std::function<void()>> m_idleCallbacks;
    bool m_loading = false; ///< a log is being read or its result not yet handled
    QString m_loadingPath;
    quint64 m_loadingGeneration = 0;
    bool m_pickedDuringLoad = false; ///< the user chose a build while a log was being read
    QTimer *m_selectorTimer = nullptr; ///< throttles the build selector while provisional builds arrive
    quint64 m_analysisGeneration = 0;
    bool m_analysisPending = false; ///< a big build's analysis is running on a worker
    quint64 m_outputGeneration = 0;
    bool m_outputPending = false;
    QString m_outputKey; ///< which vertex's output is on show (or being read)

    // Widgets.
    RecentFiles *m_recent = nullptr;
    QComboBox *m_dockerfileCombo = nullptr;
    QComboBox *m_targetCombo = nullptr;
    QTableWidget *m_argsTable = nullptr;
    ContextTreeModel *m_contextModel = nullptr;
    QSortFilterProxyModel *m_contextFilter = nullptr;
    QTreeView *m_contextTree = nullptr;
    QComboBox *m_changeKind = nullptr;
    QLabel *m_whatIfLabel = nullptr;
    QPlainTextEdit *m_reasons = nullptr;
    QComboBox *m_buildCombo = nullptr;
    QLineEdit *m_searchEdit = nullptr;
    QSplitter *m_centerSplitter = nullptr;
    DagView *m_dagView = nullptr;
    DagInput m_dagInput;
    TimelineInput m_timelineInput;
    QAction *m_collapseAction = nullptr;
    std::optional<bool> m_userCollapsed; ///< unset: collapse large graphs automatically
    TimelinePlot *m_timeline = nullptr;
    SourceView *m_sourceView = nullptr;
    QLabel *m_detailsTitle = nullptr;
    QLabel *m_detailsFacts = nullptr;
    QPlainTextEdit *m_logOutput = nullptr;
    QTreeWidget *m_problems = nullptr;
    QTabWidget *m_rightTabs = nullptr;
    QLabel *m_statusSummary = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_cancelButton = nullptr;
};

} // namespace Stagelens
