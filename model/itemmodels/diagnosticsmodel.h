#pragma once

// The Problems list: every diagnostic of the open project (Dockerfile, build context, logs) and every message
// of the session (a file that could not be opened), one row each, rebuilt as a whole whenever one of those
// inputs changes, so that nothing is lost when another is refreshed. QtCore only: views map the severity
// role to colours and icons.

#include "model/core/diagnostic.h"

#include <QAbstractTableModel>
#include <QList>

namespace Stagelens {

/// Which input a problem comes from.
enum class ProblemSource
{
    Dockerfile,
    Context,
    Log,
    Session ///< opening files, layout, anything else the session reports
};

struct Problem
{
    ProblemSource source = ProblemSource::Session;
    Diagnostic diagnostic;
};

class DiagnosticsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        WhereColumn,
        SeverityColumn,
        MessageColumn,
        ColumnCount
    };
    enum Role
    {
        SeverityRole = Qt::UserRole + 1, ///< int(Severity)
        SourceRole, ///< int(ProblemSource)
        FileRole, ///< absolute path, may be empty
        LineRole ///< 1-based, 0 when none
    };

    explicit DiagnosticsModel(QObject *parent = nullptr);

    void setProblems(QList<Problem> problems);
    const QList<Problem> &problems() const { return m_problems; }
    /// Errors and warnings (info rows are not counted), for the tab title and the status bar.
    int count(Severity severity) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<Problem> m_problems;
};

QString problemSourceName(ProblemSource source);

} // namespace Stagelens
