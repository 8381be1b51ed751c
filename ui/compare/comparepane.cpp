#include "comparepane.h"

#include "comparestepsmodel.h"
#include "model/core/duration.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelection>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <numeric>

namespace Stagelens {

namespace {

QTableWidgetItem *item(const QString &text, Qt::Alignment alignment = Qt::AlignLeft | Qt::AlignVCenter)
{
    auto *i = new QTableWidgetItem(text);
    i->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    i->setTextAlignment(alignment);
    i->setToolTip(text);
    return i;
}

QWidget *titled(const QString &title, QWidget *content, QLabel **caption = nullptr)
{
    auto *box = new QWidget;
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto *label = new QLabel(title);
    label->setWordWrap(true);
    layout->addWidget(label);
    layout->addWidget(content, 1);
    if (caption)
        *caption = label;
    return box;
}

} // namespace

ComparePane::ComparePane(QWidget *parent)
    : QWidget(parent)
{
    m_headline = new QLabel(tr("Comparing the two builds..."));
    m_headline->setWordWrap(true);
    m_headline->setTextFormat(Qt::PlainText);
    QFont bold = m_headline->font();
    bold.setBold(true);
    m_headline->setFont(bold);
    m_leave = new QPushButton(tr("Leave Compare Mode"));
    m_leave->setToolTip(tr("Back to the selected build's own colours and timeline (Esc)"));
    connect(m_leave, &QPushButton::clicked, this, &ComparePane::leaveRequested);

    m_causes = new QTableWidget(0, 4);
    m_causes->setHorizontalHeaderLabels({tr("Cause"), tr("Time"), tr("Steps"), tr("Detail")});
    m_stepsModel = new CompareStepsModel(this);
    m_steps = new QTableView;
    m_steps->setModel(m_stepsModel);
    for (QTableView *t : {static_cast<QTableView *>(m_causes), m_steps}) {
        t->verticalHeader()->hide();
        t->setSelectionBehavior(QAbstractItemView::SelectRows);
        t->setWordWrap(false);
        t->setTextElideMode(Qt::ElideMiddle);
        t->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
        t->verticalHeader()->setDefaultSectionSize(t->fontMetrics().height() + 8);
    }
    m_causes->horizontalHeader()->setSectionResizeMode(3, QHeaderView::Stretch);
    for (int c = 0; c < 3; ++c)
        m_causes->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    m_steps->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    for (int c = 1; c < 4; ++c)
        m_steps->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    // Sized by the rows around the visible ones, not by all of them: with a table not yet shown Qt measures
    // up to 1,000 rows per column, and shaping that text was a third of the 60 ms compare mode took to appear
    // for two builds of 90,000 steps. The short texts of these columns vary little from row to row.
    m_steps->horizontalHeader()->setResizeContentsPrecision(100);
    QFont boldFont = m_steps->font();
    boldFont.setBold(true);
    m_stepsModel->setBoldFont(boldFont);
    m_files = new QListWidget;
    m_files->setUniformItemSizes(true);

    auto activate = [this](const QModelIndex &index) {
        if (index.isValid())
            Q_EMIT stepActivated(index.data(CompareStepsModel::LabelRole).toString());
    };
    connect(m_steps, &QTableView::activated, this, activate);
    connect(m_steps, &QTableView::clicked, this, activate);
    // A cause selects its steps below (the root first), lists its files and shows the root in the graph.
    connect(m_causes, &QTableWidget::cellClicked, this, [this](int row, int) { selectCause(row); });
    connect(m_causes, &QTableWidget::cellActivated, this, [this](int row, int) { selectCause(row); });

    // The selected cause's detail is the answer people read: in full, wrapped, under the one-line rows.
    m_causeDetail = new QLabel;
    m_causeDetail->setWordWrap(true);
    m_causeDetail->setTextFormat(Qt::PlainText);
    m_causeDetail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *causesBox = new QWidget;
    auto *causesLayout = new QVBoxLayout(causesBox);
    causesLayout->setContentsMargins(0, 0, 0, 0);
    causesLayout->setSpacing(2);
    causesLayout->addWidget(m_causes, 1);
    causesLayout->addWidget(m_causeDetail);

    auto *split = m_split = new QSplitter(Qt::Vertical);
    split->setChildrenCollapsible(false);
    split->addWidget(
        titled(tr("Why it changed, costliest cause first (click one to select its steps):"), causesBox));
    split->addWidget(titled(tr("Changed files"), m_files, &m_filesCaption));
    split->addWidget(titled(tr("Every step, the first miss of each chain (root) first:"), m_steps));
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 1);
    split->setStretchFactor(2, 4);
    // The way out on a row of its own, so long build names get the pane's whole width below it.
    auto *top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    auto *title = new QLabel(tr("Against the build before"));
    top->addWidget(title, 1);
    top->addWidget(m_leave);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(m_headline);
    layout->addWidget(split, 1);
}

