#include "mainwindow.h"

#include "model/analysis/contexttreemodel.h"
#include "model/analysis/projectscan.h"
#include "model/buildlog/buildlogreader.h"
#include "model/report/reportwhatif.h"
#include "ui/contexttreestyle.h"
#include "ui/graph/dagscene.h"
#include "ui/graph/dagview.h"
#include "ui/panes/sourceview.h"
#include "ui/plots/timelineplot.h"
#include "ui/recentfiles.h"
#include "ui/report/reportexport.h"
#include "ui/theme.h"
#include "ui/viewadapters.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <QToolBar>
#include <QTreeView>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace Stagelens {

namespace {

// Builds with more vertices than this are analysed on a worker: matching tens of thousands of vertices to
// steps takes tens of milliseconds, too long for the GUI thread. Smaller ones are analysed at once, so the
// common case shows its figures in the same event-loop turn.
constexpr qsizetype AsyncAnalysisVertices = 5000;

// Runs `work` on the thread pool and hands its result to `apply` on the GUI thread, unless `*latest` has
// moved on since (a newer request, a cancel). Through a watcher the window owns, not a continuation: in Qt
// 6.4 a continuation whose window is gone asserts, and the work may outlive the window.
template<typename Work, typename Apply>
void runLatest(QObject *owner, const quint64 *latest, Work work, Apply apply)
{
    using Result = std::invoke_result_t<Work>;
    const quint64 generation = *latest;
    auto *watcher = new QFutureWatcher<Result>(owner);
    QObject::connect(watcher, &QFutureWatcherBase::finished, owner,
        [watcher, latest, generation, apply = std::move(apply)]() mutable {
            watcher->deleteLater();
            if (generation == *latest)
                apply(watcher->result());
        });
    watcher->setFuture(QtConcurrent::run(std::move(work)));
}

QString buildEntryName(const QString &path, const BuildRun &run, int buildsInFile)
{
    QString name = QFileInfo(path).fileName();
    if (buildsInFile > 1)
        name += QStringLiteral(" #%1").arg(run.index + 1);
    if (run.startEpoch)
        name += QStringLiteral(" (%1)").arg(QDateTime::fromMSecsSinceEpoch(qint64(*run.startEpoch * 1000))
                                                .toString(QStringLiteral("yyyy-MM-dd hh:mm")));
    return name;
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    setWindowTitle(QStringLiteral("Stagelens"));
    setAcceptDrops(true);
    m_logWatcher = new QFutureWatcher<BuildLogResult>(this);
    // Provisional builds can arrive every chunk of a big log; the selector follows a few times a second.
    m_selectorTimer = new QTimer(this);
    m_selectorTimer->setSingleShot(true);
    m_selectorTimer->setInterval(250);
    connect(m_selectorTimer, &QTimer::timeout, this, [this]() {
        appendProvisionalEntries();
        Q_EMIT provisionalBuildsShown();
    });

    createActions();

    m_centerSplitter = new QSplitter(Qt::Vertical, this);
    m_dagView = new DagView(m_centerSplitter);
    connect(m_dagView, &DagView::stepSelected, this, [this](int stage, int dagStep) {
        // The view numbers only the steps it draws; map back to the graph's step index.
        if (stage >= 0 && stage < m_dagInput.stepIndex.size() && dagStep >= 0
            && dagStep < m_dagInput.stepIndex.at(stage).size())
            selectStep(stage, m_dagInput.stepIndex.at(stage).at(dagStep));
    });
    connect(m_dagView->dagScene(), &DagScene::layoutFinished, this, &MainWindow::checkIdle);
    connect(m_dagView->dagScene(), &DagScene::layoutFailed, this, [this](const QString &error) {
        showError(tr("Graph layout failed: %1").arg(error));
        checkIdle();
    });
    m_timeline = new TimelinePlot(m_centerSplitter);
    connect(m_timeline, &TimelinePlot::rowSelected, this, [this](int row) {
        const int vertex = m_timelineInput.vertexOfRow.value(row, -1);
        if (vertex >= 0 && vertex < m_analysis.stepOfVertex.size()) {
            const auto [stage, step] = m_analysis.stepOfVertex.at(vertex);
            selectStep(stage, step);
        }
    });
    m_centerSplitter->setStretchFactor(0, 3);
    m_centerSplitter->setStretchFactor(1, 2);
    // The graph is the main view; the timeline gets the smaller share whatever its size hint says.
    m_centerSplitter->setSizes({540, 420});
    m_timeline->setMinimumHeight(220);

    auto *mainSplitter = new QSplitter(Qt::Horizontal, this);
    mainSplitter->addWidget(createProjectPane());
    mainSplitter->addWidget(m_centerSplitter);
    mainSplitter->addWidget(createDetailsPane());
    mainSplitter->setStretchFactor(0, 0);
    mainSplitter->setStretchFactor(1, 1);
    mainSplitter->setStretchFactor(2, 0);
    mainSplitter->setSizes({250, 1000, 330});
    setCentralWidget(mainSplitter);

    m_statusSummary =
        new QLabel(tr("Open a project folder, a Dockerfile or a build log (or drop them here)."));
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
    connect(m_cancelButton, &QPushButton::clicked, this, &MainWindow::cancelLoading);
    connect(m_logWatcher, &QFutureWatcherBase::progressValueChanged, m_progress, &QProgressBar::setValue);
    connect(m_logWatcher, &QFutureWatcherBase::finished, this, &MainWindow::onLogFinished);

    const QByteArray geometry = QSettings().value(QStringLiteral("window/geometry")).toByteArray();
    if (!geometry.isEmpty())
        restoreGeometry(geometry);
}

MainWindow::~MainWindow()
{
    // A log still being read must not deliver into a destroyed window.
    if (m_logWatcher->isRunning()) {
        m_logWatcher->cancel();
        m_logWatcher->waitForFinished();
    }
}

void MainWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *openFolder = file->addAction(tr("Open &Folder..."), this, &MainWindow::openFolderDialog);
    openFolder->setShortcut(QKeySequence::Open);
    file->addAction(tr("Open &Dockerfile..."), this, &MainWindow::openDockerfileDialog)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    file->addAction(tr("Open &Log..."), this, &MainWindow::openLogDialog)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    m_recent = new RecentFiles(file->addMenu(tr("Open &Recent")), this);
    connect(m_recent, &RecentFiles::openRequested, this, &MainWindow::openPath);
    file->addSeparator();
    // Same report as `stagelens report`: the loaded graph, every build of every log, the what-if answer.
    file->addAction(createExportReportAction(this, [this]() { return reportInput(); }));
    file->addSeparator();
    file->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows)->setShortcut(QKeySequence::Quit);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    m_collapseAction = view->addAction(tr("&Collapse Stages"));
    m_collapseAction->setCheckable(true);
    m_collapseAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    m_collapseAction->setToolTip(tr("One node per stage: for large Dockerfiles"));
    connect(m_collapseAction, &QAction::toggled, this, [this](bool collapsed) {
        m_userCollapsed = collapsed;
        refreshViews();
    });
    view->addAction(tr("&Fit Graph"), this, [this]() { m_dagView->fitToView(); })
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    view->addAction(tr("Zoom &In"), this, [this]() { m_dagView->zoomIn(); })
        ->setShortcut(QKeySequence::ZoomIn);
    view->addAction(tr("Zoom &Out"), this, [this]() { m_dagView->zoomOut(); })
        ->setShortcut(QKeySequence::ZoomOut);
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

    QToolBar *toolbar = addToolBar(tr("Build"));
    toolbar->setObjectName(QStringLiteral("buildToolbar"));
    toolbar->setMovable(false);
    toolbar->addWidget(new QLabel(tr("Build: ")));
    m_buildCombo = new QComboBox;
    m_buildCombo->setMinimumContentsLength(28);
    m_buildCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_buildCombo->setToolTip(tr("Every build found in the opened logs"));
    toolbar->addWidget(m_buildCombo);
    connect(m_buildCombo, &QComboBox::currentIndexChanged, this, [this](int index) { selectBuild(index); });
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
    connect(m_searchEdit, &QLineEdit::returnPressed, this, [this]() {
        // Next step whose label contains the text, after the current selection, wrapping around.
        const QString needle = m_searchEdit->text().trimmed();
        if (needle.isEmpty())
            return;
        QList<QPair<int, int>> all;
        for (int s = 0; s < m_graph.stages.size(); ++s)
            for (int i = 0; i < m_graph.stages.at(s).steps.size(); ++i)
                all.append({s, i});
        const int from = all.indexOf(m_selectedStep);
        for (int k = 1; k <= all.size(); ++k) {
            const auto [s, i] = all.at((from + k + all.size()) % all.size());
            const Step &step = m_graph.stages.at(s).steps.at(i);
            if (step.text.contains(needle, Qt::CaseInsensitive)
                || step.label.contains(needle, Qt::CaseInsensitive)) {
                selectStep(s, i);
                return;
            }
        }
        statusBar()->showMessage(tr("No step matches \"%1\"").arg(needle), 4000);
    });
}

