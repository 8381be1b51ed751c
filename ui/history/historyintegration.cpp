#include "historyintegration.h"

#include "model/analysis/projectscan.h"
#include "model/buildlog/buildlogreader.h"
#include "model/compare/buildcompare.h"
#include "model/history/gitprovenance.h"
#include "model/history/historybuildsmodel.h"
#include "model/history/historyclient.h"
#include "ui/compare/comparepane.h"
#include "ui/history/historyofferbar.h"
#include "ui/history/historyview.h"
#include "ui/mainwindow.h"

#include <QAction>
#include <QDockWidget>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QMenu>
#include <QSettings>
#include <QTimer>
#include <QtConcurrent>

namespace Stagelens {

HistoryIntegration::HistoryIntegration(
    MainWindow *window, const HistoryLocation &location, const Options &options)
    : QObject(window)
    , m_window(window)
    , m_location(location)
    , m_options(options)
{
    // The window's whenIdle() (screenshots, tests, benchmarks) also waits for the history's queries.
    window->addBusySource([self = QPointer<HistoryIntegration>(this)]() { return self && self->isBusy(); });

    m_dock = new QDockWidget(tr("History"), window);
    m_dock->setObjectName(QStringLiteral("historyDock"));
    m_dock->setAllowedAreas(Qt::BottomDockWidgetArea | Qt::TopDockWidgetArea);
    window->addDockWidget(Qt::BottomDockWidgetArea, m_dock);
    m_dock->hide();
    // The first time it shows, build and load the view: a window that never opens the history never
    // connects, and starts without the view's tables and plots.
    connect(m_dock, &QDockWidget::visibilityChanged, this, [this](bool visible) {
        if (visible)
            view();
        if (visible && !m_options.locationError.isEmpty()) {
            m_view->showUnavailable(m_options.locationError);
        } else if (visible && !m_viewLoaded) {
            m_viewLoaded = true;
            // The first time: over half the window, so the trends are readable without dragging the splitter.
            m_window->resizeDocks({m_dock}, {m_window->height() * 11 / 20}, Qt::Vertical);
            m_view->setClient(client());
        }
    });

    QAction *toggle = m_dock->toggleViewAction();
    toggle->setText(tr("&History"));
    toggle->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_H));
    toggle->setToolTip(tr("Builds kept in %1, and their trends").arg(location.displayName()));
    window->viewMenu()->addSeparator();
    window->viewMenu()->addAction(toggle);
    // The offer bar's "Always" has to be undoable somewhere: the same setting, as a menu check box.
    m_alwaysAdd = window->viewMenu()->addAction(tr("Add Opened Logs to History &Automatically"));
    m_alwaysAdd->setCheckable(true);
    m_alwaysAdd->setChecked(
        QSettings().value(QString::fromLatin1(HistoryOfferBar::AlwaysAddKey), false).toBool());
    m_alwaysAdd->setEnabled(options.offerToAdd && options.locationError.isEmpty());
    connect(m_alwaysAdd, &QAction::toggled, this,
        [](bool on) { QSettings().setValue(QString::fromLatin1(HistoryOfferBar::AlwaysAddKey), on); });

    m_offerBar = new HistoryOfferBar;
    window->addTopBar(m_offerBar);
    connect(m_offerBar, &HistoryOfferBar::addRequested, this, &HistoryIntegration::addToHistory);
    connect(
        m_offerBar, &HistoryOfferBar::alwaysChosen, m_alwaysAdd, [this]() { m_alwaysAdd->setChecked(true); });
    if (m_options.offerToAdd && m_options.locationError.isEmpty()) {
        connect(window->session(), &ProjectSession::loadFinished, this,
            [this](const QString &path, bool canceled) {
                if (!canceled)
                    logOpened(path);
            });
    }
    connect(this, &HistoryIntegration::addFinished, this,
        [this](const QString &path, int added, int skipped, const QString &error) {
            const QString name = QFileInfo(path).fileName();
            if (!error.isEmpty())
                m_offerBar->showResult(tr("Could not add %1 to the history: %2").arg(name, error));
            else if (added == 0 && skipped > 0)
                m_offerBar->showResult(tr("%1 is already in the history").arg(name));
            else
                m_offerBar->showResult(
                    tr("Added %n build(s) of %1 to the history", nullptr, added).arg(name));
            if (added > 0 && m_dock->isVisible())
                m_view->reload();
        });
}

HistoryIntegration::~HistoryIntegration() = default;

QAction *HistoryIntegration::toggleAction() const
{
    return m_dock->toggleViewAction();
}

