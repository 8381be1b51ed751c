#pragma once

#include "model/context/contextindex.h"

#include <QAbstractItemModel>
#include <QSet>

#include <memory>

namespace Stagelens {

/// The build context as a tree for the what-if pane: one row per context entry, checkable to mark it as
/// changed. Semantic roles only; the views map them to colours and fonts. GUI thread only.
class ContextTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Role
    {
        PathRole = Qt::UserRole + 1, ///< QString: context-relative path
        IgnoredRole, ///< bool: excluded by .dockerignore (BuildKit never sees it)
        UnusedRole, ///< bool: no step of a needed stage reads it
        IsDirectoryRole ///< bool
    };

    explicit ContextTreeModel(QObject *parent = nullptr);
    ~ContextTreeModel() override;

    /// Replaces the tree. `readEntries` holds the entries some needed step reads (indices into entries()).
    void setContext(std::shared_ptr<const ContextIndex> index, const QSet<int> &readEntries);
    /// Updates which entries are read, e.g. after the target changed.
    void setReadEntries(const QSet<int> &readEntries);
    const ContextIndex *context() const { return m_index.get(); }

    /// Context-relative paths of the checked entries, in tree order.
    QStringList checkedPaths() const;
    /// Checks these paths (context-relative); unknown paths are ignored. Returns how many were found.
    int setCheckedPaths(const QStringList &paths);
    void clearChecks();
    QModelIndex indexForPath(const QString &path) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    /// The set of checked paths changed (by the user or programmatically).
    void checkedPathsChanged();

private:
    int entryOf(const QModelIndex &index) const;
    bool isUnused(int entry) const;

    std::shared_ptr<const ContextIndex> m_index;
    QList<QList<int>> m_children; ///< per entry: child entries in name order
    QList<int> m_topLevel;
    QList<int> m_rowInParent; ///< per entry: its row under its parent
    QSet<int> m_read;
    QSet<int> m_checked;
    QList<bool> m_usedSubtree; ///< per entry: it, or something below it, is read
};

} // namespace Stagelens
