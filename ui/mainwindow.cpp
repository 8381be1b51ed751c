#include "mainwindow.h"

#include "model/analysis/loggraph.h"
#include "model/analysis/projectscan.h"
#include "model/compare/buildcompare.h"
#include "model/core/duration.h"
#include "model/itemmodels/sloweststepsmodel.h"
#include "ui/compare/comparepane.h"
#include "ui/graph/dagoverview.h"
#include "ui/graph/dagscene.h"
#include "ui/graph/dagview.h"
#include "ui/panes/advicecontroller.h"
#include "ui/panes/advicepane.h"
#include "ui/panes/banner.h"
#include "ui/panes/problemspane.h"
#include "ui/panes/projectpane.h"
#include "ui/panes/sloweststepspane.h"
#include "ui/panes/stepdetailspane.h"
#include "ui/plots/plotmodule.h"
#include "ui/recentfiles.h"
#include "ui/report/reportexport.h"
#include "ui/theme.h"
#include "ui/welcomepage.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <numeric>

namespace Stagelens {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_session(new ProjectSession(ProjectSession::Mode::Asynchronous, this))
{
    setWindowTitle(QStringLiteral("Stagelens"));
    setAcceptDrops(true);
    createActions();
    createToolBar();
    m_buildToolBar->hide(); // shown with the views (createViews)

    // The empty window shows the ways in, not an empty canvas; the first file opened turns to the views.
    m_welcome = new WelcomePage;
    m_pages = new QStackedWidget(this);
    m_pages->addWidget(m_welcome);
    setCentralWidget(m_pages);
    connect(m_welcome, &WelcomePage::openFolderRequested, this, &MainWindow::openFolderDialog);
    connect(m_welcome, &WelcomePage::openDockerfileRequested, this, &MainWindow::openDockerfileDialog);
    connect(m_welcome, &WelcomePage::openLogRequested, this, &MainWindow::openLogDialog);
    connect(m_welcome, &WelcomePage::openRequested, this, &MainWindow::openPaths);
    m_welcome->setRecentFiles(m_recent->paths());

    m_statusSummary = new QLabel(nothingOpenText());
    m_statusSummary->setTextFormat(Qt::PlainText);
    statusBar()->addWidget(m_statusSummary, 1);
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(220);
    m_progress->hide();
    m_cancelButton = new QPushButton(tr("Cancel"));
    m_cancelButton->hide();
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancelButton);
    connect(m_cancelButton, &QPushButton::clicked, m_session, &ProjectSession::cancelLoading);
    connectSession();

    const QByteArray geometry = QSettings().value(QStringLiteral("window/geometry")).toByteArray();
    if (!geometry.isEmpty())
        restoreGeometry(geometry);
}

MainWindow::~MainWindow() = default;

void MainWindow::ensureViews() const
{
    // Lazily made parts of the window, reachable from const getters: building them changes no state the
    // caller sees but their existence.
    if (!hasViews())
        const_cast<MainWindow *>(this)->createViews();
}

void MainWindow::ensureTimelines() const
{
    ensureViews();
    if (!m_timeline)
        const_cast<MainWindow *>(this)->createTimelines();
}

void MainWindow::createTimelines()
{
    // Waits for the module only if a build is shown before the worker has read it (a small log opened at
    // start); a window that never shows a build never loads it.
    m_beforeTimeline = PlotModule::createTimeline(m_beforeTimelineHost);
    m_beforeTimelineHost->layout()->addWidget(m_beforeTimeline->widget());
    m_timeline = PlotModule::createTimeline(m_timelineHost);
    m_timelineHost->layout()->addWidget(m_timeline->widget());
    m_timeline->onRowSelected(this, [this](int row) {
        const int vertex = m_timelineInput.vertexOfRow.value(row, -1);
        const StepRef ref = shownAnalysis().stepOfVertex.value(vertex);
        if (ref.isValid())
            selectStep(ref.stage, ref.step);
    });
    // Dragging or zooming either timeline moves the other: one time axis for both builds.
    for (TimelineChart *plot : {m_timeline, m_beforeTimeline}) {
        plot->onTimeRangeChanged(this, [this, plot](double lower, double upper) {
            if (!m_compareMode || m_syncingTimelines)
                return;
            m_syncingTimelines = true;
            (plot == m_timeline ? m_beforeTimeline : m_timeline)->setTimeRange(lower, upper);
            m_syncingTimelines = false;
        });
    }
}

void MainWindow::ensureComparePane() const
{
    ensureViews();
    if (!m_comparePane)
        const_cast<MainWindow *>(this)->createComparePane();
}

void MainWindow::createComparePane()
{
    // Made when compare mode is first asked for: the first open of a file does not wait for a pane it rarely
    // shows (1.2 ms of the first open's gap).
    m_comparePane = new ComparePane;
    m_comparePane->hide(); // a tab of the right-hand pane in compare mode
    connect(m_comparePane, &ComparePane::leaveRequested, this, &MainWindow::leaveCompareMode);
    connect(m_comparePane, &ComparePane::stepActivated, this, [this](const QString &label) {
        // The label the later build printed; the analysis maps its vertex to the Dockerfile step.
        if (m_comparison) {
            // Through a const reference: a non-const operator[] detached the shared list and copied all
            // 90,000 vertices of a big build (100 ms) on the first click.
            const QList<BuildVertex> &vertices = m_comparison->after.vertices;
            for (int v = 0; v < vertices.size(); ++v) {
                if (vertices[v].name == label) {
                    const StepRef ref = m_comparison->afterAnalysis.stepOfVertex.value(v);
                    if (ref.isValid()) {
                        selectStep(ref.stage, ref.step);
                        return;
                    }
                }
            }
        }
        const BuildGraph &graph = shownGraph();
        for (int s = 0; s < graph.stages.size(); ++s) {
            const QList<Step> &steps = graph.stages[s].steps;
            for (int i = 0; i < steps.size(); ++i) {
                if (steps[i].label == label) {
                    selectStep(s, i);
                    return;
                }
            }
        }
    });
}

