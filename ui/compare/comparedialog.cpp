#include "comparedialog.h"

#include "model/core/duration.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace Stagelens {

namespace {

QTableWidgetItem *item(const QString &text, Qt::Alignment alignment = Qt::AlignLeft | Qt::AlignVCenter)
{
    auto *i = new QTableWidgetItem(text);
    i->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    i->setTextAlignment(alignment);
    i->setToolTip(text);
    return i;
}

QString status(const std::optional<VertexStatus> &s)
{
    return s ? vertexStatusName(*s).toLower() : QStringLiteral("—");
}

} // namespace

CompareDialog::CompareDialog(QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Compare Builds"));
    m_headline = new QLabel(tr("Comparing the two builds..."));
    m_headline->setWordWrap(true);
    m_headline->setTextFormat(Qt::PlainText);
    QFont bold = m_headline->font();
    bold.setBold(true);
    m_headline->setFont(bold);

    m_causes = new QTableWidget(0, 4);
    m_causes->setHorizontalHeaderLabels({tr("Cause"), tr("Detail"), tr("Steps"), tr("Time")});
    m_steps = new QTableWidget(0, 6);
    m_steps->setHorizontalHeaderLabels(
        {tr("Step"), tr("Before"), tr("After"), tr("Change"), tr("Time after"), tr("Root / follows")});
    for (QTableWidget *t : {m_causes, m_steps}) {
        t->verticalHeader()->hide();
        t->setSelectionBehavior(QAbstractItemView::SelectRows);
        t->setWordWrap(false);
        t->setTextElideMode(Qt::ElideMiddle);
        t->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
        t->verticalHeader()->setDefaultSectionSize(t->fontMetrics().height() + 8);
    }
    m_causes->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_causes->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_causes->horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    m_causes->horizontalHeader()->setSectionResizeMode(3, QHeaderView::ResizeToContents);
    m_steps->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    for (int c = 1; c < 6; ++c)
        m_steps->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    connect(m_steps, &QTableWidget::cellActivated, this, [this](int row, int) {
        if (QTableWidgetItem *i = m_steps->item(row, 0))
            Q_EMIT stepActivated(i->data(Qt::UserRole).toString());
    });
    // A cause selects its steps below (the root first) and shows the root in the graph.
    connect(m_causes, &QTableWidget::cellClicked, this, [this](int row, int) { selectCause(row); });
    connect(m_causes, &QTableWidget::cellActivated, this, [this](int row, int) { selectCause(row); });
    connect(m_steps, &QTableWidget::cellClicked, this, [this](int row, int) {
        if (QTableWidgetItem *i = m_steps->item(row, 0))
            Q_EMIT stepActivated(i->data(Qt::UserRole).toString());
    });

    auto *split = new QSplitter(Qt::Vertical);
    auto *causesBox = new QWidget;
    auto *cl = new QVBoxLayout(causesBox);
    cl->setContentsMargins(0, 0, 0, 0);
    cl->addWidget(new QLabel(tr("Why it changed, costliest cause first:")));
    cl->addWidget(m_causes);
    auto *stepsBox = new QWidget;
    auto *sl = new QVBoxLayout(stepsBox);
    sl->setContentsMargins(0, 0, 0, 0);
    sl->addWidget(new QLabel(tr("Every step, the first miss of each chain (root) first:")));
    sl->addWidget(m_steps);
    split->addWidget(causesBox);
    split->addWidget(stepsBox);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    split->setSizes({160, 480});
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_headline);
    layout->addWidget(split, 1);
    layout->addWidget(buttons);
    resize(1000, 640);
}