QWidget *MainWindow::createProjectPane()
{
    auto *pane = new QWidget;
    auto *form = new QFormLayout(pane);
    m_dockerfileCombo = new QComboBox;
    m_dockerfileCombo->setToolTip(tr("Dockerfiles found in the project folder"));
    form->addRow(tr("Dockerfile"), m_dockerfileCombo);
    connect(m_dockerfileCombo, &QComboBox::activated, this, [this](int index) {
        if (!m_projectFolder.isEmpty() && index >= 0)
            openDockerfile(QDir(m_projectFolder).filePath(m_dockerfileCombo->itemText(index)));
    });
    m_targetCombo = new QComboBox;
    m_targetCombo->setToolTip(tr("The stage to build (BuildKit's --target); default is the last stage"));
    form->addRow(tr("Target"), m_targetCombo);
    connect(m_targetCombo, &QComboBox::activated, this, [this](int index) {
        m_options.target = index <= 0 ? QString() : m_targetCombo->itemText(index);
        reloadGraph();
    });
    m_argsTable = new QTableWidget(0, 2);
    m_argsTable->setHorizontalHeaderLabels({tr("Build arg"), tr("Value")});
    m_argsTable->horizontalHeader()->setStretchLastSection(true);
    m_argsTable->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_argsTable->verticalHeader()->hide();
    m_argsTable->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    m_argsTable->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    m_argsTable->setMaximumHeight(200);
    m_argsTable->setToolTip(tr("Edit a value to see the build as BuildKit would run it with --build-arg"));
    form->addRow(m_argsTable);
    connect(m_argsTable, &QTableWidget::itemChanged, this, [this](QTableWidgetItem *item) {
        if (item->column() != 1)
            return;
        const QString name = m_argsTable->item(item->row(), 0)->text();
        if (m_options.buildArgs.value(name) == item->text())
            return;
        m_options.buildArgs.insert(name, item->text());
        // A new value is both a different build (labels) and a what-if question: what re-runs?
        m_changedArgs.insert(name);
        reloadGraph();
    });

    // What-if: tick context files (or edit a build arg, or mark a Dockerfile line) to see what re-runs.
    auto *whatIfBox = new QGroupBox(tr("What if I change..."));
    auto *whatIfLayout = new QVBoxLayout(whatIfBox);
    auto *filter = new QLineEdit;
    filter->setPlaceholderText(tr("Filter files"));
    filter->setClearButtonEnabled(true);
    m_changeKind = new QComboBox;
    m_changeKind->addItem(tr("Edit content"), int(ChangeKind::Content));
    m_changeKind->addItem(tr("Change mode (chmod)"), int(ChangeKind::Mode));
    m_changeKind->addItem(tr("Delete"), int(ChangeKind::Deleted));
    m_changeKind->addItem(tr("Touch (mtime only)"), int(ChangeKind::Touched));
    m_changeKind->setToolTip(tr("What happens to the ticked files"));
    m_contextModel = new ContextTreeModel(this);
    auto *styled = new ContextTreeStyle(this);
    styled->setSourceModel(m_contextModel);
    m_contextFilter = new QSortFilterProxyModel(this);
    m_contextFilter->setSourceModel(styled);
    m_contextFilter->setRecursiveFilteringEnabled(true);
    m_contextFilter->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_contextFilter->setFilterRole(ContextTreeModel::PathRole);
    m_contextTree = new QTreeView;
    m_contextTree->setModel(m_contextFilter);
    m_contextTree->setHeaderHidden(true);
    m_contextTree->setUniformRowHeights(true);
    connect(filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_contextFilter->setFilterFixedString(text);
        if (!text.isEmpty())
            m_contextTree->expandAll();
    });
    connect(m_contextModel, &ContextTreeModel::checkedPathsChanged, this, &MainWindow::runWhatIf);
    connect(m_changeKind, &QComboBox::currentIndexChanged, this, &MainWindow::runWhatIf);
    m_whatIfLabel = new QLabel(tr("Tick files, edit a build arg or double-click a Dockerfile line number."));
    m_whatIfLabel->setTextFormat(Qt::PlainText);
    m_whatIfLabel->setWordWrap(true);
    auto *clear = new QPushButton(tr("Clear changes"));
    connect(clear, &QPushButton::clicked, this, [this]() {
        m_changedLines.clear();
        m_changedArgs.clear();
        m_contextModel->clearChecks();
        runWhatIf();
    });
    whatIfLayout->addWidget(filter);
    whatIfLayout->addWidget(m_changeKind);
    whatIfLayout->addWidget(m_contextTree, 1);
    whatIfLayout->addWidget(m_whatIfLabel);
    whatIfLayout->addWidget(clear);
    form->addRow(whatIfBox);
    pane->setMinimumWidth(220);
    return pane;
}

