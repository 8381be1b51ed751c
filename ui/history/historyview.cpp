#include "historyview.h"

#include "model/history/historybuildsmodel.h"
#include "model/history/historyclient.h"
#include "ui/plots/plotmodule.h"
#include "ui/style/palette.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace Stagelens {

HistoryView::HistoryView(QWidget *parent)
    : QWidget(parent)
    , m_model(new HistoryBuildsModel(this))
    , m_proxy(new HistoryBuildsProxyModel(this))
{
    m_proxy->setSourceModel(m_model);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 2);
    bar->addWidget(new QLabel(tr("Branch:")));
    m_branchCombo = new QComboBox;
    m_branchCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_branchCombo->setMinimumContentsLength(14);
    m_branchCombo->addItem(tr("All branches"), QString());
    m_branchCombo->setToolTip(tr("Show the builds and trends of one branch"));
    bar->addWidget(m_branchCombo);
    m_compareButton = new QPushButton(tr("Compare with Previous Build"));
    // The whole label, whatever the style's margins (the offscreen style cut its last letters).
    m_compareButton->setMinimumWidth(
        m_compareButton->fontMetrics().horizontalAdvance(m_compareButton->text()) + 24);
    bar->addWidget(m_compareButton);
    m_reloadButton = new QPushButton(tr("Reload"));
    m_reloadButton->setToolTip(tr("Read the history again (builds added by CI or the command line)"));
    bar->addWidget(m_reloadButton);
    m_status = new QLabel;
    m_status->setTextFormat(Qt::PlainText);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // One line that gives way to the buttons; the whole text is in the tooltip.
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    bar->addWidget(m_status, 1);

    m_table = new QTableView;
    m_table->setModel(m_proxy);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    // Fixed row heights and column widths: measuring 10,000 rows' contents would stall the GUI thread.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setHighlightSections(false);
    const QFontMetrics fm = m_table->fontMetrics();
    const auto width = [&fm](const QString &sample) {
        return fm.horizontalAdvance(sample) + 18;
    };
    m_table->setColumnWidth(HistoryBuildsModel::Started, width(QStringLiteral("2026-12-31 23:59 (added)")));
    m_table->setColumnWidth(HistoryBuildsModel::Repository, width(QStringLiteral("owner/repository")));
    m_table->setColumnWidth(HistoryBuildsModel::Branch, width(QStringLiteral("feature/branch")));
    m_table->setColumnWidth(HistoryBuildsModel::Commit, width(QStringLiteral("0123456789ab")));
    m_table->setColumnWidth(HistoryBuildsModel::Target, width(QStringLiteral("builder")));
    m_table->setColumnWidth(HistoryBuildsModel::WallTime, width(QStringLiteral("12 min 05 s")));
    m_table->setColumnWidth(HistoryBuildsModel::CacheHitRate, width(tr("Cache hits")));
    // The figures next to the date, where a narrow dock still shows them; where the build came from after.
    QHeaderView *header = m_table->horizontalHeader();
    for (const int column :
        {HistoryBuildsModel::WallTime, HistoryBuildsModel::CacheHitRate, HistoryBuildsModel::Result})
        header->moveSection(header->visualIndex(column), header->visualIndex(HistoryBuildsModel::Repository));
    m_table->setColumnWidth(HistoryBuildsModel::Result, width(tr("failed")));
    m_table->setSortingEnabled(true);
    // The store lists newest first already: show that order without sorting 10,000 rows at load.
    m_table->horizontalHeader()->setSortIndicator(-1, Qt::DescendingOrder);

    m_plot = PlotModule::createTrend();
    auto *splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(m_table);
    splitter->addWidget(m_plot->widget());
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    // The trends get the larger share: the table's first columns say enough to pick a build.
    splitter->setSizes({400, 600});
    splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(bar);
    layout->addWidget(splitter, 1);

    connect(m_branchCombo, &QComboBox::currentIndexChanged, this,
        [this]() { setBranch(m_branchCombo->currentData().toString()); });
    connect(m_reloadButton, &QPushButton::clicked, this, &HistoryView::reload);
    connect(m_table, &QTableView::doubleClicked, this,
        [this](const QModelIndex &index) { activateRow(index.row()); });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        &HistoryView::refreshCompare);
    connect(m_compareButton, &QPushButton::clicked, this,
        [this]() { compareRow(m_table->currentIndex().row()); });
    m_plot->onBuildClicked(this, [this](qint64 id) {
        const QModelIndex index = m_proxy->mapFromSource(m_model->index(m_model->rowOfBuild(id), 0));
        if (index.isValid()) {
            m_table->setCurrentIndex(index);
            m_table->scrollTo(index);
        }
    });
    setCompareHandled(false);
    setStatus(tr("Not loaded yet"));
}

HistoryView::~HistoryView() = default;

void HistoryView::setClient(HistoryClient *client)
{
    if (m_client)
        disconnect(m_client, nullptr, this, nullptr);
    m_client = client;
    if (!client)
        return;
    connect(client, &HistoryClient::buildsLoaded, this, &HistoryView::showBuilds);
    connect(client, &HistoryClient::trendsLoaded, this, &HistoryView::showTrends);
    connect(client, &HistoryClient::failed, this, &HistoryView::showError);
    reload();
}