void ComparePane::setPending(const QString &beforeName, const QString &afterName)
{
    m_comparison = {};
    m_headline->setText(tr("Comparing %1 against %2...").arg(afterName, beforeName));
    m_causes->setRowCount(0);
    m_causeDetail->clear();
    m_stepsModel->clear();
    m_files->clear();
}

void ComparePane::setComparison(const BuildComparison &comparison)
{
    m_comparison = comparison;
    const CompareResult &result = comparison.result;
    QString headline = tr("%1 against %2").arg(comparison.afterName, comparison.beforeName);
    if (result.deltaSeconds)
        headline += tr(": %1%2 wall time (%3 -> %4)")
                        .arg(*result.deltaSeconds >= 0 ? QStringLiteral("+") : QStringLiteral("−"),
                            formatDuration(std::abs(*result.deltaSeconds)),
                            formatDuration(result.beforeSeconds), formatDuration(result.afterSeconds));
    int missed = 0, removed = 0;
    for (const ComparedStep &s : result.steps) {
        missed += s.change == StepChange::Missed ? 1 : 0;
        removed += s.change == StepChange::Removed ? 1 : 0;
    }
    headline += missed == 0 ? tr(". No step missed the cache.")
                            : tr(". %n step(s) missed the cache.", nullptr, missed);
    if (removed > 0)
        headline += tr(" %n step(s) of the build before are gone (listed as removed).", nullptr, removed);
    if (!comparison.beforeRevision.isEmpty() || !comparison.afterRevision.isEmpty())
        headline +=
            tr("\nCommits %1 -> %2")
                .arg(comparison.beforeRevision.isEmpty() ? tr("unknown") : comparison.beforeRevision.left(12),
                    comparison.afterRevision.isEmpty() ? tr("unknown") : comparison.afterRevision.left(12));
    m_headline->setText(headline);
    m_headline->setToolTip(headline);

    m_causes->setRowCount(int(result.causes.size()));
    for (int r = 0; r < result.causes.size(); ++r) {
        const CauseSummary &c = result.causes[r];
        m_causes->setItem(r, 0, item(causeKindName(c.cause.kind)));
        m_causes->setItem(r, 1, item(formatDuration(c.seconds), Qt::AlignRight | Qt::AlignVCenter));
        m_causes->setItem(r, 2, item(QString::number(c.steps.size()), Qt::AlignRight | Qt::AlignVCenter));
        m_causes->setItem(r, 3, item(c.cause.detail));
    }
    m_stepsModel->setResult(result);

    // Every changed file the comparison knows of; a cause narrows it to its own.
    if (comparison.changedFiles) {
        showFiles(*comparison.changedFiles,
            comparison.changedFiles->isEmpty()
                ? tr("Changed files: none in the build context between %1 and %2")
                      .arg(comparison.beforeRevision.left(12), comparison.afterRevision.left(12))
                : tr("Changed files between %1 and %2 (%3):")
                      .arg(comparison.beforeRevision.left(12), comparison.afterRevision.left(12))
                      .arg(comparison.changedFiles->size()));
    } else {
        showFiles({},
            comparison.beforeRevision.isEmpty() || comparison.afterRevision.isEmpty()
                ? tr("Changed files: unknown (the builds' revisions are not known; open the project's git "
                     "folder and logs that name their commits)")
                : tr("Changed files: unknown (revisions %1 and %2, but no git history of the project open)")
                      .arg(comparison.beforeRevision.left(12), comparison.afterRevision.left(12)));
    }
    // The causes get the room their rows need (most comparisons have one to three), the steps the rest.
    const QList<int> sizes = m_split->sizes();
    const int total = std::accumulate(sizes.begin(), sizes.end(), 0);
    if (total > 0) {
        const int rows = std::clamp(int(result.causes.size()), 1, 6);
        int causes =
            m_causes->horizontalHeader()->height() + 2 * m_causes->frameWidth() + fontMetrics().height() * 3;
        for (int r = 0; r < rows && r < m_causes->rowCount(); ++r)
            causes += m_causes->rowHeight(r);
        if (m_causes->rowCount() == 0)
            causes += m_causes->verticalHeader()->defaultSectionSize();
        causes = std::min(causes, total * 2 / 5);
        const int files = std::min(total / 5, fontMetrics().height() * 7);
        m_split->setSizes({causes, files, std::max(0, total - causes - files)});
    }
    Q_EMIT resultShown();
}