QWidget *MainWindow::createDetailsPane()
{
    m_rightTabs = new QTabWidget;
    auto *details = new QWidget;
    auto *layout = new QVBoxLayout(details);
    m_detailsTitle = new QLabel(tr("Select a step"));
    m_detailsTitle->setTextFormat(Qt::PlainText);
    m_detailsTitle->setWordWrap(true);
    QFont titleFont = m_detailsTitle->font();
    titleFont.setBold(true);
    m_detailsTitle->setFont(titleFont);
    m_detailsTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_detailsFacts = new QLabel;
    m_detailsFacts->setTextFormat(Qt::PlainText);
    m_detailsFacts->setWordWrap(true);
    m_detailsFacts->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_sourceView = new SourceView;
    m_logOutput = new QPlainTextEdit;
    m_logOutput->setReadOnly(true);
    m_logOutput->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_logOutput->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_logOutput->setPlaceholderText(tr("The selected step's output from the log"));
    auto *split = new QSplitter(Qt::Vertical);
    split->addWidget(m_sourceView);
    split->addWidget(m_logOutput);
    layout->addWidget(m_detailsTitle);
    layout->addWidget(m_detailsFacts);
    m_reasons = new QPlainTextEdit;
    m_reasons->setReadOnly(true);
    m_reasons->setMaximumHeight(110);
    m_reasons->setPlaceholderText(tr("Why the selected step would re-run"));
    layout->addWidget(m_reasons);
    layout->addWidget(split, 1);
    m_rightTabs->addTab(details, tr("Step"));
    connect(m_sourceView, &SourceView::lineToggled, this,
        [this](int line) { setLineChanged(line, !m_changedLines.contains(line)); });
    connect(m_sourceView, &SourceView::lineClicked, this, [this](int line) {
        for (int s = 0; s < m_graph.stages.size(); ++s) {
            const Stage &stage = m_graph.stages.at(s);
            for (int i = 0; i < stage.steps.size(); ++i) {
                if (line >= stage.steps.at(i).line && line <= stage.steps.at(i).endLine) {
                    selectStep(s, i);
                    return;
                }
            }
        }
    });

    m_problems = new QTreeWidget;
    m_problems->setHeaderLabels({tr("Where"), tr("Problem")});
    m_problems->setRootIsDecorated(false);
    m_rightTabs->addTab(m_problems, tr("Problems"));
    m_rightTabs->setMinimumWidth(320);
    return m_rightTabs;
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

void MainWindow::openPath(const QString &path)
{
    switch (classifyPath(path)) {
    case PathKind::Missing:
        showError(tr("%1: no such file or folder").arg(path));
        return;
    case PathKind::ProjectFolder:
        openProjectFolder(path);
        break;
    case PathKind::Dockerfile:
        openDockerfile(path);
        break;
    case PathKind::BuildLog:
        openLog(path);
        break;
    }
    m_recent->add(path);
}

void MainWindow::openProjectFolder(const QString &path)
{
    m_projectFolder = QFileInfo(path).absoluteFilePath();
    const QStringList dockerfiles = findDockerfiles(m_projectFolder);
    m_dockerfileCombo->clear();
    m_dockerfileCombo->addItems(dockerfiles);
    if (dockerfiles.isEmpty()) {
        showError(tr("%1: no Dockerfile found in this folder").arg(m_projectFolder));
        return;
    }
    openDockerfile(QDir(m_projectFolder).filePath(dockerfiles.first()));
}

void MainWindow::openDockerfile(const QString &path)
{
    const QFileInfo info(path);
    m_dockerfilePath = info.absoluteFilePath();
    // A Dockerfile opened on its own has its folder as the build context, as `docker build .` would.
    if (m_projectFolder.isEmpty() || !m_dockerfilePath.startsWith(m_projectFolder + QLatin1Char('/'))) {
        m_projectFolder = info.absolutePath();
        m_dockerfileCombo->clear();
        m_dockerfileCombo->addItems(findDockerfiles(m_projectFolder));
    }
    m_dockerfileCombo->setCurrentText(QDir(m_projectFolder).relativeFilePath(m_dockerfilePath));
    QFile file(m_dockerfilePath);
    if (!file.open(QIODevice::ReadOnly)) {
        showError(tr("%1: %2").arg(m_dockerfilePath, file.errorString()));
        return;
    }
    // Dockerfiles are small; anything past 16 MiB is not one and is cut to keep the window responsive.
    m_dockerfileText = file.read(16 * 1024 * 1024);
    m_sourceView->setSource(QString::fromUtf8(m_dockerfileText));
    m_options = BuildOptions();
    m_changedLines.clear();
    m_changedArgs.clear();
    setWindowTitle(tr("%1 - Stagelens").arg(QDir(m_projectFolder).dirName()));
    reloadGraph();
    scanContext();
}

void MainWindow::openLog(const QString &path)
{
    m_logQueue.append(QFileInfo(path).absoluteFilePath());
    // Until its result is handled, not only while the reader runs: a second log opened in between would
    // otherwise start at once and drop the first one's result.
    if (!m_loading)
        startNextLog();
}

void MainWindow::startNextLog()
{
    if (m_loading || m_logQueue.isEmpty())
        return;
    const QString next = m_logQueue.takeFirst();
    const quint64 generation = ++m_logGeneration;
    m_pickedDuringLoad = false;
    m_progress->setValue(0);
    m_progress->show();
    m_cancelButton->show();
    statusBar()->showMessage(tr("Reading %1...").arg(QFileInfo(next).fileName()));
    BuildLogReadOptions options;
    // Builds that ended while the file is still being read go to the GUI thread at once (the window shows
    // the first of them early); a newer load or a cancel drops them through the generation. The destructor
    // waits for the reader, so `this` outlives every call.
    options.onBuildsEnded = [this, generation, next](QList<BuildRun> ended) {
        QMetaObject::invokeMethod(
            this,
            [this, generation, next, ended = std::move(ended)]() mutable {
                addProvisionalBuilds(generation, next, std::move(ended));
            },
            Qt::QueuedConnection);
    };
    m_loading = true;
    m_loadingPath = next;
    m_loadingGeneration = generation;
    m_logWatcher->setFuture(QtConcurrent::run(readBuildLog, next, options));
}

// The reader finished, was cancelled, or failed. Handled through the watcher rather than a continuation: a
// continuation whose window is gone asserts in Qt 6.4.
void MainWindow::onLogFinished()
{
    if (!m_loading)
        return;
    m_loading = false;
    const QFuture<BuildLogResult> future = m_logWatcher->future();
    if (future.isCanceled())
        statusBar()->showMessage(tr("Loading canceled"), 4000);
    else if (m_loadingGeneration == m_logGeneration && future.resultCount() > 0)
        applyLoadedLog(m_loadingPath, future.result());
    m_progress->hide();
    m_cancelButton->hide();
    if (!future.isCanceled())
        statusBar()->clearMessage();
    // The next log in the order they were opened (re-queueing it through openLog() would put it last).
    if (!m_logQueue.isEmpty())
        QTimer::singleShot(0, this, &MainWindow::startNextLog);
    checkIdle();
}

void MainWindow::applyLoadedLog(const QString &path, BuildLogResult result)
{
    m_selectorTimer->stop();
    // A build the user picked meanwhile stays selected; otherwise the newest log is what the user just asked
    // for: show its last build.
    QPair<int, int> picked {-1, -1};
    if (m_pickedDuringLoad && m_selectedBuildEntry >= 0 && m_selectedBuildEntry < m_builds.size())
        picked = m_builds.at(m_selectedBuildEntry);
    if (!m_logs.isEmpty() && m_logs.last().provisional)
        m_logs.removeLast();
    const int logIndex = int(m_logs.size());
    m_logs.append({path, std::move(result), false});
    addLogDiagnostics(m_logs.last());
    rebuildBuildSelector();
    int entry = int(m_builds.size()) - 1;
    if (picked.first >= 0) {
        if (picked.first == logIndex) // a provisional build: the same build of the final result
            picked.second = std::min(picked.second, int(m_logs.last().result.builds.size()) - 1);
        entry = int(m_builds.indexOf(picked));
        if (entry < 0)
            entry = int(m_builds.size()) - 1;
    }
    showBuild(entry);
}

void MainWindow::addProvisionalBuilds(quint64 generation, const QString &path, QList<BuildRun> builds)
{
    if (generation != m_logGeneration || builds.isEmpty())
        return;
    const bool first = m_logs.isEmpty() || !m_logs.last().provisional;
    if (first)
        m_logs.append({path, {}, true});
    m_logs.last().result.builds += std::move(builds);
    if (!first) {
        // Later batches only grow the selector, a few times a second: the view stays on what it shows.
        if (!m_selectorTimer->isActive())
            m_selectorTimer->start();
        return;
    }
    rebuildBuildSelector();
    if (!m_pickedDuringLoad)
        showBuild(int(m_builds.size()) - 1);
    Q_EMIT provisionalBuildsShown();
}

void MainWindow::dropProvisionalBuilds()
{
    m_selectorTimer->stop();
    if (m_logs.isEmpty() || !m_logs.last().provisional)
        return;
    const int logIndex = int(m_logs.size()) - 1;
    const bool selectedGoes = m_selectedBuildEntry >= 0 && m_selectedBuildEntry < m_builds.size()
        && m_builds.at(m_selectedBuildEntry).first == logIndex;
    m_logs.removeLast();
    rebuildBuildSelector();
    if (selectedGoes || m_selectedBuildEntry >= m_builds.size())
        showBuild(int(m_builds.size()) - 1);
}

void MainWindow::cancelLoading()
{
    m_logQueue.clear();
    // A cancelled load leaves nothing behind: its provisional builds go, and whatever the reader still
    // delivers (a late batch, a result that raced the cancel) is dropped by the generation.
    ++m_logGeneration;
    m_logWatcher->cancel();
    dropProvisionalBuilds();
}

void MainWindow::openFolderDialog()
{
    const QString path = QFileDialog::getExistingDirectory(this, tr("Open Project Folder"));
    if (!path.isEmpty())
        openPath(path);
}

void MainWindow::openDockerfileDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Dockerfile"), m_projectFolder,
        tr("Dockerfiles (Dockerfile *.Dockerfile Dockerfile.* "
           "Containerfile);;All files (*)"));
    if (!path.isEmpty())
        openPath(path);
}

