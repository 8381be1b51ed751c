#pragma once

#include "model/compare/buildcomparison.h"
#include "model/itemmodels/sloweststepsmodel.h"
#include "model/session/projectsession.h"
#include "ui/viewadapters.h"

#include <QMainWindow>

#include <functional>
#include <optional>

class QAction;
class QComboBox;
class QToolBar;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QMenu;
class QProgressBar;
class QPushButton;
class QSplitter;
class QStackedWidget;
class QTabWidget;
class QVBoxLayout;

namespace Stagelens {

class Banner;
class ComparePane;
class ContextTreeModel;
class DagView;
class ProblemsPane;
class ProjectPane;
class RecentFiles;
class SlowestStepsPane;
class AdvicePane;
class AdviceController;
class StepDetailsPane;
class TimelineChart;
class WelcomePage;

/// The main window: widgets and wiring over one ProjectSession, which owns the project's state and runs its
/// jobs. The window shows the session's stage DAG with the selected build's timing, the timeline, the
/// project pane, the step details and the problems. GUI thread only.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    ProjectSession *session() const { return m_session; }

    /// Opens each path as if it had been dropped on the window (folders and Dockerfiles before logs).
    void openPaths(const QStringList &paths);
    /// The bundled example (project folder and its log) the welcome page offers; hidden when absent.
    void setExample(const QString &project, const QString &log);
    // False for a --screenshot run: opening paths then leaves the user's recent files as they were.
    void setRemembersRecentFiles(bool remember);
    /// True while the window shows the welcome page (nothing opened yet).
    bool isWelcomeShown() const;
    WelcomePage *welcomePage() const { return m_welcome; }
    /// Preselects context paths (relative to the project folder) in the what-if view.
    void setChangedPaths(const QStringList &paths);
    /// Calls `done` once every pending load, scan, analysis, layout and output read has finished.
    void whenIdle(std::function<void()> done);
    /// Work the window does not own but whenIdle() must wait for (the History view's queries): `busy` is
    /// asked with the rest, and the owner calls workFinished() when such work ends.
    void addBusySource(std::function<bool()> busy);
    void workFinished() { checkIdle(); }

