#include "historybuildsmodel.h"

#include "model/core/duration.h"

#include <QDateTime>
#include <QSet>

#include <algorithm>

namespace Stagelens {

namespace {

QString orUnknown(const QString &text)
{
    return text.isEmpty() ? unknownFigure() : text;
}

QString startedText(const HistoryBuild &b)
{
    // A log without wall-clock stamps tells when it was added, not when it ran: say so.
    const double seconds = b.startedAt.value_or(b.addedAt);
    const QString text =
        QDateTime::fromSecsSinceEpoch(qint64(seconds)).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
    return b.startedAt ? text : QStringLiteral("%1 (added)").arg(text);
}

QVariant optionalValue(const std::optional<double> &value)
{
    return value ? QVariant(*value) : QVariant();
}

} // namespace

HistoryBuildsModel::HistoryBuildsModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void HistoryBuildsModel::setBuilds(QList<HistoryBuild> builds)
{
    beginResetModel();
    m_builds = std::move(builds);
    m_rowOfBuild.clear();
    m_rowOfBuild.reserve(m_builds.size());
    for (int row = 0; row < m_builds.size(); ++row)
        m_rowOfBuild.insert(m_builds.at(row).id, row);
    endResetModel();
}

const HistoryBuild *HistoryBuildsModel::build(int row) const
{
    return row >= 0 && row < m_builds.size() ? &m_builds.at(row) : nullptr;
}

int HistoryBuildsModel::rowOfBuild(qint64 id) const
{
    return m_rowOfBuild.value(id, -1);
}

QStringList HistoryBuildsModel::branches() const
{
    QSet<QString> set;
    for (const HistoryBuild &b : m_builds) {
        if (!b.branch.isEmpty())
            set.insert(b.branch);
    }
    QStringList list(set.cbegin(), set.cend());
    std::sort(list.begin(), list.end());
    return list;
}

qint64 HistoryBuildsModel::previousBuild(int row, bool sameBranch) const
{
    const HistoryBuild *current = build(row);
    if (!current)
        return 0;
    for (int r = row + 1; r < m_builds.size(); ++r) {
        if (!sameBranch || m_builds.at(r).branch == current->branch)
            return m_builds.at(r).id;
    }
    return 0;
}

int HistoryBuildsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_builds.size());
}

int HistoryBuildsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HistoryBuildsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const HistoryBuild &b = m_builds.at(index.row());
    switch (role) {
    case BuildIdRole:
        return b.id;
    case SourceFileRole:
        return b.file;
    case FailedRole:
        return b.failed;
    case Qt::TextAlignmentRole:
        if (index.column() == WallTime || index.column() == CacheHitRate)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ToolTipRole:
        if (index.column() == Result && b.failed)
            return b.failedStep.isEmpty() ? b.error : QStringLiteral("%1\n%2").arg(b.failedStep, b.error);
        if (index.column() == Commit)
            return b.commit.isEmpty() ? QVariant() : QVariant(b.commit);
        return QStringLiteral("%1 (build %2 of the file)").arg(b.file).arg(b.buildIndex + 1);
    case SortRole:
        switch (index.column()) {
        case Started:
            return b.startedAt.value_or(b.addedAt);
        case WallTime:
            return optionalValue(b.wallSeconds);
        case CacheHitRate:
            return optionalValue(b.cacheHitRate());
        default:
            break;
        }
        [[fallthrough]];
    case Qt::DisplayRole:
        switch (index.column()) {
        case Started:
            return startedText(b);
        case Repository:
            return orUnknown(b.repo);
        case Branch:
            return orUnknown(b.branch);
        case Commit:
            return orUnknown(b.commit.left(12));
        case Target:
            return orUnknown(b.target);
        case WallTime:
            return formatDuration(b.wallSeconds);
        case CacheHitRate: {
            const std::optional<double> rate = b.cacheHitRate();
            return rate ? QStringLiteral("%1%").arg(qRound(*rate * 100)) : unknownFigure();
        }
        case Result:
            return b.failed ? tr("failed") : tr("ok");
        default:
            return {};
        }
    default:
        return {};
    }
}

QVariant HistoryBuildsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Started:
        return tr("Started");
    case Repository:
        return tr("Repository");
    case Branch:
        return tr("Branch");
    case Commit:
        return tr("Commit");
    case Target:
        return tr("Target");
    case WallTime:
        return tr("Wall time");
    case CacheHitRate:
        return tr("Cache hits");
    case Result:
        return tr("Result");
    default:
        return {};
    }
}

HistoryBuildsProxyModel::HistoryBuildsProxyModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(HistoryBuildsModel::SortRole);
}

void HistoryBuildsProxyModel::setBranch(const QString &branch)
{
    if (branch == m_branch)
        return;
    m_branch = branch;
    invalidateRowsFilter();
}

bool HistoryBuildsProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_branch.isEmpty())
        return true;
    const auto *model = qobject_cast<const HistoryBuildsModel *>(sourceModel());
    const HistoryBuild *b = model ? model->build(sourceRow) : nullptr;
    if (!b) {
        const QModelIndex index = sourceModel()->index(sourceRow, HistoryBuildsModel::Branch, sourceParent);
        return index.data().toString() == m_branch;
    }
    return b->branch == m_branch;
}

bool HistoryBuildsProxyModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const QVariant a = left.data(sortRole());
    const QVariant b = right.data(sortRole());
    if (a.isValid() != b.isValid()) {
        // The view reverses lessThan for a descending sort: answer so that the unknown one ends up last.
        return sortOrder() == Qt::AscendingOrder ? a.isValid() : b.isValid();
    }
    if (!a.isValid())
        return false;
    return QSortFilterProxyModel::lessThan(left, right);
}

} // namespace Stagelens