void MainWindow::openLogDialog()
{
    const QStringList paths = QFileDialog::getOpenFileNames(
        this, tr("Open Build Logs"), QString(), tr("Build logs (*.log *.txt *.json);;All files (*)"));
    for (const QString &path : paths)
        openPath(path);
}

void MainWindow::reloadGraph()
{
    m_graph = buildGraph(m_dockerfileText, m_dockerfilePath, m_options);

    // Target choices and build args follow the graph: every stage, and every ARG the file declares.
    const QSignalBlocker blockTargets(m_targetCombo);
    m_targetCombo->clear();
    m_targetCombo->addItem(tr("(last stage)"));
    for (const Stage &stage : std::as_const(m_graph.stages)) {
        if (!stage.name.isEmpty())
            m_targetCombo->addItem(stage.name);
    }
    if (!m_options.target.isEmpty())
        m_targetCombo->setCurrentText(m_options.target);

    const QSignalBlocker blockArgs(m_argsTable);
    m_argsTable->setRowCount(0);
    QStringList argNames;
    for (const Stage &stage : std::as_const(m_graph.stages))
        for (const Step &step : stage.steps)
            for (const QString &name : step.argDependencies)
                if (!argNames.contains(name))
                    argNames.append(name);
    for (const QString &name : std::as_const(argNames)) {
        const int row = m_argsTable->rowCount();
        m_argsTable->insertRow(row);
        auto *nameItem = new QTableWidgetItem(name);
        nameItem->setFlags(nameItem->flags() & ~Qt::ItemIsEditable);
        m_argsTable->setItem(row, 0, nameItem);
        m_argsTable->setItem(row, 1, new QTableWidgetItem(m_options.buildArgs.value(name)));
    }

    m_problems->clear();
    for (const Diagnostic &d : std::as_const(m_graph.diagnostics)) {
        auto *item =
            new QTreeWidgetItem({QStringLiteral("%1:%2").arg(QFileInfo(d.file).fileName()).arg(d.line),
                severityName(d.severity) + QStringLiteral(": ") + d.message});
        m_problems->addTopLevelItem(item);
    }
    if (hasErrors(m_graph.diagnostics))
        m_rightTabs->setCurrentWidget(m_problems);
    rebuildEngine();
    refreshAnalysis();
}