void MainWindow::createViews()
{
    // The build selector and the step search show with the views: the welcome page has neither builds nor
    // steps, and laying out and drawing their combo box and line edit was an eighth of the start-up (5-6 ms,
    // run.sh startup). Made hidden with the window, they cost nothing then, and less at the first open.
    m_buildToolBar->show();
    m_centerSplitter = new QSplitter(Qt::Vertical, this);
    // The banners sit above the graph in the layout: they never cover a step.
    auto *graphArea = new QWidget(m_centerSplitter);
    auto *graphLayout = m_graphLayout = new QVBoxLayout(graphArea);
    graphLayout->setContentsMargins(0, 0, 0, 0);
    graphLayout->setSpacing(2);
    m_failure = new Banner(Banner::Kind::Failure);
    m_answer = new Banner(Banner::Kind::Answer);
    m_dagView = new DagView;
    graphLayout->addWidget(m_failure);
    graphLayout->addWidget(m_answer);
    // The overview of a big graph sits beside it, never over it.
    auto *viewRow = m_graphRow = new QHBoxLayout;
    viewRow->setContentsMargins(0, 0, 0, 0);
    viewRow->setSpacing(2);
    viewRow->addWidget(m_dagView, 1);
    viewRow->addWidget(m_dagView->overviewWidget(), 0);
    m_dagView->overviewWidget()->setEnabledByUser(
        QSettings().value(QStringLiteral("view/overview"), true).toBool());
    graphLayout->addLayout(viewRow, 1);
    graphLayout->addWidget(m_dagView->legendWidget());
    connect(m_answer, &Banner::actionTriggered, m_session, &ProjectSession::clearChanges);
    connect(m_failure, &Banner::actionTriggered, this, [this]() {
        const StepRef ref =
            m_session->analysis().stepOfVertex.value(m_session->analysis().summary.failedVertex);
        if (ref.isValid())
            selectStep(ref.stage, ref.step);
    });
    connect(m_dagView, &DagView::stepSelected, this, [this](int stage, int dagStep) {
        // The view numbers only the steps it draws; map back to the graph's step index.
        const int step = m_dagInput.stepIndex.value(stage).value(dagStep, -1);
        const int graphStage = m_dagInput.stageIndex.value(stage, -1);
        if (step >= 0 && graphStage >= 0)
            selectStep(graphStage, step);
    });
    connect(m_dagView->dagScene(), &DagScene::layoutFinished, this, &MainWindow::checkIdle);
    connect(m_dagView->dagScene(), &DagScene::layoutFailed, this, [this](const QString &error) {
        m_session->addMessage(tr("Graph layout failed: %1").arg(error));
        checkIdle();
    });
    // Compare mode's earlier build, above the later one on the same time axis. The charts themselves come
    // from the plots module when a build is first shown (ensureTimelines()); it is read on a worker from now.
    PlotModule::preload();
    auto makeHost = [this](const QString &name, int minimumHeight) {
        auto *host = new QWidget(m_centerSplitter);
        host->setObjectName(name);
        auto *layout = new QVBoxLayout(host);
        layout->setContentsMargins(0, 0, 0, 0);
        host->setMinimumHeight(minimumHeight);
        host->hide(); // until a build is shown
        return host;
    };
    m_beforeTimelineHost = makeHost(QStringLiteral("beforeTimeline"), 160);
    m_timelineHost = makeHost(QStringLiteral("timeline"), 220);
    m_centerSplitter->setStretchFactor(0, 3);
    m_centerSplitter->setStretchFactor(1, 2);
    m_centerSplitter->setStretchFactor(2, 2);
    // The graph is the main view; the timeline gets the smaller share whatever its size hint says.
    m_centerSplitter->setSizes({540, 0, 420});

    m_projectPane = new ProjectPane(m_session, this);
    m_projectPane->hide(); // until a Dockerfile is open
    m_rightTabs = new QTabWidget;
    m_details = new StepDetailsPane(m_session);
    m_problems = new ProblemsPane(m_session->diagnostics());
    m_slowest = new SlowestStepsPane;
    m_rightTabs->addTab(m_details, tr("Step"));
    m_rightTabs->addTab(m_slowest, tr("Slowest"));
    m_rightTabs->addTab(m_problems, tr("Problems"));
    m_rightTabs->setTabToolTip(1, tr("Every step of the build by time, longest first"));
    m_advicePane = new AdvicePane;
    m_rightTabs->addTab(m_advicePane, tr("Advice"));
    m_rightTabs->setTabToolTip(m_rightTabs->indexOf(m_advicePane),
        tr("Cache advice for this Dockerfile, each rewrite checked by the what-if engine, largest saving "
           "first"));
    m_advice = new AdviceController(m_session, m_advicePane, m_rightTabs, this);
    connect(m_advice, &AdviceController::adviceChanged, m_details, &StepDetailsPane::setAdviceLines);
    connect(m_advice, &AdviceController::settled, this, &MainWindow::checkIdle);
    connect(m_advicePane, &AdvicePane::adviceSelected, this, [this](int line) {
        selectStepAtLine(line);
        m_rightTabs->setCurrentWidget(m_advicePane); // stay on the list
    });
    connect(m_advicePane, &AdvicePane::showChange, this,
        [this](const WhatIfChanges &changes) { m_session->setChanges(changes); });
    connect(m_slowest, &SlowestStepsPane::vertexActivated, this, [this](int vertex) {
        const StepRef ref = m_session->analysis().stepOfVertex.value(vertex);
        if (ref.isValid()) {
            selectStep(ref.stage, ref.step);
            m_rightTabs->setCurrentWidget(m_slowest); // stay on the list to pick the next one
            return;
        }
        // BuildKit's own vertices (context, metadata, exporter) are no Dockerfile step: show their bar.
        const int row = m_timelineInput.rowOfVertexList.value(vertex, -1);
        if (row >= 0 && m_timeline)
            m_timeline->selectRow(row);
    });
    m_rightTabs->setMinimumWidth(320);
    connect(m_details, &StepDetailsPane::lineClicked, this, &MainWindow::selectStepAtLine);
    connect(m_details, &StepDetailsPane::outputShown, this, &MainWindow::stepOutputShown);
    connect(m_details, &StepDetailsPane::outputSettled, this, &MainWindow::checkIdle);
    connect(m_problems, &ProblemsPane::problemsChanged, this, [this](int errors) {
        m_rightTabs->setTabText(m_rightTabs->indexOf(m_problems), m_problems->title());
        if (errors > 0)
            m_rightTabs->setCurrentWidget(m_problems);
    });
    connect(m_problems, &ProblemsPane::locationActivated, this, [this](const QString &file, int line) {
        if (line > 0 && QFileInfo(file) == QFileInfo(m_session->dockerfilePath()))
            selectStepAtLine(line);
    });

    auto *mainSplitter = m_mainSplitter = new QSplitter(Qt::Horizontal, this);
    mainSplitter->addWidget(m_projectPane);
    mainSplitter->addWidget(m_centerSplitter);
    mainSplitter->addWidget(m_rightTabs);
    mainSplitter->setStretchFactor(0, 0);
    mainSplitter->setStretchFactor(1, 1);
    mainSplitter->setStretchFactor(2, 0);
    mainSplitter->setSizes({250, 1000, 330});
    m_pages->addWidget(mainSplitter);
    if (!m_detailsPaneAction->isChecked())
        m_rightTabs->hide();
    for (const auto &[bar, hidden] : std::exchange(m_pendingTopBars, {})) {
        addTopBar(bar);
        bar->setVisible(!hidden);
    }
}