    // What the window shows, for tests (each is the session's value).
    const BuildGraph &graph() const { return m_session->graph(); }
    const BuildAnalysis &analysis() const { return m_session->analysis(); }
    const BuildRun *selectedBuild() const { return m_session->selectedRun(); }
    QString projectFolder() const { return m_session->projectFolder(); }
    QString dockerfilePath() const { return m_session->dockerfilePath(); }
    int buildCount() const { return m_session->buildCount(); }
    int provisionalBuildCount() const { return m_session->provisionalBuildCount(); }
    /// Selects an entry of the build selector, as the user would (a load in progress then keeps it).
    void selectBuild(int index) { m_session->selectBuild(index); }
    int selectedBuildIndex() const { return m_session->selectedBuild(); }
    /// Selects a step everywhere (DAG, timeline, source, details).
    void selectStep(int stage, int step);
    StepRef selectedStep() const { return m_selectedStep; }
    DagView *dagView() const
    {
        ensureViews();
        return m_dagView;
    }
    /// What the DAG view was given (stages the target does not need left out unless View asks for them).
    const DagInput &dagInput() const { return m_dagInput; }
    /// File > Compare with Previous Build: compare mode for the selected build against the one before it in
    /// the selector, computed on a worker (null when there is no build before it; see compareShown()).
    ComparePane *compareWithPrevious();
    /// Compare mode for any two builds (History's compare): compared on a worker, then shown.
    ComparePane *compareRuns(
        const BuildRun &before, const BuildRun &after, const QString &beforeName, const QString &afterName);
    /// Shows a finished comparison: the DAG coloured by change kind with the root misses marked, the causes
    /// and changed files in the Compare pane, both builds' timelines one above the other on one time axis.
    void showComparison(const BuildComparison &comparison) { showComparison(comparison, {}); }
    /// Back to the selected build's own colours and timeline (Esc, View > Leave Compare Mode, the pane's
    /// button). Does nothing outside compare mode.
    void leaveCompareMode();
    bool isCompareMode() const { return m_compareMode; }
    ComparePane *comparePane() const
    {
        ensureComparePane();
        return m_comparePane;
    }
    /// The earlier build's timeline, shown above the selected one's in compare mode.
    TimelineChart *beforeTimeline() const
    {
        ensureTimelines();
        return m_beforeTimeline;
    }
    /// View > Show Unneeded Stages.
    void setShowUnneededStages(bool show);
    TimelineChart *timeline() const
    {
        ensureTimelines();
        return m_timeline;
    }
    SlowestStepsPane *slowestSteps() const
    {
        ensureViews();
        return m_slowest;
    }
    AdvicePane *advicePane() const
    {
        ensureViews();
        return m_advicePane;
    }
    AdviceController *advice() const
    {
        ensureViews();
        return m_advice;
    }
    /// Shows the right pane's page (the Step, Slowest, Problems or Advice pane).
    void showRightPage(QWidget *page);
    QString detailsText() const;
    /// The selected step's output as the details pane shows it (read from the log file on a worker).
    QString stepOutputText() const;
    /// What File > Export Report writes: the session's report input, as `stagelens report` uses it.
    ReportInput reportInput() const { return m_session->reportInput(); }
    const WhatIfResult &whatIf() const { return m_session->whatIf(); }
    QString whatIfSummary() const { return m_session->whatIfSentence(); }
    ContextTreeModel *contextModel() const;
    /// Marks a Dockerfile line as edited (or not) for the what-if view.
    void setLineChanged(int line, bool changed) { m_session->setLineChanged(line, changed); }
    QString statusText() const;
    /// The View menu, for views installed from outside (the History dock).
    QMenu *viewMenu() const { return m_viewMenu; }
    /// Adds a bar above the graph, under the banners (the history's offer bar): it never covers the graph.
    void addTopBar(QWidget *bar);
    /// The failure banner's text, empty when hidden.
    QString failureText() const;
    /// The failure banner's excerpt of the failing Dockerfile instruction, as BuildKit printed it.
    QString failureDetail() const;
    /// The what-if banner's text, empty when hidden.
    QString answerText() const;

Q_SIGNALS:
    void idle();
    void stepSelected(int stage, int step);
    /// The selected step's output, read on a worker, is on show (see stepOutputText()).
    void stepOutputShown();
    /// Builds of a log still being read were added to the build selector.
    void provisionalBuildsShown();
    /// Compare mode shows a finished comparison.
    void compareShown();
    void compareModeLeft();

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void createToolBar();
    /// The views behind the welcome page (graph, timelines, panes): built when the first file opens or
    /// something asks for one, not at start-up, where they were a third of the time to the first paint.
    void ensureViews() const;
    void createViews();
    /// The timeline charts, made in their hosts when a build is first shown (or a test asks for them).
    void ensureTimelines() const;
    /// Compare mode's pane, made when compare mode is first asked for.
    void ensureComparePane() const;
    void createComparePane();
    void createTimelines();
    bool hasViews() const { return m_dagView != nullptr; }
    void connectSession();
    void openPath(const QString &path);
    void openFolderDialog();
    /// The project pane shows when View asks for it and there is a Dockerfile to ask about.
    bool wantsProjectPane() const;
    void openDockerfileDialog();
    void openLogDialog();
    void refreshBuildSelector();
    void refreshViews();
    void refreshStatusBar();
    static QString nothingOpenText();
    QString emptyGraphText() const;
    /// Logs were opened (and are read) but none held a build: a CI log with only a failure summary.
    bool logsWithoutBuilds() const;
    void refreshBanners();
    void findStep();
    void selectStepAtLine(int line);
    bool isBusy() const;
    void checkIdle();
    /// The analysis of the build the views show: compare mode's later build, else the session's selection.
    const BuildAnalysis &shownAnalysis() const;
    /// The graph the views show: compare mode's own when it has one (see CompareViews::graph), else the
    /// session's.
    const BuildGraph &shownGraph() const;
    void alignTimelines();