void MainWindow::rebuildBuildSelector()
{
    const QSignalBlocker block(m_buildCombo);
    m_buildCombo->clear();
    m_builds.clear();
    QStringList names;
    for (int l = 0; l < m_logs.size(); ++l) {
        const LoadedLog &log = m_logs.at(l);
        for (int b = 0; b < log.result.builds.size(); ++b) {
            m_builds.append({l, b});
            // A log still being read does not know how many builds it has: number them all.
            names.append(buildEntryName(
                log.path, log.result.builds.at(b), log.provisional ? 2 : int(log.result.builds.size())));
        }
    }
    m_buildCombo->addItems(names);
    if (m_selectedBuildEntry < m_builds.size())
        m_buildCombo->setCurrentIndex(m_selectedBuildEntry);
}

void MainWindow::appendProvisionalEntries()
{
    // Only the log being read grows: add its new builds, leave the entries before them alone.
    if (m_logs.isEmpty() || !m_logs.last().provisional)
        return;
    const int logIndex = int(m_logs.size()) - 1;
    const LoadedLog &log = m_logs.last();
    int shown = 0;
    while (shown < m_builds.size() && m_builds.at(m_builds.size() - 1 - shown).first == logIndex)
        ++shown;
    QStringList names;
    for (int b = shown; b < log.result.builds.size(); ++b) {
        m_builds.append({logIndex, b});
        names.append(buildEntryName(log.path, log.result.builds.at(b), 2));
    }
    const QSignalBlocker block(m_buildCombo);
    m_buildCombo->addItems(names);
}

void MainWindow::addLogDiagnostics(const LoadedLog &log)
{
    for (const Diagnostic &d : log.result.diagnostics) {
        if (d.severity == Severity::Info)
            continue;
        m_problems->addTopLevelItem(
            new QTreeWidgetItem({QStringLiteral("%1:%2").arg(QFileInfo(log.path).fileName()).arg(d.line),
                severityName(d.severity) + QStringLiteral(": ") + d.message}));
    }
    if (log.result.builds.isEmpty())
        showError(tr("%1: no BuildKit build found in this file").arg(log.path));
}

int MainWindow::buildCount() const
{
    return m_builds.size();
}

int MainWindow::provisionalBuildCount() const
{
    if (m_logs.isEmpty() || !m_logs.last().provisional)
        return 0;
    const int logIndex = int(m_logs.size()) - 1;
    int count = 0;
    for (qsizetype i = m_builds.size() - 1; i >= 0 && m_builds.at(i).first == logIndex; --i)
        ++count;
    return count;
}