void MainWindow::connectSession()
{
    ProjectSession *s = m_session;
    connect(s, &ProjectSession::projectChanged, this, [this]() {
        const QString folder = m_session->projectFolder();
        setWindowTitle(folder.isEmpty() ? QStringLiteral("Stagelens")
                                        : tr("%1 - Stagelens").arg(QDir(folder).dirName()));
    });
    connect(s, &ProjectSession::graphChanged, this, [this]() { m_selectedStep = {}; });
    // A new graph (another Dockerfile, options, a log-only session's other build): the comparison's analyses
    // describe the old one.
    connect(s, &ProjectSession::graphChanged, this, &MainWindow::leaveCompareMode);
    // A log opened alone has no Dockerfile, target, build args or context to ask about.
    connect(s, &ProjectSession::projectChanged, this, [this]() {
        if (hasViews())
            m_projectPane->setVisible(wantsProjectPane());
    });
    connect(s, &ProjectSession::buildsChanged, this, &MainWindow::refreshBuildSelector);
    connect(s, &ProjectSession::selectionChanged, this, &MainWindow::refreshBuildSelector);
    // The what-if answer follows every analysis, so one refresh per answer covers both.
    connect(s, &ProjectSession::whatIfChanged, this, &MainWindow::refreshViews);
    connect(s, &ProjectSession::provisionalBuildsShown, this, &MainWindow::provisionalBuildsShown);
    connect(s, &ProjectSession::loadStarted, this, [this](const QString &path) {
        m_progress->setValue(0);
        m_progress->show();
        m_cancelButton->show();
        statusBar()->showMessage(tr("Reading %1...").arg(QFileInfo(path).fileName()));
    });
    connect(s, &ProjectSession::loadProgress, m_progress, &QProgressBar::setValue);
    connect(s, &ProjectSession::contextProgress, m_progress, &QProgressBar::setValue);
    connect(s, &ProjectSession::loadFinished, this, [this](const QString &, bool canceled) {
        m_progress->hide();
        m_cancelButton->hide();
        if (canceled)
            statusBar()->showMessage(tr("Loading canceled"), 4000);
        else
            statusBar()->clearMessage();
    });
    connect(s, &ProjectSession::messageAdded, this,
        [this](const QString &message) { statusBar()->showMessage(message, 8000); });
    connect(s, &ProjectSession::idle, this, &MainWindow::checkIdle);
}

void MainWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Open &Folder..."), this, &MainWindow::openFolderDialog)
        ->setShortcut(QKeySequence::Open);
    file->addAction(tr("Open &Dockerfile..."), this, &MainWindow::openDockerfileDialog)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    file->addAction(tr("Open &Log..."), this, &MainWindow::openLogDialog)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    m_recent = new RecentFiles(file->addMenu(tr("Open &Recent")), this);
    m_compareAction =
        file->addAction(tr("&Compare with Previous Build"), this, [this]() { compareWithPrevious(); });
    m_compareAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    m_compareAction->setToolTip(tr("Why the selected build missed the cache where the build before it hit"));
    m_compareAction->setEnabled(false);
    connect(m_recent, &RecentFiles::openRequested, this, &MainWindow::openPath);
    file->addSeparator();
    // The session's report input: the same report as `stagelens report` on the same inputs.
    file->addAction(createExportReportAction(this, [this]() { return reportInput(); }));
    file->addSeparator();
    file->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows)->setShortcut(QKeySequence::Quit);

    QMenu *view = m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_collapseAction = view->addAction(tr("&Collapse Stages"));
    m_collapseAction->setCheckable(true);
    m_collapseAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    m_collapseAction->setToolTip(tr("One node per stage: for large Dockerfiles"));
    connect(m_collapseAction, &QAction::toggled, this, [this](bool collapsed) {
        m_userCollapsed = collapsed;
        refreshViews();
    });
    m_showUnneededAction = view->addAction(tr("Show &Unneeded Stages"));
    m_showUnneededAction->setCheckable(true);
    m_showUnneededAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_U));
    m_showUnneededAction->setToolTip(
        tr("Also draw the stages the target does not need (BuildKit skips them)"));
    m_showUnneededAction->setChecked(
        QSettings().value(QStringLiteral("view/showUnneededStages"), false).toBool());
    connect(m_showUnneededAction, &QAction::toggled, this, [this](bool show) {
        QSettings().setValue(QStringLiteral("view/showUnneededStages"), show);
        refreshViews();
    });
    // The side panes fold away for a bigger graph and come back where they were (the splitter keeps sizes).
    m_projectPaneAction = view->addAction(tr("&Project Pane"));
    m_projectPaneAction->setCheckable(true);
    m_projectPaneAction->setChecked(true);
    m_projectPaneAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    connect(m_projectPaneAction, &QAction::toggled, this, [this](bool) {
        if (hasViews())
            m_projectPane->setVisible(wantsProjectPane());
    });
    m_detailsPaneAction = view->addAction(tr("&Details Pane"));
    m_detailsPaneAction->setCheckable(true);
    m_detailsPaneAction->setChecked(true);
    m_detailsPaneAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_2));
    connect(m_detailsPaneAction, &QAction::toggled, this, [this](bool on) {
        if (hasViews())
            m_rightTabs->setVisible(on);
    });
    m_leaveCompareAction = view->addAction(tr("&Leave Compare Mode"), this, &MainWindow::leaveCompareMode);
    m_leaveCompareAction->setShortcut(QKeySequence(Qt::Key_Escape));
    m_leaveCompareAction->setToolTip(tr("Back to the selected build's own colours and timeline"));
    m_leaveCompareAction->setEnabled(false);
    view->addSeparator();
    QAction *overview = view->addAction(tr("&Overview"));
    overview->setCheckable(true);
    overview->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M));
    overview->setToolTip(tr("A map of the whole graph beside it while the graph is larger than the view"));
    overview->setChecked(QSettings().value(QStringLiteral("view/overview"), true).toBool());
    connect(overview, &QAction::toggled, this, [this](bool on) {
        QSettings().setValue(QStringLiteral("view/overview"), on);
        if (hasViews())
            m_dagView->overviewWidget()->setEnabledByUser(on);
    });
    // Nothing to fit or zoom before a file is open (the graph is built with the first one).
    const auto onGraph = [this](void (DagView::*action)()) {
        return [this, action]() {
            if (hasViews())
                (m_dagView->*action)();
        };
    };
    view->addAction(tr("&Fit Graph"), this, onGraph(&DagView::fitToView))
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    view->addAction(tr("Zoom &In"), this, onGraph(&DagView::zoomIn))->setShortcut(QKeySequence::ZoomIn);
    view->addAction(tr("Zoom &Out"), this, onGraph(&DagView::zoomOut))->setShortcut(QKeySequence::ZoomOut);
    view->addSeparator();
    QMenu *themeMenu = view->addMenu(tr("&Theme"));
    auto *themes = new QActionGroup(this);
    const QList<QPair<QString, ThemeMode>> modes {
        {tr("&System"), ThemeMode::System}, {tr("&Light"), ThemeMode::Light}, {tr("&Dark"), ThemeMode::Dark}};
    const int savedTheme = QSettings().value(QStringLiteral("view/theme"), 0).toInt();
    for (const auto &[label, mode] : modes) {
        QAction *action = themeMenu->addAction(label);
        action->setCheckable(true);
        action->setChecked(int(mode) == savedTheme);
        themes->addAction(action);
        connect(action, &QAction::triggered, this, [mode = mode]() {
            applyTheme(mode);
            QSettings().setValue(QStringLiteral("view/theme"), int(mode));
        });
    }
    // A theme given on the command line (already applied) wins over the saved one.
    if (savedTheme != int(ThemeMode::System) && !qApp->property("stagelensThemeFromCommandLine").toBool())
        applyTheme(ThemeMode(savedTheme));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Stagelens"), this, [this]() {
        QMessageBox box(this);
        box.setWindowTitle(tr("About Stagelens"));
        box.setTextFormat(Qt::PlainText);
        box.setText(tr("Stagelens %1\nWhy is my Docker build slow, and what will my next edit cost?")
                        .arg(QApplication::applicationVersion()));
        box.exec();
    });
}