void HistoryView::reload()
{
    if (!m_client)
        return;
    m_error.clear();
    m_buildsPending = m_trendsPending = true;
    setStatus(tr("Loading the history from %1...").arg(m_client->location().displayName()));
    m_client->requestBuilds({});
    requestTrends();
}

void HistoryView::showUnavailable(const QString &why)
{
    m_model->setBuilds({});
    m_plot->setTrends({});
    setStatus(tr("Cannot use the build history: %1").arg(why), true);
}

void HistoryView::requestTrends()
{
    HistoryQuery query;
    query.branch = m_proxy->branch();
    m_client->requestTrends(query, SlowestSteps);
}

void HistoryView::setBranch(const QString &branch)
{
    if (branch == m_proxy->branch())
        return;
    m_proxy->setBranch(branch);
    const int index = m_branchCombo->findData(branch);
    if (index >= 0 && index != m_branchCombo->currentIndex()) {
        const QSignalBlocker block(m_branchCombo);
        m_branchCombo->setCurrentIndex(index);
    }
    refreshCompare();
    if (m_client) {
        m_trendsPending = true;
        requestTrends();
    }
}

void HistoryView::showBuilds(const QList<HistoryBuild> &builds)
{
    m_model->setBuilds(builds);
    refreshBranches();
    refreshCompare();
    if (m_error.isEmpty()) {
        setStatus(builds.isEmpty() ? tr("No builds in %1 yet").arg(m_client->location().displayName())
                                   : tr("%n build(s) in %1", nullptr, int(builds.size()))
                                         .arg(m_client->location().displayName()));
    }
    finishLoad(true, false);
}

void HistoryView::showTrends(const HistoryTrends &trends)
{
    m_plot->setTrends(trends);
    if (!trends.error.isEmpty() && m_error.isEmpty()) {
        m_error = trends.error;
        setStatus(tr("Cannot read the build history: %1").arg(trends.error), true);
    }
    finishLoad(false, true);
}

void HistoryView::showError(const QString &error)
{
    m_error = error;
    setStatus(tr("Cannot read the build history: %1").arg(error), true);
    finishLoad(true, false); // the client reports failed() for the builds; the trends carry their own error
}

void HistoryView::finishLoad(bool builds, bool trends)
{
    const bool wasLoading = isLoading();
    if (builds)
        m_buildsPending = false;
    if (trends)
        m_trendsPending = false;
    if (wasLoading && !isLoading())
        Q_EMIT loaded();
}

void HistoryView::refreshBranches()
{
    const QString current = m_proxy->branch();
    const QSignalBlocker block(m_branchCombo);
    m_branchCombo->clear();
    m_branchCombo->addItem(tr("All branches"), QString());
    for (const QString &branch : m_model->branches())
        m_branchCombo->addItem(branch, branch);
    const int index = m_branchCombo->findData(current);
    m_branchCombo->setCurrentIndex(index < 0 ? 0 : index);
}

void HistoryView::setCompareHandled(bool handled, const QString &whyNot)
{
    m_compareHandled = handled;
    m_compareWhyNot = whyNot;
    refreshCompare();
}

void HistoryView::refreshCompare()
{
    if (!m_compareHandled) {
        m_compareButton->setEnabled(false);
        m_compareButton->setToolTip(
            m_compareWhyNot.isEmpty() ? tr("Comparing two builds is not available yet") : m_compareWhyNot);
        return;
    }
    const QModelIndex source = m_proxy->mapToSource(m_table->currentIndex());
    const HistoryBuild *build = m_model->build(source.row());
    const qint64 previous = build ? m_model->previousBuild(source.row(), !build->branch.isEmpty()) : 0;
    m_compareButton->setEnabled(previous != 0);
    m_compareButton->setToolTip(!build ? tr("Select a build to compare it with the build before it")
            : previous ? tr("Compare build %1 with build %2, the one before it").arg(build->id).arg(previous)
                       : tr("No earlier build on this branch to compare with"));
}

void HistoryView::activateRow(int proxyRow)
{
    const QModelIndex source = m_proxy->mapToSource(m_proxy->index(proxyRow, 0));
    const HistoryBuild *build = m_model->build(source.row());
    if (!build)
        return;
    if (!QFileInfo(build->file).isFile()) {
        setStatus(tr("Cannot open build %1: its file %2 is no longer there (moved or deleted); the history "
                     "keeps its figures, not the log")
                      .arg(build->id)
                      .arg(build->file),
            true);
        return;
    }
    Q_EMIT openFileRequested(build->file);
}

void HistoryView::compareRow(int proxyRow)
{
    if (!m_compareHandled)
        return;
    const QModelIndex source = m_proxy->mapToSource(m_proxy->index(proxyRow, 0));
    const HistoryBuild *build = m_model->build(source.row());
    const qint64 previous = build ? m_model->previousBuild(source.row(), !build->branch.isEmpty()) : 0;
    if (previous != 0)
        Q_EMIT compareRequested(previous, build->id);
}

QString HistoryView::statusText() const
{
    return m_status->text();
}

void HistoryView::setStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setToolTip(text);
    QPalette p = palette();
    if (error)
        p.setColor(QPalette::WindowText, ViewPalette::stateColor(StepState::Error, palette()));
    m_status->setPalette(p);
}

} // namespace Stagelens
