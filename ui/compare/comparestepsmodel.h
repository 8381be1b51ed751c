#pragma once

// The steps table of compare mode: every step of a comparison with its status before and after, the root
// misses first (bold), then the other misses, then the rest, each group in build order. A model rather than
// one item per cell: two builds of 90,000 steps made 360,000 table items on the GUI thread; here a row is
// four ints of order and its text is made when the view paints it.

#include "model/compare/buildcompare.h"

#include <QAbstractTableModel>
#include <QFont>
#include <QSet>

namespace Stagelens {

class CompareStepsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        StepColumn,
        ChangeColumn,
        BeforeColumn,
        AfterColumn,
        ColumnCount
    };
    /// Qt::UserRole on any column: the step's label (AFTER's), what stepActivated() carries.
    static constexpr int LabelRole = Qt::UserRole;

    using QAbstractTableModel::QAbstractTableModel;

    void setResult(const CompareResult &result);
    void clear();
    /// The font of the root rows (the view's, bold).
    void setBoldFont(const QFont &font) { m_bold = font; }

    /// The step shown at `row`.
    const ComparedStep &step(int row) const;
    /// The rows whose step label is in `labels`, ascending.
    QList<int> rowsOf(const QSet<QString> &labels) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QString text(const ComparedStep &s, int column) const;

    QList<ComparedStep> m_steps; // shares the comparison's list
    QList<int> m_order; // row -> index into m_steps
    QFont m_bold;
};

} // namespace Stagelens