void MainWindow::openFolderDialog()
{
    const QString path = QFileDialog::getExistingDirectory(this, tr("Open Project Folder"));
    if (!path.isEmpty())
        openPath(path);
}

void MainWindow::openDockerfileDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Dockerfile"), m_session->projectFolder(),
        tr("Dockerfiles (Dockerfile *.Dockerfile Dockerfile.* Containerfile);;All files (*)"));
    if (!path.isEmpty())
        openPath(path);
}

void MainWindow::openLogDialog()
{
    const QStringList paths = QFileDialog::getOpenFileNames(this, tr("Open Build Logs"), QString(),
        tr("Build logs and records (*.log *.txt *.json *.dockerbuild *.zip);;All files (*)"));
    for (const QString &path : paths)
        openPath(path);
}

bool MainWindow::wantsProjectPane() const
{
    return m_projectPaneAction->isChecked() && !m_session->dockerfilePath().isEmpty();
}

void MainWindow::setExample(const QString &project, const QString &log)
{
    m_welcome->setExample(project, log);
}

bool MainWindow::isWelcomeShown() const
{
    return m_pages->currentWidget() == m_welcome;
}

void MainWindow::createToolBar()
{
    QToolBar *toolbar = m_buildToolBar = addToolBar(tr("Build"));
    toolbar->setObjectName(QStringLiteral("buildToolbar"));
    toolbar->setMovable(false);
    toolbar->addWidget(new QLabel(tr("Build: ")));
    m_buildCombo = new QComboBox;
    m_buildCombo->setMinimumContentsLength(36);
    m_buildCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_buildCombo->setToolTip(tr("Every build found in the opened logs"));
    toolbar->addWidget(m_buildCombo);
    connect(m_buildCombo, &QComboBox::currentIndexChanged, m_session, &ProjectSession::selectBuild);
    // Another build picked: the comparison no longer describes what the window shows.
    connect(m_buildCombo, &QComboBox::currentIndexChanged, this, &MainWindow::leaveCompareMode);
    toolbar->addSeparator();
    m_searchEdit = new QLineEdit;
    m_searchEdit->setPlaceholderText(tr("Find step (Ctrl+F)"));
    m_searchEdit->setClearButtonEnabled(true);
    m_searchEdit->setMaximumWidth(320);
    toolbar->addWidget(m_searchEdit);
    auto *find = new QAction(this);
    find->setShortcut(QKeySequence::Find);
    connect(find, &QAction::triggered, m_searchEdit, [this]() {
        m_searchEdit->setFocus();
        m_searchEdit->selectAll();
    });
    addAction(find);
    connect(m_searchEdit, &QLineEdit::returnPressed, this, &MainWindow::findStep);
}

// The next step whose label or text contains the search text, after the current selection, wrapping around.
void MainWindow::findStep()
{
    const QString needle = m_searchEdit->text().trimmed();
    if (needle.isEmpty())
        return;
    const BuildGraph &graph = shownGraph();
    QList<StepRef> all;
    for (int s = 0; s < graph.stages.size(); ++s)
        for (int i = 0; i < graph.stages.at(s).steps.size(); ++i)
            all.append({s, i});
    const qsizetype from = all.indexOf(m_selectedStep);
    for (qsizetype k = 1; k <= all.size(); ++k) {
        const StepRef ref = all.at((from + k + all.size()) % all.size());
        const Step &step = *graph.step(ref);
        if (step.text.contains(needle, Qt::CaseInsensitive)
            || step.label.contains(needle, Qt::CaseInsensitive)) {
            selectStep(ref.stage, ref.step);
            return;
        }
    }
    statusBar()->showMessage(tr("No step matches \"%1\"").arg(needle), 4000);
}

