#pragma once

// The History view: the stored builds as a sortable table filtered by branch, and their trends (wall time,
// cache hit rate, the slowest steps, regression markers). Every query goes through a HistoryClient, whose
// worker answers by signals: the view shows "Loading..." and never waits. GUI thread only.

#include <QPointer>
#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QTableView;

namespace Stagelens {

class HistoryBuildsModel;
class HistoryBuildsProxyModel;
class HistoryClient;
class TrendChart;
struct HistoryBuild;
struct HistoryTrends;

class HistoryView : public QWidget
{
    Q_OBJECT
public:
    /// How many of the slowest steps the trend shows.
    static constexpr int SlowestSteps = 5;

    explicit HistoryView(QWidget *parent = nullptr);
    ~HistoryView() override;

    /// The client the view queries (not owned); the view loads when it is set and on reload().
    void setClient(HistoryClient *client);
    void reload();
    /// No history can be read (no usable database location): says why, in place of loading.
    void showUnavailable(const QString &why);
    /// Whether anything handles compareRequested; if not, the action says so and stays disabled.
    void setCompareHandled(bool handled, const QString &whyNot = {});
    /// Shows only `branch`'s builds and trends (empty: every branch), as picking it in the filter does.
    void setBranch(const QString &branch);
    /// True until both the builds and the trends of the last load have answered.
    bool isLoading() const { return m_buildsPending || m_trendsPending; }

    // For tests and the integration.
    HistoryBuildsModel *model() const { return m_model; }
    HistoryBuildsProxyModel *proxy() const { return m_proxy; }
    QTableView *table() const { return m_table; }
    TrendChart *trendPlot() const { return m_plot; }
    QComboBox *branchFilter() const { return m_branchCombo; }
    QPushButton *compareButton() const { return m_compareButton; }
    QString statusText() const;
    /// A message in the status line (an action that could not be done), shown as an error.
    void showNotice(const QString &text) { setStatus(text, true); }
    /// Opens the build at the proxy row, as a double-click does.
    void activateRow(int proxyRow);
    /// Asks to compare the build at the proxy row with the one before it, as the button does.
    void compareRow(int proxyRow);

Q_SIGNALS:
    /// A build was double-clicked and its file still exists.
    void openFileRequested(const QString &path);
    /// Compare `afterId` with the build before it on its branch, `beforeId`.
    void compareRequested(qint64 beforeId, qint64 afterId);
    /// The builds and the trends of a load have answered (or failed).
    void loaded();

private:
    void showBuilds(const QList<HistoryBuild> &builds);
    void showTrends(const HistoryTrends &trends);
    void showError(const QString &error);
    void requestTrends();
    void refreshBranches();
    void refreshCompare();
    void setStatus(const QString &text, bool error = false);
    void finishLoad(bool builds, bool trends);

    QPointer<HistoryClient> m_client;
    HistoryBuildsModel *m_model = nullptr;
    HistoryBuildsProxyModel *m_proxy = nullptr;
    QComboBox *m_branchCombo = nullptr;
    QPushButton *m_compareButton = nullptr;
    QPushButton *m_reloadButton = nullptr;
    QLabel *m_status = nullptr;
    QTableView *m_table = nullptr;
    TrendChart *m_plot = nullptr;
    bool m_compareHandled = false;
    QString m_compareWhyNot;
    // A newer request supersedes an older one (the client drops its answer): one flag per kind, not a count.
    bool m_buildsPending = false;
    bool m_trendsPending = false;
    QString m_error;
};

} // namespace Stagelens