const BuildRun *MainWindow::selectedBuild() const
{
    if (m_selectedBuildEntry < 0 || m_selectedBuildEntry >= m_builds.size())
        return nullptr;
    const auto [log, build] = m_builds.at(m_selectedBuildEntry);
    return &m_logs.at(log).result.builds.at(build);
}

void MainWindow::selectBuild(int index)
{
    if (m_loading)
        m_pickedDuringLoad = true;
    showBuild(index);
}

void MainWindow::showBuild(int index)
{
    m_selectedBuildEntry = index;
    if (m_buildCombo->currentIndex() != index) {
        const QSignalBlocker block(m_buildCombo);
        m_buildCombo->setCurrentIndex(index);
    }
    refreshAnalysis();
}

void MainWindow::refreshAnalysis()
{
    ++m_analysisGeneration; // drops a worker's answer for an older request
    m_analysisPending = false;
    const BuildRun *run = selectedBuild();
    if (run && run->vertices.size() > AsyncAnalysisVertices) {
        // Until the answer lands, the analysis refers to no vertex, so nothing can index the new build with
        // the old build's vertex numbers; the views keep showing what they showed.
        m_analysis = unmatchedAnalysis();
        m_timelineInput.vertexOfRow.clear();
        m_timelineInput.rowOfVertexList.clear();
        m_analysisPending = true;
        runLatest(
            this, &m_analysisGeneration, [graph = m_graph, run = *run]() { return analyseBuild(graph, run); },
            [this](BuildAnalysis analysis) {
                m_analysisPending = false;
                m_analysis = std::move(analysis);
                applyStepSeconds();
                runWhatIf();
                checkIdle();
            });
        return;
    }
    m_analysis = run ? analyseBuild(m_graph, *run) : unmatchedAnalysis();
    // The costs of the what-if answer come from the selected build: ask again.
    applyStepSeconds();
    runWhatIf();
}

BuildAnalysis MainWindow::unmatchedAnalysis() const
{
    BuildAnalysis analysis;
    analysis.steps.resize(m_graph.stages.size());
    for (int s = 0; s < m_graph.stages.size(); ++s)
        analysis.steps[s].resize(m_graph.stages.at(s).steps.size());
    return analysis;
}

void MainWindow::refreshViews()
{
    m_dagInput = makeDagInput(m_graph, m_analysis, m_whatIf);
    // Large files read better one node per stage until the user says otherwise.
    const bool collapse = m_userCollapsed.value_or(opensCollapsed(m_dagInput.model));
    m_dagInput.model.collapsed = collapse;
    if (m_collapseAction->isChecked() != collapse) {
        const QSignalBlocker block(m_collapseAction);
        m_collapseAction->setChecked(collapse);
    }
    m_dagView->setModel(m_dagInput.model);
    if (const BuildRun *run = selectedBuild()) {
        m_timelineInput = makeTimelineInput(m_graph, *run, m_analysis, m_whatIf);
        m_timeline->setModel(m_timelineInput.model);
        m_timeline->show();
    } else {
        m_timelineInput = {};
        m_timeline->setModel({});
        m_timeline->hide();
    }
    refreshSourceGutter();
    refreshStatusBar();
    refreshDetails();
}

void MainWindow::refreshSourceGutter()
{
    QHash<int, SourceView::LineInfo> info;
    const double slowest = std::max(m_analysis.slowestStepSeconds, 0.001);
    for (int s = 0; s < m_graph.stages.size() && s < m_analysis.steps.size(); ++s) {
        const Stage &stage = m_graph.stages.at(s);
        for (int i = 0; i < stage.steps.size() && i < m_analysis.steps.at(s).size(); ++i) {
            const StepTiming &t = m_analysis.steps.at(s).at(i);
            const Step &step = stage.steps.at(i);
            if (t.vertex < 0)
                continue;
            SourceView::LineInfo line;
            line.heat = t.seconds ? *t.seconds / slowest : -1;
            line.seconds = t.state == StepState::Cached ? tr("cached")
                : t.seconds                             ? formatSeconds(*t.seconds)
                                                        : QString();
            line.marker = t.state == StepState::Error ? QStringLiteral("✗")
                : t.critical                          ? QStringLiteral("◆")
                                                      : QString();
            info.insert(step.line, line);
        }
    }
    m_sourceView->setLineInfo(info);
}

void MainWindow::refreshStatusBar()
{
    const BuildRun *run = selectedBuild();
    if (!run) {
        if (!m_graph.stages.isEmpty())
            m_statusSummary->setText(tr("%1 stages, target %2. Open a build log (Ctrl+L) to see timings.")
                                         .arg(m_graph.stages.size())
                                         .arg(m_graph.target));
        return;
    }
    m_statusSummary->setText(tr("Wall time %1  |  %2 steps  |  cache hits %3%  |  critical path %4%5")
                                 .arg(formatSeconds(m_analysis.wallSeconds))
                                 .arg(m_analysis.stepVertices)
                                 .arg(qRound(m_analysis.cacheHitRatio * 100))
                                 .arg(formatSeconds(m_analysis.criticalSeconds))
                                 .arg(m_analysis.estimatedTimes ? tr("  |  times estimated") : QString()));
}

void MainWindow::selectStep(int stage, int step)
{
    if (stage < 0 || stage >= m_graph.stages.size() || step < 0
        || step >= m_graph.stages.at(stage).steps.size())
        return;
    if (m_selectedStep == qMakePair(stage, step))
        return;
    m_selectedStep = {stage, step};
    refreshDetails();
    const int dagStep =
        stage < m_dagInput.stepIndex.size() ? int(m_dagInput.stepIndex.at(stage).indexOf(step)) : -1;
    if (dagStep >= 0)
        m_dagView->selectStep(stage, dagStep);
    const int vertex = m_analysis.steps.value(stage).value(step).vertex;
    if (vertex >= 0)
        m_timeline->selectRow(m_timelineInput.rowOfVertex(vertex));
    Q_EMIT stepSelected(stage, step);
}