void MainWindow::openPaths(const QStringList &paths)
{
    // Folders and Dockerfiles first, so logs are matched against the right graph.
    QStringList logs;
    for (const QString &path : paths) {
        if (classifyPath(path) == PathKind::BuildLog)
            logs.append(path);
        else
            openPath(path);
    }
    for (const QString &path : std::as_const(logs))
        openPath(path);
}

void MainWindow::setRemembersRecentFiles(bool remember)
{
    m_recent->setPersistent(remember);
}

void MainWindow::openPath(const QString &path)
{
    // Before the session changes: the panes follow its signals from the first one on.
    ensureViews();
    if (m_session->open(path)) {
        m_recent->add(path);
        m_welcome->setRecentFiles(m_recent->paths());
        m_pages->setCurrentIndex(1);
    }
}

void MainWindow::setChangedPaths(const QStringList &paths)
{
    m_session->setChangedPaths(paths);
}

ContextTreeModel *MainWindow::contextModel() const
{
    ensureViews();
    return m_projectPane->contextModel();
}

ComparePane *MainWindow::compareWithPrevious()
{
    const int selected = m_session->selectedBuild();
    const BuildRun *before = m_session->run(selected - 1);
    const BuildRun *after = m_session->run(selected);
    if (!before || !after)
        return nullptr;
    return compareRuns(*before, *after, m_session->buildName(selected - 1), m_session->buildName(selected));
}

ComparePane *MainWindow::compareRuns(
    const BuildRun &before, const BuildRun &after, const QString &beforeName, const QString &afterName)
{
    ensureComparePane();
    const auto generation = ++m_compareGeneration;
    m_comparing = true;
    m_comparePane->setPending(beforeName, afterName);
    statusBar()->showMessage(tr("Comparing %1 against %2...").arg(afterName, beforeName));
    // Off the GUI thread: two builds of 90,000 vertices take about half a second (bench_compare). The copies
    // share the builds' data (implicitly shared lists); a newer comparison drops this one's result.
    // With the project's git history the changed files are named (libgit2, on the worker as well).
    // The two timelines' rows are made there too: for builds of 90,000 vertices they took the GUI thread
    // longer than a frame.
    struct Shown
    {
        BuildComparison comparison;
        CompareViews views;
    };
    QtConcurrent::run([sessionGraph = m_session->graph(), before, after, beforeName, afterName,
                          project = m_session->projectFolder(), dockerfile = m_session->dockerfilePath(),
                          showUnneeded = m_showUnneededAction->isChecked()]() {
        Shown shown;
        // Nothing open (a comparison from the History view): the later build's own graph, as a log opened
        // alone shows it, so the graph and the steps have something to name.
        if (sessionGraph.stages.isEmpty() && dockerfile.isEmpty()) {
            QString recordDockerfile;
            shown.views.graph = graphOfBuild(after, &recordDockerfile);
        }
        const BuildGraph &graph = shown.views.graph ? *shown.views.graph : sessionGraph;
        // What the Dockerfile says that logs do not: the FROM <stage> chains and each stage's ARGs.
        const CompareContext context = compareContextOf(graph);
        BuildComparison &c = shown.comparison;
        c = compareForDisplay(graph, before, after, context, project, dockerfile);
        c.beforeName = beforeName;
        c.afterName = afterName;
        shown.views.before = makeTimelineInput(graph, c.before, c.beforeAnalysis);
        shown.views.after = makeTimelineInput(graph, c.after, c.afterAnalysis);
        shown.views.dag = compareDagInput(graph, c, showUnneeded);
        shown.views.dagShowsUnneeded = showUnneeded;
        return shown;
    }).then(this, [this, generation](Shown shown) {
        if (generation != m_compareGeneration)
            return;
        m_comparing = false;
        statusBar()->clearMessage();
        showComparison(shown.comparison, std::move(shown.views));
        checkIdle();
    });
    return m_comparePane;
}

void MainWindow::showComparison(const BuildComparison &comparison, std::optional<CompareViews> views)
{
    ensureComparePane();
    // A comparison asked for from the History view of an empty window: the views, not the welcome page.
    m_pages->setCurrentWidget(m_mainSplitter);
    m_comparison = comparison;
    m_compareViews = std::move(views);
    if (!m_compareMode) {
        m_compareMode = true;
        m_sizesBeforeCompare = m_mainSplitter->sizes();
        m_rightTabs->insertTab(0, m_comparePane, tr("Compare"));
        m_rightTabs->setTabToolTip(
            0, tr("Why the later build missed the cache: causes, changed files, steps"));
        m_rightTabs->show();
        // The what-if questions of the project pane are not compare mode's: the graph gets the room.
        m_projectPane->hide();
        // The causes and steps need more room than the step details: widen the pane, narrow the graph.
        QList<int> sizes = m_mainSplitter->sizes();
        const int total = std::accumulate(sizes.begin(), sizes.end(), 0);
        const int wanted = std::max(sizes.value(2), std::min(560, total * 2 / 5));
        sizes[1] = std::max(0, sizes[1] - (wanted - sizes[2]));
        sizes[2] = wanted;
        m_mainSplitter->setSizes(sizes);
        QList<int> center = m_centerSplitter->sizes();
        const int timelines = center.value(1) + center.value(2);
        const int height = std::accumulate(center.begin(), center.end(), 0);
        const int each = std::max(200, std::max(timelines, height * 11 / 20) / 2);
        m_centerSplitter->setSizes({std::max(100, height - 2 * each), each, each});
    }
    m_rightTabs->setCurrentWidget(m_comparePane);
    m_leaveCompareAction->setEnabled(true);
    m_comparePane->setComparison(comparison);
    // The costliest cause's steps selected, its root shown in the graph: the answer is on screen at once.
    // That happens once refreshViews() has given both timelines their rows (on later event-loop turns), so
    // the selection lands on the new rows; compareShown() follows it.
    m_selectFirstCause = true;
    // The graph and timelines on the next turns: the pane and this layout change are a turn's worth.
    QTimer::singleShot(1, this, [this, generation = m_compareGeneration]() {
        if (generation == m_compareGeneration && m_comparison)
            refreshViews();
    });
}

