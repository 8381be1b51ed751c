#pragma once

// The stored builds as a table for the History view: one row per build, newest first as the store lists
// them. Display texts are the figures every view shows (formatDuration, "—" for what is unknown, never 0);
// SortRole gives the raw value so a proxy sorts numbers as numbers and unknowns last. QtCore only.

#include "historystore.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

namespace Stagelens {

class HistoryBuildsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Started,
        Repository,
        Branch,
        Commit,
        Target,
        WallTime,
        CacheHitRate,
        Result,
        ColumnCount
    };
    enum Role
    {
        SortRole = Qt::UserRole + 1, ///< the raw value (seconds, rate, text); invalid when unknown
        BuildIdRole, ///< qint64
        SourceFileRole, ///< the path the build was added from
        FailedRole, ///< bool
    };

    explicit HistoryBuildsModel(QObject *parent = nullptr);

    /// Replaces the rows (newest first, as HistoryStore::builds() returns them).
    void setBuilds(QList<HistoryBuild> builds);
    const QList<HistoryBuild> &builds() const { return m_builds; }
    const HistoryBuild *build(int row) const;
    int rowOfBuild(qint64 id) const;
    /// The branches present, sorted, without the empty one.
    QStringList branches() const;
    /// The build before row's build in time (the next row down), on the same branch when `sameBranch`; 0
    /// when there is none.
    qint64 previousBuild(int row, bool sameBranch) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<HistoryBuild> m_builds;
    QHash<qint64, int> m_rowOfBuild;
};

/// Sorts by HistoryBuildsModel::SortRole (unknowns last) and keeps only one branch's builds when a branch is
/// set.
class HistoryBuildsProxyModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit HistoryBuildsProxyModel(QObject *parent = nullptr);

    /// Empty: every branch.
    void setBranch(const QString &branch);
    QString branch() const { return m_branch; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    /// Unknown figures sort last in either order: they are not small, nor large.
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    QString m_branch;
};

} // namespace Stagelens
