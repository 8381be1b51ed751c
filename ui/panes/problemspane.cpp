#include "problemspane.h"

#include "model/itemmodels/diagnosticsmodel.h"

#include <QApplication>
#include <QHeaderView>
#include <QIcon>
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
            const int i = severity == Severity::Error ? 0 : severity == Severity::Warning ? 1 : 2;
            // Asked for every row the view measures: the style builds each icon once.
            if (m_icons[i].isNull()) {
                static constexpr QStyle::StandardPixmap Pixmaps[] = {QStyle::SP_MessageBoxCritical,
                    QStyle::SP_MessageBoxWarning, QStyle::SP_MessageBoxInformation};
                m_icons[i] = QApplication::style()->standardIcon(Pixmaps[i]);
            }
            return m_icons[i];
        }
        return QIdentityProxyModel::data(index, role);
    }

private:
    mutable QIcon m_icons[3];
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
        fitRows();
        Q_EMIT problemsChanged(m_model->count(Severity::Error));
    });
}

// Wrapped messages need every row measured (text layout of each message). A list of thousands (a file that is
// not a Dockerfile: 22,868 problems) shows a line per problem instead, the whole text in its tooltip:
// measuring them all held the GUI thread for over a second, again on every resize of the pane.
void ProblemsPane::fitRows()
{
    const bool wrap = m_model->rowCount() <= MaxWrappedRows;
    m_view->setWordWrap(wrap);
    // Cut to a line, a message keeps its start (its end is in the tooltip); wrapped, only a long "where"
    // is cut, and it keeps its start and its ":line".
    m_view->setTextElideMode(wrap ? Qt::ElideMiddle : Qt::ElideRight);
    if (wrap)
        m_view->resizeRowsToContents();
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
    fitRows();
}

QString ProblemsPane::title() const
{
    const int n = m_model->count(Severity::Error) + m_model->count(Severity::Warning);
    return n > 0 ? tr("Problems (%1)").arg(n) : tr("Problems");
}

} // namespace Stagelens