void MainWindow::finishComparison()
{
    if (!std::exchange(m_selectFirstCause, false) || !m_comparison)
        return;
    if (!m_comparison->result.causes.isEmpty())
        m_comparePane->selectCause(0);
    Q_EMIT compareShown();
}

void MainWindow::leaveCompareMode()
{
    ++m_compareGeneration; // a comparison still running is dropped
    const bool wasComparing = m_comparing;
    m_comparing = false;
    if (!m_compareMode) {
        if (wasComparing)
            checkIdle();
        return;
    }
    m_compareMode = false;
    m_comparison.reset();
    m_compareViews.reset();
    m_selectFirstCause = false;
    m_rightTabs->removeTab(m_rightTabs->indexOf(m_comparePane));
    m_comparePane->hide();
    m_leaveCompareAction->setEnabled(false);
    m_beforeTimelineHost->hide();
    if (m_timeline) {
        m_beforeTimeline->setCaption({});
        m_timeline->setCaption({});
        m_beforeTimeline->setAlignedLayout(false);
        m_timeline->setAlignedLayout(false);
        m_timeline->setCompact(false);
    }
    m_projectPane->setVisible(wantsProjectPane());
    if (m_sizesBeforeCompare.size() == 3)
        m_mainSplitter->setSizes(m_sizesBeforeCompare);
    // Builds compared from the History view of an empty window: back to the ways in, not an empty canvas.
    if (m_session->projectFolder().isEmpty() && m_session->logCount() == 0 && !m_session->isBusy())
        m_pages->setCurrentWidget(m_welcome);
    refreshViews();
    Q_EMIT compareModeLeft();
}

const BuildGraph &MainWindow::shownGraph() const
{
    return m_comparison && m_compareViews && m_compareViews->graph ? *m_compareViews->graph
                                                                   : m_session->graph();
}

const BuildAnalysis &MainWindow::shownAnalysis() const
{
    return m_comparison ? m_comparison->afterAnalysis : m_session->analysis();
}

// Both timelines show the union of the two builds' time ranges, with equal label and scroll bar columns:
// one second is the same number of pixels, at the same place, in both.
void MainWindow::alignTimelines()
{
    ensureTimelines();
    const auto a = m_beforeTimeline->timeRange();
    const auto b = m_timeline->timeRange();
    const double lower = std::min(a.first, b.first);
    const double upper = std::max(a.second, b.second);
    m_syncingTimelines = true;
    m_beforeTimeline->setTimeRange(lower, upper);
    m_timeline->setTimeRange(lower, upper);
    m_syncingTimelines = false;
}

void MainWindow::refreshBuildSelector()
{
    m_compareAction->setEnabled(m_session->selectedBuild() > 0);
    const QSignalBlocker block(m_buildCombo);
    m_buildCombo->clear();
    for (int i = 0; i < m_session->buildCount(); ++i)
        m_buildCombo->addItem(m_session->buildName(i));
    m_buildCombo->setCurrentIndex(m_session->selectedBuild());
}

void MainWindow::refreshViews()
{
    if (!hasViews())
        return; // nothing open yet: the views read the session when they are built
    const BuildGraph &graph = shownGraph();
    const BuildAnalysis &analysis = m_session->analysis();
    const WhatIfResult &whatIf = m_session->whatIf();
    const bool showUnneeded = m_showUnneededAction->isChecked();
    if (m_comparison && m_compareViews && m_compareViews->dag
        && m_compareViews->dagShowsUnneeded == showUnneeded) {
        m_dagInput = std::move(*m_compareViews->dag); // made on the comparison's worker
    } else if (m_comparison) {
        m_dagInput = compareDagInput(graph, *m_comparison, showUnneeded);
    } else {
        m_dagInput = makeDagInput(graph, analysis, whatIf);
        if (!showUnneeded)
            hideUnneededStages(&m_dagInput);
    }
    if (m_compareViews)
        m_compareViews->dag.reset();
    // Large files read better one node per stage until the user says otherwise.
    const bool collapse = m_userCollapsed.value_or(opensCollapsed(m_dagInput.model));
    m_dagInput.model.collapsed = collapse;
    if (m_collapseAction->isChecked() != collapse) {
        const QSignalBlocker block(m_collapseAction);
        m_collapseAction->setChecked(collapse);
    }
    m_dagView->setModel(m_dagInput.model);
    m_dagView->setEmptyText(emptyGraphText());
    const quint64 generation = ++m_runViewsGeneration; // drops a worker's rows for an older refresh
    m_runViewsPending = false;
    if (m_comparison) {
        const BuildComparison &c = *m_comparison;
        ensureTimelines();
        if (!m_compareViews)
            m_compareViews = CompareViews {makeTimelineInput(graph, c.before, c.beforeAnalysis),
                makeTimelineInput(graph, c.after, c.afterAnalysis)};
        m_timelineInput = m_compareViews->after;
        auto caption = [](const QString &side, const QString &name, const std::optional<double> &seconds) {
            // Side and wall time first: a long file name is what gets elided.
            return tr("%1, %2: %3").arg(side, formatDuration(seconds), name);
        };
        m_beforeTimeline->setCaption(caption(tr("Before"), c.beforeName, c.result.beforeSeconds));
        m_timeline->setCaption(caption(tr("After"), c.afterName, c.result.afterSeconds));
        m_beforeTimeline->setAlignedLayout(true);
        m_timeline->setAlignedLayout(true);
        m_beforeTimeline->setCompact(true);
        m_timeline->setCompact(true);
        // Each timeline on an event-loop turn of its own, the first cause's selection on the next: for two
        // builds of 90,000 vertices, all of it at once held the GUI thread ~180 ms (bench_gui). The earlier
        // build's chart is shown (laid out) now, its rows come next.
        m_beforeTimelineHost->show();
        m_runViewsPending = true;
        QList<std::function<void()>> turns;
        turns << [this]() {
            m_syncingTimelines = true;
            m_beforeTimeline->setModel(m_compareViews->before.model);
            m_syncingTimelines = false;
        };
        turns << [this]() {
            m_syncingTimelines = true;
            m_timeline->setModel(m_timelineInput.model);
            m_syncingTimelines = false;
            m_timelineHost->show();
            alignTimelines();
        };
        turns << [this]() {
            m_runViewsPending = false;
            finishComparison();
            checkIdle();
        };
        runOnTurns(generation, std::move(turns));
    } else if (const BuildRun *run = m_session->selectedRun()) {
        const std::optional<double> wall = analysis.summary.wallSeconds;
        const int sortColumn = m_slowest->model()->sortColumn();
        const Qt::SortOrder sortOrder = m_slowest->model()->sortOrder();
        auto make = [graph, run = *run, analysis, whatIf, sortColumn, sortOrder, wall]() {
            RunViews views {
                makeTimelineInput(graph, run, analysis, whatIf), slowStepRows(graph, run, analysis)};
            sortSlowStepRows(&views.slowest, sortColumn, sortOrder, wall);
            return views;
        };
        auto apply = [this, wall](RunViews views) {
            ensureTimelines();
            m_timelineInput = std::move(views.timeline);
            m_timeline->setModel(m_timelineInput.model);
            m_timelineHost->show();
            m_slowest->model()->setRows(std::move(views.slowest), wall);
        };
        if (run->vertices.size() <= ProjectSession::AsyncAnalysisVertices) {
            apply(make());
        } else {
            // A build of ~100k vertices takes tens of ms to turn into rows: on a worker, so the GUI thread
            // only swaps the results in. The copies share the graph's, run's and analysis's data. Until they
            // land, the old rows stay drawn but map to no vertex of the new build.
            m_timelineInput.vertexOfRow.clear();
            m_timelineInput.rowOfVertexList.clear();
            m_runViewsPending = true;
            auto *watcher = new QFutureWatcher<RunViews>(this);
            connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation, wall]() {
                watcher->deleteLater();
                if (generation != m_runViewsGeneration)
                    return;
                // Timeline first, the slowest list on the next event-loop turn: together they were the
                // longest stall of a 1 GB load (~30 ms), apart the window paints in between.
                RunViews views = watcher->result();
                ensureTimelines();
                m_timelineInput = std::move(views.timeline);
                m_timeline->setModel(m_timelineInput.model);
                m_timelineHost->show();
                runOnTurns(generation, {[this, wall, rows = std::move(views.slowest)]() mutable {
                    m_runViewsPending = false;
                    m_slowest->model()->setRows(std::move(rows), wall);
                    checkIdle();
                }});
            });
            watcher->setFuture(QtConcurrent::run(std::move(make)));
        }
    } else {
        m_slowest->model()->setRows({}, std::nullopt);
        m_timelineInput = {};
        if (m_timeline)
            m_timeline->setModel({});
        m_timelineHost->hide();
    }
    refreshStatusBar();
    refreshBanners();
    m_details->showStep(m_selectedStep);
}