void MainWindow::refreshDetails()
{
    const auto [s, i] = m_selectedStep;
    if (s < 0 || s >= m_graph.stages.size() || i >= m_graph.stages.at(s).steps.size()) {
        m_detailsTitle->setText(tr("Select a step in the graph, the timeline or the source"));
        m_detailsFacts->clear();
        requestStepOutput();
        return;
    }
    const Stage &stage = m_graph.stages.at(s);
    const Step &step = stage.steps.at(i);
    m_detailsTitle->setText(
        step.label.isEmpty() ? QStringLiteral("[%1] %2").arg(stage.token(), step.text) : step.label);
    QStringList facts;
    facts
        << tr("Stage: %1%2").arg(stage.token(), stage.needed ? QString() : tr(" (not needed by the target)"));
    facts << tr("Dockerfile lines %1-%2").arg(step.line).arg(step.endLine);
    const StepTiming timing = s < m_analysis.steps.size() && i < m_analysis.steps.at(s).size()
        ? m_analysis.steps.at(s).at(i)
        : StepTiming();
    facts << tr("State: %1").arg(stepStateName(timing.state));
    if (timing.seconds)
        facts << tr("BuildKit time: %1").arg(formatSeconds(*timing.seconds));
    if (timing.start && timing.end)
        facts << tr("From %1 to %2 (%3)")
                     .arg(formatSeconds(*timing.start), formatSeconds(*timing.end),
                         timing.exact ? tr("exact") : tr("estimated"));
    if (timing.critical)
        facts << tr("On the critical path");
    m_detailsFacts->setText(facts.join(QLatin1Char('\n')));
    m_sourceView->highlightLines(step.line, step.endLine);
    m_reasons->clear();
    for (const StepVerdict &verdict : std::as_const(m_whatIf.steps)) {
        if (verdict.stage == s && verdict.step == i && verdict.verdict != Verdict::Cached) {
            m_reasons->setPlainText(verdictName(verdict.verdict).toUpper() + QStringLiteral(": ")
                + verdict.reasons.join(QStringLiteral("\n  -> ")));
        }
    }

    requestStepOutput();
}

void MainWindow::requestStepOutput()
{
    const auto [s, i] = m_selectedStep;
    const int vertexIndex =
        s >= 0 && s < m_analysis.steps.size() && i >= 0 && i < m_analysis.steps.at(s).size()
        ? m_analysis.steps.at(s).at(i).vertex
        : -1;
    const BuildRun *run = selectedBuild();
    if (!run || vertexIndex < 0 || vertexIndex >= run->vertices.size()) {
        ++m_outputGeneration; // drops a read still running
        m_outputPending = false;
        m_outputKey.clear();
        m_logOutput->clear();
        return;
    }
    const auto [log, build] = m_builds.at(m_selectedBuildEntry);
    const QString path = m_logs.at(log).path;
    const BuildVertex &vertex = run->vertices.at(vertexIndex);
    // What-if ticks refresh the details too: the same vertex's output is not read again.
    const QString key = QStringLiteral("%1\n%2\n%3\n%4\n%5")
                            .arg(path)
                            .arg(log)
                            .arg(build)
                            .arg(vertexIndex)
                            .arg(m_logs.at(log).provisional);
    if (key == m_outputKey)
        return;
    m_outputKey = key;
    ++m_outputGeneration;
    m_outputPending = true;
    m_logOutput->clear();
    // The output is read back from the log file (the record keeps only spans): a worker does it, and a newer
    // selection drops a stale answer.
    runLatest(
        this, &m_outputGeneration,
        [path, run = *run, vertex]() {
            QString text = readVertexOutput(path, run, vertex);
            if (!vertex.error.isEmpty())
                text += QStringLiteral("\nERROR: ") + vertex.error;
            return text;
        },
        [this](const QString &text) {
            m_outputPending = false;
            m_logOutput->setPlainText(text);
            Q_EMIT stepOutputShown();
            checkIdle();
        });
}

QString MainWindow::stepOutputText() const
{
    return m_logOutput->toPlainText();
}

ReportInput MainWindow::reportInput() const
{
    ReportInput input;
    input.project = m_projectFolder;
    input.dockerfile = m_dockerfilePath;
    input.graph = m_graph;
    for (const LoadedLog &log : m_logs) {
        for (const BuildRun &run : log.result.builds)
            input.builds.append({log.path, run});
    }
    input.selectedBuild = m_selectedBuildEntry;
    if (!m_whatIf.steps.isEmpty()) {
        WhatIfChanges changes;
        for (const QString &path : m_contextModel->checkedPaths())
            changes.paths.append({path, ChangeKind(m_changeKind->currentData().toInt())});
        changes.args = QStringList(m_changedArgs.cbegin(), m_changedArgs.cend());
        changes.lines = QList<int>(m_changedLines.cbegin(), m_changedLines.cend());
        input.whatIf = reportWhatIf(m_whatIf, describeChanges(changes));
    }
    return input;
}

QString MainWindow::detailsText() const
{
    return m_detailsTitle->text() + QLatin1Char('\n') + m_detailsFacts->text();
}

void MainWindow::setChangedPaths(const QStringList &paths)
{
    m_changedPaths = paths;
    if (m_context) {
        const int found = m_contextModel->setCheckedPaths(paths);
        // Show the ticked files: open the folders above them.
        for (const QString &path : paths) {
            const QString relative = ContextIndex::relativePath(path, m_context->rootPath());
            QModelIndex index = m_contextFilter->mapFromSource(
                qobject_cast<QAbstractProxyModel *>(m_contextFilter->sourceModel())
                    ->mapFromSource(m_contextModel->indexForPath(relative)));
            if (index.isValid())
                m_contextTree->scrollTo(index);
            for (index = index.parent(); index.isValid(); index = index.parent())
                m_contextTree->expand(index);
        }
        if (found < paths.size())
            showError(tr("Some --changed paths are not in the build context: %1")
                          .arg(paths.join(QStringLiteral(", "))));
    }
}