void CompareDialog::setResult(
    const CompareResult &result, const QString &beforeName, const QString &afterName)
{
    m_result = result;
    QString headline = tr("%1 against %2").arg(afterName, beforeName);
    if (result.deltaSeconds)
        headline += tr(": %1%2 wall time (%3 -> %4)")
                        .arg(*result.deltaSeconds >= 0 ? QStringLiteral("+") : QStringLiteral("−"),
                            formatDuration(std::abs(*result.deltaSeconds)),
                            formatDuration(result.beforeSeconds), formatDuration(result.afterSeconds));
    int missed = 0;
    for (const ComparedStep &s : result.steps)
        missed += s.change == StepChange::Missed ? 1 : 0;
    headline += missed == 0 ? tr(". No step missed the cache.")
                            : tr(". %n step(s) missed the cache.", nullptr, missed);
    m_headline->setText(headline);

    m_causes->setRowCount(int(result.causes.size()));
    for (int r = 0; r < result.causes.size(); ++r) {
        const CauseSummary &c = result.causes[r];
        m_causes->setItem(r, 0, item(causeKindName(c.cause.kind)));
        m_causes->setItem(r, 1, item(c.cause.detail));
        m_causes->setItem(r, 2, item(QString::number(c.steps.size()), Qt::AlignRight | Qt::AlignVCenter));
        m_causes->setItem(r, 3, item(formatDuration(c.seconds), Qt::AlignRight | Qt::AlignVCenter));
    }
    // Roots first, then the other misses, then the rest, each group in build order.
    QList<const ComparedStep *> ordered;
    for (int pass = 0; pass < 3; ++pass) {
        for (const ComparedStep &s : result.steps) {
            const int group = s.root ? 0 : s.change == StepChange::Missed ? 1 : 2;
            if (group == pass)
                ordered.append(&s);
        }
    }
    m_steps->setRowCount(int(ordered.size()));
    QFont boldFont = m_steps->font();
    boldFont.setBold(true);
    for (int r = 0; r < ordered.size(); ++r) {
        const ComparedStep &s = *ordered[r];
        QTableWidgetItem *label = item(s.label);
        label->setData(Qt::UserRole, s.label);
        if (s.root) {
            label->setFont(boldFont);
            label->setToolTip(s.label + QLatin1Char('\n') + (s.cause ? s.cause->detail : QString()));
        }
        m_steps->setItem(r, 0, label);
        m_steps->setItem(r, 1, item(status(s.before)));
        m_steps->setItem(r, 2, item(status(s.after)));
        m_steps->setItem(r, 3, item(stepChangeName(s.change)));
        m_steps->setItem(r, 4, item(formatDuration(s.afterSeconds), Qt::AlignRight | Qt::AlignVCenter));
        m_steps->setItem(r, 5,
            item(s.root ? tr("root: %1").arg(s.cause ? causeKindName(s.cause->kind) : QString())
                    : s.follows.isEmpty() ? QString()
                                          : tr("follows %1").arg(s.follows)));
    }
    Q_EMIT resultShown();
}

void CompareDialog::selectCause(int row)
{
    if (row < 0 || row >= m_result.causes.size())
        return;
    const QStringList &labels = m_result.causes[row].steps;
    m_steps->clearSelection();
    m_steps->setSelectionMode(QAbstractItemView::MultiSelection);
    int first = -1;
    for (int r = 0; r < m_steps->rowCount(); ++r) {
        if (labels.contains(m_steps->item(r, 0)->data(Qt::UserRole).toString())) {
            m_steps->selectRow(r);
            if (first < 0)
                first = r;
        }
    }
    m_steps->setSelectionMode(QAbstractItemView::ExtendedSelection);
    if (first >= 0) {
        m_steps->scrollToItem(m_steps->item(first, 0));
        Q_EMIT stepActivated(m_steps->item(first, 0)->data(Qt::UserRole).toString());
    }
}

QStringList CompareDialog::selectedSteps() const
{
    QStringList labels;
    for (int r = 0; r < m_steps->rowCount(); ++r) {
        if (m_steps->item(r, 0)->isSelected())
            labels.append(m_steps->item(r, 0)->data(Qt::UserRole).toString());
    }
    return labels;
}

QString CompareDialog::headline() const
{
    return m_headline->text();
}

} // namespace Stagelens
