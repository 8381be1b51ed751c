#include "contexttreemodel.h"

#include <QFileInfo>

namespace Stagelens {

ContextTreeModel::ContextTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
{ }

ContextTreeModel::~ContextTreeModel() = default;

void ContextTreeModel::setContext(std::shared_ptr<const ContextIndex> index, const QSet<int> &readEntries)
{
    beginResetModel();
    m_index = std::move(index);
    m_children.clear();
    m_topLevel.clear();
    m_rowInParent.clear();
    m_checked.clear();
    if (m_index) {
        const QList<ContextEntry> &entries = m_index->entries();
        m_children.resize(entries.size());
        m_rowInParent.resize(entries.size());
        // Entries come in walk order, so children are appended in the order the scanner sorted them.
        for (int i = 0; i < entries.size(); ++i) {
            QList<int> &siblings = entries.at(i).parent < 0 ? m_topLevel : m_children[entries.at(i).parent];
            m_rowInParent[i] = siblings.size();
            siblings.append(i);
        }
    }
    m_read = readEntries;
    m_usedSubtree.clear();
    if (m_index) {
        const QList<ContextEntry> &entries = m_index->entries();
        m_usedSubtree.fill(false, entries.size());
        // Children follow their parent: walking backwards sees every child before its parent.
        for (int i = entries.size() - 1; i >= 0; --i) {
            if (m_read.contains(i))
                m_usedSubtree[i] = true;
            if (m_usedSubtree.at(i) && entries.at(i).parent >= 0)
                m_usedSubtree[entries.at(i).parent] = true;
        }
    }
    endResetModel();
}

void ContextTreeModel::setReadEntries(const QSet<int> &readEntries)
{
    setContext(m_index, readEntries);
}

int ContextTreeModel::entryOf(const QModelIndex &index) const
{
    return index.isValid() ? int(index.internalId()) : -1;
}

bool ContextTreeModel::isUnused(int entry) const
{
    return entry >= 0 && entry < m_usedSubtree.size() && !m_usedSubtree.at(entry);
}

QModelIndex ContextTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!m_index || column < 0 || column >= 1)
        return {};
    const int parentEntry = entryOf(parent);
    const QList<int> &siblings = parentEntry < 0 ? m_topLevel : m_children.at(parentEntry);
    if (row < 0 || row >= siblings.size())
        return {};
    return createIndex(row, column, quintptr(siblings.at(row)));
}

QModelIndex ContextTreeModel::parent(const QModelIndex &child) const
{
    const int entry = entryOf(child);
    if (entry < 0)
        return {};
    const int parentEntry = m_index->entries().at(entry).parent;
    if (parentEntry < 0)
        return {};
    return createIndex(m_rowInParent.at(parentEntry), 0, quintptr(parentEntry));
}

int ContextTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!m_index || parent.column() > 0)
        return 0;
    const int entry = entryOf(parent);
    return int(entry < 0 ? m_topLevel.size() : m_children.at(entry).size());
}

int ContextTreeModel::columnCount(const QModelIndex &) const
{
    return 1;
}

QVariant ContextTreeModel::data(const QModelIndex &index, int role) const
{
    const int entry = entryOf(index);
    if (entry < 0)
        return {};
    const ContextEntry &e = m_index->entries().at(entry);
    switch (role) {
    case Qt::DisplayRole:
        return e.path.section(QLatin1Char('/'), -1);
    case Qt::CheckStateRole:
        return m_checked.contains(entry) ? Qt::Checked : Qt::Unchecked;
    case Qt::ToolTipRole: {
        QString tip = e.path;
        if (e.ignored)
            tip += QLatin1Char('\n')
                + tr("Excluded by %1: BuildKit never receives it, edits never matter")
                      .arg(QFileInfo(m_index->ignoreFile()).fileName());
        else if (isUnused(entry))
            tip += QLatin1Char('\n') + tr("No step of a stage the target needs reads it");
        if (e.type == EntryType::Symlink)
            tip += QLatin1Char('\n') + tr("Symbolic link (not followed)");
        // Files are not stat'ed by the scan: ask now, for this one entry.
        if (e.unreadable || (e.type == EntryType::File && !m_index->fileStatus(entry).readable))
            tip += QLatin1Char('\n') + tr("Not readable");
        return tip;
    }
    case PathRole:
        return e.path;
    case IgnoredRole:
        return e.ignored;
    case UnusedRole:
        return isUnused(entry);
    case IsDirectoryRole:
        return e.type == EntryType::Directory;
    default:
        return {};
    }
}

bool ContextTreeModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    const int entry = entryOf(index);
    if (entry < 0 || role != Qt::CheckStateRole)
        return false;
    const bool check = value.value<Qt::CheckState>() == Qt::Checked;
    if (check == m_checked.contains(entry))
        return true;
    if (check)
        m_checked.insert(entry);
    else
        m_checked.remove(entry);
    Q_EMIT dataChanged(index, index, {Qt::CheckStateRole});
    Q_EMIT checkedPathsChanged();
    return true;
}

Qt::ItemFlags ContextTreeModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable;
}

QVariant ContextTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (section == 0 && orientation == Qt::Horizontal && role == Qt::DisplayRole)
        return tr("Build context");
    return {};
}

QHash<int, QByteArray> ContextTreeModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractItemModel::roleNames();
    names.insert(PathRole, "path");
    names.insert(IgnoredRole, "ignored");
    names.insert(UnusedRole, "unused");
    names.insert(IsDirectoryRole, "isDirectory");
    return names;
}

QStringList ContextTreeModel::checkedPaths() const
{
    QList<int> sorted(m_checked.cbegin(), m_checked.cend());
    std::sort(sorted.begin(), sorted.end());
    QStringList paths;
    for (int entry : std::as_const(sorted))
        paths.append(m_index->entries().at(entry).path);
    return paths;
}

int ContextTreeModel::setCheckedPaths(const QStringList &paths)
{
    if (!m_index)
        return 0;
    int found = 0;
    QSet<int> checked;
    for (const QString &path : paths) {
        const int entry = m_index->indexOf(ContextIndex::relativePath(path, m_index->rootPath()));
        if (entry >= 0) {
            checked.insert(entry);
            ++found;
        }
    }
    if (checked != m_checked) {
        // Tell views about exactly the entries whose tick changed (old and new ones).
        const QSet<int> changed = (checked - m_checked) + (m_checked - checked);
        m_checked = checked;
        for (int entry : changed) {
            const QModelIndex idx = createIndex(m_rowInParent.at(entry), 0, quintptr(entry));
            Q_EMIT dataChanged(idx, idx, {Qt::CheckStateRole});
        }
        Q_EMIT checkedPathsChanged();
    }
    return found;
}

void ContextTreeModel::clearChecks()
{
    setCheckedPaths({});
}

QModelIndex ContextTreeModel::indexForPath(const QString &path) const
{
    if (!m_index)
        return {};
    const int entry = m_index->indexOf(path);
    if (entry < 0)
        return {};
    return createIndex(m_rowInParent.at(entry), 0, quintptr(entry));
}

} // namespace Stagelens