void MainWindow::runOnTurns(quint64 generation, QList<std::function<void()>> steps)
{
    if (steps.isEmpty())
        return;
    // Timers rather than queued calls: queued calls ran back to back, with no paint or input between them.
    QTimer::singleShot(1, this, [this, generation, steps = std::move(steps)]() mutable {
        if (generation != m_runViewsGeneration)
            return; // the views were refreshed again (or compare mode left) meanwhile
        steps.takeFirst()();
        runOnTurns(generation, std::move(steps));
    });
}

void MainWindow::refreshBanners()
{
    if (!hasViews())
        return;
    m_answer->show(m_session->hasChanges() ? m_session->whatIfSentence() : QString(), tr("Clear"));
    // The failure as the build summary states it: the same step, code and text the report and `log` give.
    const BuildSummary &summary = m_session->analysis().summary;
    if (!m_session->selectedRun()) {
        // A CI log that kept only BuildKit's failure summary: no build, but the reader knows where it failed.
        QString text;
        for (int i = 0; i < m_session->logCount() && text.isEmpty(); ++i) {
            const BuildLogResult &log = m_session->logResult(i);
            if (log.onlyFailureSummary)
                text = tr("%1 holds only BuildKit's failure summary, no build steps%2")
                           .arg(QFileInfo(log.path).fileName(),
                               log.failureSummaryWhere.isEmpty()
                                   ? QStringLiteral(".")
                                   : tr(": the build failed at %1").arg(log.failureSummaryWhere));
        }
        m_failure->setDetail({});
        m_failure->show(text);
        return;
    }
    if (!summary.failed()) {
        m_failure->setDetail({});
        m_failure->show({});
        return;
    }
    m_failure->setDetail(summary.errorContext);
    QString text =
        summary.failedStep.isEmpty() ? tr("Build failed") : tr("Build failed at %1").arg(summary.failedStep);
    if (summary.exitCode)
        text += tr(" (exit code %1)").arg(*summary.exitCode);
    if (!summary.error.isEmpty())
        text += QStringLiteral(":\n") + summary.error;
    const bool canJump = m_session->analysis().stepOfVertex.value(summary.failedVertex).isValid();
    m_failure->show(text, canJump ? tr("Show step") : QString());
}

void MainWindow::addTopBar(QWidget *bar)
{
    if (!hasViews()) {
        // Kept (hidden, never a window of its own) until the graph exists; then shown unless its owner hid
        // it.
        const bool hiddenByOwner = bar->isHidden() && bar->testAttribute(Qt::WA_WState_ExplicitShowHide);
        bar->setParent(this);
        bar->hide();
        m_pendingTopBars.append({bar, hiddenByOwner});
        return;
    }
    // Under the failure and what-if banners, above the graph.
    m_graphLayout->insertWidget(m_graphLayout->indexOf(m_graphRow), bar);
}

QString MainWindow::failureText() const
{
    return hasViews() ? m_failure->text() : QString();
}

QString MainWindow::failureDetail() const
{
    return hasViews() ? m_failure->detail() : QString();
}

QString MainWindow::answerText() const
{
    return hasViews() ? m_answer->text() : QString();
}

bool MainWindow::logsWithoutBuilds() const
{
    return m_session->logCount() > 0 && m_session->buildCount() == 0 && !m_session->isBusy();
}

// Why the graph has nothing to draw, for the empty canvas.
QString MainWindow::emptyGraphText() const
{
    if (!m_dagInput.model.stages.isEmpty())
        return {};
    if (m_session->isBuildingGraph())
        return tr("Reading the Dockerfile...");
    if (m_dagInput.hiddenStages > 0)
        return tr("The target needs none of the stages: View > Show Unneeded Stages (Ctrl+U) draws them.");
    if (!m_session->dockerfilePath().isEmpty())
        return tr("No stage to draw: the Dockerfile's problems are listed under Problems.");
    if (logsWithoutBuilds())
        return tr("No build steps to draw: the log holds none (Problems says what it holds). Open the "
                  "build's Dockerfile (Ctrl+Shift+O) to see its stages.");
    return {};
}