void ComparePane::showFiles(const QStringList &files, const QString &caption)
{
    m_filesCaption->setText(caption);
    m_files->clear();
    m_files->addItems(files);
}

void ComparePane::selectCause(int row)
{
    if (row < 0 || row >= m_comparison.result.causes.size())
        return;
    const CauseSummary &cause = std::as_const(m_comparison.result.causes)[row];
    m_causeDetail->setText(QStringLiteral("%1: %2").arg(causeKindName(cause.cause.kind), cause.cause.detail));
    if (!cause.cause.files.isEmpty())
        showFiles(
            cause.cause.files, tr("Changed files this cause names (%1):").arg(cause.cause.files.size()));
    // One selection of row ranges: selecting row by row redrew and re-signalled for each of 45,000 rows.
    const QSet<QString> labels(cause.steps.cbegin(), cause.steps.cend());
    const QList<int> rows = m_stepsModel->rowsOf(labels);
    QItemSelection selection;
    for (int i = 0; i < rows.size();) {
        int last = i;
        while (last + 1 < rows.size() && rows[last + 1] == rows[last] + 1)
            ++last;
        selection.select(m_stepsModel->index(rows[i], 0),
            m_stepsModel->index(rows[last], CompareStepsModel::ColumnCount - 1));
        i = last + 1;
    }
    m_steps->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
    if (!rows.isEmpty()) {
        const QModelIndex first = m_stepsModel->index(rows.first(), 0);
        m_steps->selectionModel()->setCurrentIndex(first, QItemSelectionModel::NoUpdate);
        m_steps->scrollTo(first);
        Q_EMIT stepActivated(first.data(CompareStepsModel::LabelRole).toString());
    }
}

QStringList ComparePane::selectedSteps() const
{
    QModelIndexList rows = m_steps->selectionModel()->selectedRows(CompareStepsModel::StepColumn);
    std::sort(rows.begin(), rows.end(),
        [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QStringList labels;
    labels.reserve(rows.size());
    for (const QModelIndex &index : rows)
        labels.append(index.data(CompareStepsModel::LabelRole).toString());
    return labels;
}

QString ComparePane::causeDetail() const
{
    return m_causeDetail->text();
}

QString ComparePane::headline() const
{
    return m_headline->text();
}

} // namespace Stagelens
