#pragma once

// The "Slowest" page: every vertex of the selected build in a sortable, filterable table, longest first,
// critical-path steps in bold. Clicking a row selects that step everywhere.

#include <QWidget>

class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace Stagelens {

class SlowestStepsModel;

class SlowestStepsPane : public QWidget
{
    Q_OBJECT
public:
    explicit SlowestStepsPane(QWidget *parent = nullptr);

    SlowestStepsModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    /// The vertex shown in the table's row `row` (after sorting and filtering), or -1.
    int vertexAtRow(int row) const;
    void setFilterText(const QString &text);

Q_SIGNALS:
    /// A row was clicked or activated: the vertex's index in the build.
    void vertexActivated(int vertex);

private:
    SlowestStepsModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    QLineEdit *m_filter = nullptr;
};

} // namespace Stagelens