HistoryClient *HistoryIntegration::client()
{
    if (!m_client) {
        m_client = new HistoryClient(m_location, this);
        connect(m_client, &HistoryClient::idle, m_window, &MainWindow::workFinished);
        connect(m_client, &HistoryClient::fileAdded, this,
            [this](const QString &path, const HistoryAddResult &result) {
                Q_EMIT addFinished(path, int(result.added.size()), int(result.skipped.size()), result.error);
            });
    }
    return m_client;
}

void HistoryIntegration::compare(qint64 beforeId, qint64 afterId)
{
    std::optional<HistoryBuild> before, after;
    for (const HistoryBuild &b : view()->model()->builds()) {
        if (b.id == beforeId)
            before = b;
        if (b.id == afterId)
            after = b;
    }
    if (!before || !after)
        return;
    for (const HistoryBuild *b : {&*before, &*after}) {
        if (!QFileInfo(b->file).isFile()) {
            // In the view's status line, not a modal box: the History view is where the user is.
            view()->showNotice(
                tr("%1 is no longer where it was added from, and the history keeps no log text: "
                   "the build cannot be compared.")
                    .arg(b->file));
            return;
        }
    }
    const HistoryBuild b = *before, a = *after;
    // The builds are read from their files on a worker; the window then compares them (on a worker too)
    // and shows them in its compare mode.
    using Runs = std::optional<QPair<BuildRun, BuildRun>>;
    auto *watcher = new QFutureWatcher<Runs>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, b, a]() {
        watcher->deleteLater();
        const Runs runs = watcher->result();
        if (!runs) {
            view()->showNotice(tr("The files no longer hold the builds that were added from them."));
            return;
        }
        auto name = [](const HistoryBuild &h) {
            return QStringLiteral("%1 #%2").arg(QFileInfo(h.file).fileName()).arg(h.buildIndex + 1);
        };
        // Connected first: a comparison that is done at once is shown before compareRuns() returns.
        connect(m_window, &MainWindow::compareShown, this, &HistoryIntegration::compareShown,
            Qt::SingleShotConnection);
        m_lastCompare = m_window->compareRuns(runs->first, runs->second, name(b), name(a));
    });
    watcher->setFuture(QtConcurrent::run([b, a]() -> Runs {
        const BuildLogResult before = readBuildLogFile(b.file);
        const BuildLogResult after = readBuildLogFile(a.file);
        if (b.buildIndex >= before.builds.size() || a.buildIndex >= after.builds.size())
            return std::nullopt;
        return QPair<BuildRun, BuildRun>(before.builds.at(b.buildIndex), after.builds.at(a.buildIndex));
    }));
}

HistoryView *HistoryIntegration::view() const
{
    // Made on first use from const getters too: its existence is the only state that changes.
    if (!m_view)
        const_cast<HistoryIntegration *>(this)->createView();
    return m_view;
}

void HistoryIntegration::createView()
{
    m_view = new HistoryView;
    // Compare (#19): both builds are read again from the files they were added from, off the GUI thread.
    m_view->setCompareHandled(true);
    connect(m_view, &HistoryView::compareRequested, this, &HistoryIntegration::compare);
    connect(m_view, &HistoryView::loaded, m_window, &MainWindow::workFinished);
    connect(m_view, &HistoryView::openFileRequested, m_window,
        [window = m_window](const QString &path) { window->openPaths({path}); });
    m_dock->setWidget(m_view);
}

ComparePane *HistoryIntegration::lastCompare() const
{
    return m_lastCompare;
}

void HistoryIntegration::showHistory()
{
    m_dock->show();
    m_dock->raise();
}

void HistoryIntegration::logOpened(const QString &path)
{
    if (classifyPath(path) != PathKind::BuildLog)
        return;
    // Only a file that gave builds is worth keeping.
    bool hasBuilds = false;
    ProjectSession *session = m_window->session();
    for (int i = 0; i < session->logCount(); ++i) {
        if (QFileInfo(session->logResult(i).path) == QFileInfo(path)
            && !session->logResult(i).builds.isEmpty())
            hasBuilds = true;
    }
    if (!hasBuilds)
        return;
    if (QSettings().value(QString::fromLatin1(HistoryOfferBar::AlwaysAddKey), false).toBool())
        addToHistory(path);
    else
        m_offerBar->offer(path);
}

void HistoryIntegration::addToHistory(const QString &path)
{
    // The project's repository tags the build; a log opened alone is looked up from its own folder.
    const QString folder =
        m_window->projectFolder().isEmpty() ? QFileInfo(path).absolutePath() : m_window->projectFolder();
    client()->addFile(path, readGitProvenance(folder));
}

bool HistoryIntegration::isBusy() const
{
    return (m_client && m_client->isBusy()) || (m_view && m_view->isLoading());
}

} // namespace Stagelens