void MainWindow::setLineChanged(int line, bool changed)
{
    if (changed)
        m_changedLines.insert(line);
    else
        m_changedLines.remove(line);
    runWhatIf();
}

void MainWindow::scanContext()
{
    ++m_contextGeneration;
    m_context.reset();
    m_engine.reset();
    m_contextModel->setContext(nullptr, {});
    ContextScanOptions options;
    options.contextDir = m_projectFolder;
    options.dockerfilePath = m_dockerfilePath;
    m_contextPending = true;
    runLatest(
        this, &m_contextGeneration, [options]() { return ContextIndex::scan(options); },
        [this](ContextIndex index) {
            m_contextPending = false;
            for (const Diagnostic &d : index.diagnostics()) {
                if (d.severity != Severity::Info)
                    m_problems->addTopLevelItem(new QTreeWidgetItem(
                        {d.file, severityName(d.severity) + QStringLiteral(": ") + d.message}));
            }
            m_context = std::make_shared<const ContextIndex>(std::move(index));
            rebuildEngine();
            if (!m_changedPaths.isEmpty())
                setChangedPaths(m_changedPaths);
            runWhatIf();
            checkIdle();
        });
}

void MainWindow::rebuildEngine()
{
    if (!m_context) {
        m_engine.reset();
        return;
    }
    m_engine = std::make_unique<CacheEngine>(m_graph, m_context, m_dockerfileText);
    applyStepSeconds();
    // Grey out what no needed stage reads, so users see at once which files cannot matter.
    QSet<int> read;
    for (int s = 0; s < m_graph.stages.size(); ++s) {
        if (!m_graph.stages.at(s).needed)
            continue;
        for (int i = 0; i < m_graph.stages.at(s).steps.size(); ++i) {
            for (int entry : m_engine->contextReads(s, i))
                read.insert(entry);
        }
    }
    const QStringList checked = m_contextModel->checkedPaths();
    m_contextModel->setContext(m_context, read);
    m_contextModel->setCheckedPaths(checked);
}

void MainWindow::applyStepSeconds()
{
    if (!m_engine)
        return;
    if (m_selectedBuildEntry >= 0 && m_selectedBuildEntry < m_builds.size()) {
        const auto [log, build] = m_builds.at(m_selectedBuildEntry);
        BuildLogResult one;
        one.builds.append(m_logs.at(log).result.builds.at(build));
        m_engine->setStepSeconds(stepSecondsFromLog(one));
    } else {
        m_engine->setStepSeconds({});
    }
}

void MainWindow::runWhatIf()
{
    WhatIfChanges changes;
    const ChangeKind kind = ChangeKind(m_changeKind->currentData().toInt());
    for (const QString &path : m_contextModel->checkedPaths())
        changes.paths.append({path, kind});
    changes.args = QStringList(m_changedArgs.cbegin(), m_changedArgs.cend());
    changes.lines = QList<int>(m_changedLines.cbegin(), m_changedLines.cend());
    std::sort(changes.lines.begin(), changes.lines.end());
    const bool any = !changes.paths.isEmpty() || !changes.args.isEmpty() || !changes.lines.isEmpty();
    m_whatIf = m_engine && any ? m_engine->whatIf(changes) : WhatIfResult();
    m_whatIfLabel->setText(
        any ? whatIfSummary() : tr("Tick files, edit a build arg or double-click a Dockerfile line number."));
    m_sourceView->setEditedLines(m_changedLines);
    refreshViews();
}

QString MainWindow::whatIfSummary() const
{
    if (m_whatIf.steps.isEmpty())
        return {};
    QStringList what;
    for (const QString &path : m_contextModel->checkedPaths())
        what << path;
    for (const QString &arg : m_changedArgs)
        what << QStringLiteral("--build-arg ") + arg;
    QList<int> lines(m_changedLines.cbegin(), m_changedLines.cend());
    std::sort(lines.begin(), lines.end());
    for (int line : std::as_const(lines))
        what << tr("line %1").arg(line);
    if (what.size() > 3)
        what = what.mid(0, 3) << tr("%n more", nullptr, int(what.size() - 3));
    auto cost = [this](double seconds, int unknown) {
        if (!m_whatIf.timed)
            return QString();
        QString text = tr(", about %1").arg(formatSeconds(seconds));
        if (unknown > 0)
            text += tr(" (+%n without a known time)", nullptr, unknown);
        return text;
    };
    const int rerun = m_whatIf.count(Verdict::Rerun);
    const int maybe = m_whatIf.count(Verdict::Maybe);
    QString text = what.join(QStringLiteral(", ")) + QStringLiteral(": ");
    text += tr("%n step(s) re-run", nullptr, rerun) + cost(m_whatIf.rerunSeconds, m_whatIf.rerunUnknown);
    if (maybe > 0)
        text +=
            tr("; %n more may re-run", nullptr, maybe) + cost(m_whatIf.maybeSeconds, m_whatIf.maybeUnknown);
    if (rerun == 0 && maybe == 0)
        text += tr("; everything stays cached");
    for (const QString &note : m_whatIf.notes)
        text += QLatin1Char('\n') + note;
    return text;
}

void MainWindow::showError(const QString &message)
{
    m_problems->addTopLevelItem(new QTreeWidgetItem({tr("open"), message}));
    m_rightTabs->setCurrentWidget(m_problems);
    statusBar()->showMessage(message, 8000);
}

bool MainWindow::isBusy() const
{
    return m_loading || m_logWatcher->isRunning() || m_contextPending || !m_logQueue.isEmpty()
        || m_dagView->dagScene()->isLayoutPending() || m_outputPending || m_analysisPending;
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
