#include "problemspane.h"

#include "model/itemmodels/diagnosticsmodel.h"

#include <QApplication>
#include <QHeaderView>
#include <QIdentityProxyModel>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace Stagelens {

namespace {

// The model says how severe a problem is; the view says it with the platform's message icons.
class SeverityIcons : public QIdentityProxyModel
{
public:
    using QIdentityProxyModel::QIdentityProxyModel;

    QVariant data(const QModelIndex &index, int role) const override
    {
        if (role == Qt::DecorationRole && index.column() == DiagnosticsModel::SeverityColumn) {
            const auto severity = Severity(index.data(DiagnosticsModel::SeverityRole).toInt());
            const QStyle::StandardPixmap pixmap = severity == Severity::Error ? QStyle::SP_MessageBoxCritical
                : severity == Severity::Warning                               ? QStyle::SP_MessageBoxWarning
                                                : QStyle::SP_MessageBoxInformation;
            return QApplication::style()->standardIcon(pixmap);
        }
        return QIdentityProxyModel::data(index, role);
    }
};

} // namespace

ProblemsPane::ProblemsPane(DiagnosticsModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
{
    auto *icons = new SeverityIcons(this);
    icons->setSourceModel(model);
    m_view = new QTableView;
    m_view->setModel(icons);
    m_view->verticalHeader()->hide();
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setWordWrap(true);
    m_view->setTextElideMode(Qt::ElideMiddle); // a long CI log's name keeps its start and its ":line"
    // The message is what a reader needs first: severity, message (wrapped, taking the room), then where.
    // With "where" first, a CI log's long file name pushed the message out of a narrow pane.
    QHeaderView *header = m_view->horizontalHeader();
    header->moveSection(header->visualIndex(DiagnosticsModel::SeverityColumn), 0);
    header->moveSection(header->visualIndex(DiagnosticsModel::MessageColumn), 1);
    header->setSectionResizeMode(DiagnosticsModel::SeverityColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(DiagnosticsModel::MessageColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(DiagnosticsModel::WhereColumn, QHeaderView::Interactive);
    header->setStretchLastSection(false);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
    connect(m_view, &QAbstractItemView::activated, this, [this](const QModelIndex &index) {
        Q_EMIT locationActivated(index.data(DiagnosticsModel::FileRole).toString(),
            index.data(DiagnosticsModel::LineRole).toInt());
    });
    connect(model, &QAbstractItemModel::modelReset, this, [this]() {
        fitWhereColumn(true);
        m_view->resizeRowsToContents();
        Q_EMIT problemsChanged(m_model->count(Severity::Error));
    });
}

// "Where" as wide as its longest entry, but never more than a third of the pane: the message keeps the room.
// The entries are measured once per new list (a large file has tens of thousands), a resize only clamps.
void ProblemsPane::fitWhereColumn(bool measure)
{
    if (measure) {
        m_view->resizeColumnToContents(DiagnosticsModel::WhereColumn);
        m_whereWidth = m_view->columnWidth(DiagnosticsModel::WhereColumn);
    }
    m_view->setColumnWidth(
        DiagnosticsModel::WhereColumn, std::min(m_whereWidth, m_view->viewport()->width() / 3));
}

void ProblemsPane::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    fitWhereColumn(false);
    m_view->resizeRowsToContents();
}

QString ProblemsPane::title() const
{
    const int n = m_model->count(Severity::Error) + m_model->count(Severity::Warning);
    return n > 0 ? tr("Problems (%1)").arg(n) : tr("Problems");
}

} // namespace Stagelens
