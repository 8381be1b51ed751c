#pragma once

// Installs the build history into the main window: the History view as a bottom dock (View > History,
// Ctrl+H), the offer bar for opened logs and records, and the one HistoryClient both use, created on first
// use so a window that never touches the history never opens the database. GUI thread only.

#include "model/history/historylocation.h"

#include <QObject>
#include <QPointer>

#include <functional>

class QAction;
class QDockWidget;

namespace Stagelens {

class ComparePane;

class HistoryClient;
class HistoryOfferBar;
class HistoryView;
class MainWindow;

class HistoryIntegration : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        bool offerToAdd = true; ///< off for --screenshot runs: nothing is added, no bar is shown
        /// Why there is no usable location (a malformed STAGELENS_DB): the view says so, nothing is added.
        QString locationError;
    };

    HistoryIntegration(MainWindow *window, const HistoryLocation &location, const Options &options);
    ~HistoryIntegration() override;

    QDockWidget *dock() const { return m_dock; }
    /// The History view, built on first use (the dock's first showing): the window starts without it.
    HistoryView *view() const;
    HistoryOfferBar *offerBar() const { return m_offerBar; }
    QAction *toggleAction() const;
    /// View > Add Opened Logs to History Automatically: the setting history/alwaysAddOpenedLogs.
    QAction *alwaysAddAction() const { return m_alwaysAdd; }
    /// The client, created on first use.
    HistoryClient *client();
    /// Shows the dock (and loads the view).
    void showHistory();
    /// The build `afterId` against `beforeId` (History's "Compare with Previous Build"): both are read again
    /// from their files on a worker, then shown in the window's compare mode.
    void compare(qint64 beforeId, qint64 afterId);
    /// The window's Compare pane after the last compare, for tests.
    ComparePane *lastCompare() const;
    /// Adds a log or record to the history (with the project's git provenance).
    void addToHistory(const QString &path);
    /// True while a history request is pending; the window's whenIdle() waits for it too.
    bool isBusy() const;

Q_SIGNALS:
    /// The window shows a comparison (compare mode).
    void compareShown();
    /// An add finished: how many builds were added and skipped, or the error.
    void addFinished(const QString &path, int added, int skipped, const QString &error);

private:
    void logOpened(const QString &path);
    void createView();

    QPointer<ComparePane> m_lastCompare;
    MainWindow *m_window = nullptr;
    HistoryLocation m_location;
    Options m_options;
    HistoryClient *m_client = nullptr;
    bool m_viewLoaded = false; ///< the client may exist before the view is first shown (an add)
    QDockWidget *m_dock = nullptr;
    HistoryView *m_view = nullptr;
    HistoryOfferBar *m_offerBar = nullptr;
    QAction *m_alwaysAdd = nullptr;
};

} // namespace Stagelens