    ProjectSession *m_session = nullptr;
    StepRef m_selectedStep;
    DagInput m_dagInput;
    TimelineInput m_timelineInput;
    /// Compare mode's views made on the comparison's worker: the two timelines (before, after), which depend
    /// on nothing but the comparison and the graph (compare mode ends when either changes), and the graph's
    /// input as first shown (the comparison's colours and notes on 90,000 steps took the GUI thread 27 ms),
    /// used once: a later refresh (unneeded stages toggled) makes it again.
    struct CompareViews
    {
        TimelineInput before;
        TimelineInput after;
        std::optional<DagInput> dag;
        bool dagShowsUnneeded = false; ///< whether `dag` kept the stages the target does not need
        /// The later build's own graph, when the window has no Dockerfile or build open (a comparison asked
        /// for from the History view): what a log opened alone would show. The analyses are against it.
        std::optional<BuildGraph> graph;
    };
    std::optional<CompareViews> m_compareViews;
    void showComparison(const BuildComparison &comparison, std::optional<CompareViews> views);
    /// Selects the first cause of a comparison just shown, once its views are in place; emits compareShown().
    void finishComparison();
    bool m_selectFirstCause = false;
    /// The timeline's and the slowest list's rows of one build, made on a worker for big builds.
    struct RunViews
    {
        TimelineInput timeline;
        QList<SlowStepRow> slowest;
    };
    quint64 m_runViewsGeneration = 0;
    /// Runs `steps` one per event-loop turn, so the window paints between them; stops when the views are
    /// refreshed again meanwhile (a newer m_runViewsGeneration).
    void runOnTurns(quint64 generation, QList<std::function<void()>> steps);
    bool m_runViewsPending = false;
    std::optional<bool> m_userCollapsed; ///< unset: collapse large graphs automatically
    QList<std::function<void()>> m_idleCallbacks;
    QList<std::function<bool()>> m_busySources;

    RecentFiles *m_recent = nullptr;
    QMenu *m_viewMenu = nullptr;
    QVBoxLayout *m_graphLayout = nullptr;
    QHBoxLayout *m_graphRow = nullptr; ///< the graph and its overview, in m_graphLayout
    QList<QPair<QWidget *, bool>> m_pendingTopBars; ///< added before the views existed; hidden by the owner
    QToolBar *m_buildToolBar = nullptr;
    QComboBox *m_buildCombo = nullptr;
    QLineEdit *m_searchEdit = nullptr;
    QAction *m_collapseAction = nullptr;
    QAction *m_showUnneededAction = nullptr;
    QAction *m_compareAction = nullptr;
    QAction *m_projectPaneAction = nullptr;
    QAction *m_detailsPaneAction = nullptr;
    QStackedWidget *m_pages = nullptr;
    WelcomePage *m_welcome = nullptr;
    ProjectPane *m_projectPane = nullptr;
    QSplitter *m_centerSplitter = nullptr;
    DagView *m_dagView = nullptr;
    Banner *m_failure = nullptr;
    Banner *m_answer = nullptr;
    QWidget *m_timelineHost = nullptr; ///< in the centre splitter, shown with a build
    QWidget *m_beforeTimelineHost = nullptr; ///< above it, shown in compare mode
    TimelineChart *m_timeline = nullptr; ///< null until ensureTimelines()
    TimelineChart *m_beforeTimeline = nullptr;
    ComparePane *m_comparePane = nullptr;
    QSplitter *m_mainSplitter = nullptr;
    QList<int> m_sizesBeforeCompare;
    QAction *m_leaveCompareAction = nullptr;
    bool m_compareMode = false;
    bool m_comparing = false; ///< a comparison runs on a worker
    quint64 m_compareGeneration = 0;
    std::optional<BuildComparison> m_comparison;
    bool m_syncingTimelines = false;
    QTabWidget *m_rightTabs = nullptr;
    StepDetailsPane *m_details = nullptr;
    SlowestStepsPane *m_slowest = nullptr;
    AdvicePane *m_advicePane = nullptr;
    AdviceController *m_advice = nullptr;
    ProblemsPane *m_problems = nullptr;
    QLabel *m_statusSummary = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_cancelButton = nullptr;
};

} // namespace Stagelens