QString MainWindow::nothingOpenText()
{
    return tr("Open a project folder, a Dockerfile or a build log (or drop them here).");
}

void MainWindow::refreshStatusBar()
{
    const BuildGraph &graph = m_session->graph();
    if (m_session->hasChanges() && m_session->engine()) {
        m_statusSummary->setText(tr("What if: %1").arg(m_session->whatIfSentence()));
        return;
    }
    if (!m_session->selectedRun()) {
        if (m_comparison) {
            // Builds compared from the History view, nothing opened: no build of the session to sum up.
            m_statusSummary->setText(tr("Comparing %1 against %2 (Esc leaves compare mode)")
                                         .arg(m_comparison->afterName, m_comparison->beforeName));
        } else if (m_session->isBuildingGraph()) {
            m_statusSummary->setText(
                tr("Reading %1...").arg(QFileInfo(m_session->dockerfilePath()).fileName()));
        } else if (!graph.stages.isEmpty()) {
            const int hidden = m_dagInput.hiddenStages;
            m_statusSummary->setText(
                tr("%1, target %2%3. Open a build log (Ctrl+L) to see timings.")
                    .arg(graph.stages.size() == 1 ? tr("1 stage") : tr("%1 stages").arg(graph.stages.size()))
                    .arg(graph.target)
                    .arg(hidden > 0 ? tr(" (%n not needed, hidden: Ctrl+U shows them)", nullptr, hidden)
                                    : QString()));
        } else if (logsWithoutBuilds()) {
            // Logs were opened and none held a build (a CI log with only BuildKit's failure summary): say so,
            // rather than asking for a file again.
            QStringList names;
            for (int i = 0; i < m_session->logCount(); ++i)
                names.append(QFileInfo(m_session->logResult(i).path).fileName());
            m_statusSummary->setText(tr("No build steps in %1: Problems says what the log holds")
                                         .arg(names.join(QStringLiteral(", "))));
        } else {
            m_statusSummary->setText(nothingOpenText());
        }
        return;
    }
    // The summary's figures: the same the report and `stagelens log` print for this build.
    const BuildSummary &summary = m_session->analysis().summary;
    const std::optional<double> hits = summary.cacheHitRate();
    QStringList parts;
    if (summary.failed())
        parts << tr("FAILED");
    parts << tr("Wall time %1").arg(formatDuration(summary.wallSeconds));
    parts << tr("%1 Dockerfile steps: %2 cached, %3 ran%4")
                 .arg(summary.steps)
                 .arg(summary.cached)
                 .arg(summary.ran)
                 .arg(summary.errors > 0 ? tr(", %1 failed").arg(summary.errors) : QString());
    parts << tr("cache hits %1").arg(hits ? QStringLiteral("%1%").arg(qRound(*hits * 100)) : unknownFigure());
    parts << tr("critical path %1%2")
                 .arg(formatDuration(summary.criticalPathSeconds))
                 .arg(summary.criticalPathSeconds && !summary.exactTiming ? tr(" (estimated)") : QString());
    m_statusSummary->setText(parts.join(QStringLiteral("  |  ")));
}

void MainWindow::setShowUnneededStages(bool show)
{
    m_showUnneededAction->setChecked(show);
}

QString MainWindow::statusText() const
{
    return m_statusSummary->text();
}

void MainWindow::selectStep(int stage, int step)
{
    const StepRef ref {stage, step};
    if (!shownGraph().step(ref) || m_selectedStep == ref)
        return;
    ensureViews();
    m_selectedStep = ref;
    m_details->showStep(ref);
    const int dagStage = m_dagInput.dagStageOf(stage);
    const int dagStep = int(m_dagInput.stepIndex.value(dagStage).indexOf(step));
    if (dagStage >= 0 && dagStep >= 0)
        m_dagView->selectStep(dagStage, dagStep);
    const int vertex = shownAnalysis().steps.value(stage).value(step).vertex;
    if (vertex >= 0 && m_timeline)
        m_timeline->selectRow(m_timelineInput.rowOfVertex(vertex));
    Q_EMIT stepSelected(stage, step);
}

void MainWindow::showRightPage(QWidget *page)
{
    ensureViews();
    m_rightTabs->setCurrentWidget(page);
}

void MainWindow::selectStepAtLine(int line)
{
    const StepRef ref = m_session->graph().stepAtLine(line);
    if (ref.isValid())
        selectStep(ref.stage, ref.step);
}

QString MainWindow::detailsText() const
{
    return hasViews() ? m_details->detailsText() : QString();
}

QString MainWindow::stepOutputText() const
{
    return hasViews() ? m_details->outputText() : QString();
}

bool MainWindow::isBusy() const
{
    return m_session->isBusy() || m_comparing || m_runViewsPending || m_selectFirstCause
        || (hasViews()
            && (m_dagView->dagScene()->isLayoutPending() || m_details->isBusy() || m_advice->isBusy()))
        || std::any_of(m_busySources.cbegin(), m_busySources.cend(), [](const auto &busy) { return busy(); });
}

void MainWindow::addBusySource(std::function<bool()> busy)
{
    m_busySources.append(std::move(busy));
}

void MainWindow::checkIdle()
{
    if (isBusy() || m_idleCallbacks.isEmpty())
        return;
    // Deliver on a fresh event-loop turn so results queued in this one (a layout, a paint) land first.
    QTimer::singleShot(0, this, [this]() {
        if (isBusy())
            return;
        const auto callbacks = std::exchange(m_idleCallbacks, {});
        for (const auto &callback : callbacks)
            callback();
        Q_EMIT idle();
    });
}

void MainWindow::whenIdle(std::function<void()> done)
{
    m_idleCallbacks.append(std::move(done));
    checkIdle();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    QStringList paths;
    for (const QUrl &url : event->mimeData()->urls()) {
        if (url.isLocalFile())
            paths.append(url.toLocalFile());
    }
    openPaths(paths);
    event->acceptProposedAction();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings().setValue(QStringLiteral("window/geometry"), saveGeometry());
    QMainWindow::closeEvent(event);
}

} // namespace Stagelens
