#include "diagnosticsmodel.h"

#include <QFileInfo>

#include <algorithm>

namespace Stagelens {

DiagnosticsModel::DiagnosticsModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void DiagnosticsModel::setProblems(QList<Problem> problems)
{
    // Errors first, then warnings, then notes; within a severity, in the order the inputs gave them.
    std::stable_sort(problems.begin(), problems.end(), [](const Problem &a, const Problem &b) {
        return int(a.diagnostic.severity) < int(b.diagnostic.severity);
    });
    beginResetModel();
    m_problems = std::move(problems);
    endResetModel();
}

int DiagnosticsModel::count(Severity severity) const
{
    return int(std::count_if(m_problems.cbegin(), m_problems.cend(),
        [severity](const Problem &p) { return p.diagnostic.severity == severity; }));
}

int DiagnosticsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_problems.size());
}

int DiagnosticsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DiagnosticsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Problem &problem = m_problems.at(index.row());
    const Diagnostic &d = problem.diagnostic;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case WhereColumn: {
            const QString name =
                d.file.isEmpty() ? problemSourceName(problem.source) : QFileInfo(d.file).fileName();
            return d.line > 0 ? QStringLiteral("%1:%2").arg(name).arg(d.line) : name;
        }
        case SeverityColumn:
            return severityName(d.severity);
        case MessageColumn:
            return d.message;
        }
        return {};
    case Qt::ToolTipRole:
        return d.toString();
    case SeverityRole:
        return int(d.severity);
    case SourceRole:
        return int(problem.source);
    case FileRole:
        return d.file;
    case LineRole:
        return d.line;
    }
    return {};
}

QVariant DiagnosticsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case WhereColumn:
        return tr("Where");
    case SeverityColumn:
        return tr("Severity");
    case MessageColumn:
        return tr("Problem");
    }
    return {};
}

QString problemSourceName(ProblemSource source)
{
    switch (source) {
    case ProblemSource::Dockerfile:
        return QStringLiteral("Dockerfile");
    case ProblemSource::Context:
        return QStringLiteral("build context");
    case ProblemSource::Log:
        return QStringLiteral("log");
    case ProblemSource::Session:
        return QStringLiteral("open");
    }
    return {};
}

} // namespace Stagelens
