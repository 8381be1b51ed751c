#include "sloweststepspane.h"

#include "model/itemmodels/sloweststepsmodel.h"

#include <QFont>
#include <QHeaderView>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace Stagelens {

namespace {

// Sorting by the model's numbers (a time of "2 min 05 s" must sort above "59.0 s"), filtering on the step
// and stage names, and the critical path in bold (the model says which rows; the view says how). The
// model sorts its own rows (fast, and kept across setRows); the proxy keeps the model's order.
class SlowestProxy : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

    void sort(int column, Qt::SortOrder order) override
    {
        if (sourceModel())
            sourceModel()->sort(column, order);
    }

    QVariant data(const QModelIndex &index, int role) const override
    {
        if (role == Qt::FontRole && index.data(SlowestStepsModel::CriticalRole).toBool()) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return QSortFilterProxyModel::data(index, role);
    }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &parent) const override
    {
        const QRegularExpression &re = filterRegularExpression();
        if (re.pattern().isEmpty())
            return true;
        const QAbstractItemModel *m = sourceModel();
        const QModelIndex step = m->index(sourceRow, SlowestStepsModel::StepColumn, parent);
        return step.data().toString().contains(re)
            || step.data(SlowestStepsModel::StageRole).toString().contains(re);
    }
};

} // namespace

SlowestStepsPane::SlowestStepsPane(QWidget *parent)
    : QWidget(parent)
    , m_model(new SlowestStepsModel(this))
    , m_proxy(new SlowestProxy(this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(SlowestStepsModel::SortRole);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_filter = new QLineEdit;
    m_filter->setPlaceholderText(tr("Filter steps and stages"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, this, &SlowestStepsPane::setFilterText);
    m_view = new QTableView;
    m_view->setModel(m_proxy);
    m_view->verticalHeader()->hide();
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setSortingEnabled(true);
    m_view->setWordWrap(false);
    m_view->setTextElideMode(Qt::ElideRight); // the stage prefix and instruction stay readable
    // Uniform rows keep a 90,000-vertex build cheap to scroll.
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    // The step's name (its stage in the bracket prefix) gets the room and the figures keep theirs: stage
    // and state columns took the name to nothing in the 330 px pane of a 1280x800 window.
    QHeaderView *header = m_view->horizontalHeader();
    header->setSectionResizeMode(SlowestStepsModel::StepColumn, QHeaderView::Stretch);
    for (int c : {SlowestStepsModel::SecondsColumn, SlowestStepsModel::ShareColumn})
        header->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    m_view->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_view->sortByColumn(SlowestStepsModel::SecondsColumn, Qt::DescendingOrder);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_filter);
    layout->addWidget(m_view, 1);
    auto activate = [this](const QModelIndex &index) {
        if (index.isValid())
            Q_EMIT vertexActivated(index.data(SlowestStepsModel::VertexRole).toInt());
    };
    connect(m_view, &QAbstractItemView::clicked, this, activate);
    connect(m_view, &QAbstractItemView::activated, this, activate);
}

int SlowestStepsPane::vertexAtRow(int row) const
{
    const QModelIndex index = m_proxy->index(row, 0);
    return index.isValid() ? index.data(SlowestStepsModel::VertexRole).toInt() : -1;
}

void SlowestStepsPane::setFilterText(const QString &text)
{
    if (m_filter->text() != text)
        m_filter->setText(text);
    m_proxy->setFilterRegularExpression(
        QRegularExpression(QRegularExpression::escape(text), QRegularExpression::CaseInsensitiveOption));
}

} // namespace Stagelens
