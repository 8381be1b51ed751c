#include "advicepane.h"

#include "model/core/duration.h"
#include "model/itemmodels/advicemodel.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QSyntaxHighlighter>
#include <QTableView>
#include <QVBoxLayout>

namespace Stagelens {

namespace {

// Added lines green, removed red, hunk headers in the link colour; shades picked for the palette's base so
// both themes keep a 4.5:1 contrast.
class DiffHighlighter : public QSyntaxHighlighter
{
public:
    using QSyntaxHighlighter::QSyntaxHighlighter;

protected:
    void highlightBlock(const QString &text) override
    {
        const QPalette pal = QApplication::palette();
        const bool dark = pal.color(QPalette::Base).lightness() < 128;
        QTextCharFormat f;
        if (text.startsWith(QLatin1String("+++")) || text.startsWith(QLatin1String("---"))) {
            f.setFontWeight(QFont::Bold);
        } else if (text.startsWith(QLatin1Char('+'))) {
            f.setForeground(dark ? QColor(0x56, 0xd3, 0x64) : QColor(0x11, 0x63, 0x29));
        } else if (text.startsWith(QLatin1Char('-'))) {
            f.setForeground(dark ? QColor(0xff, 0x7b, 0x72) : QColor(0xb3, 0x1d, 0x28));
        } else if (text.startsWith(QLatin1String("@@"))) {
            f.setForeground(pal.color(QPalette::Link));
        } else {
            return;
        }
        setFormat(0, int(text.size()), f);
    }
};

QString figure(const std::optional<double> &seconds, int untimed)
{
    if (!seconds)
        return AdvicePane::tr("time unknown");
    return untimed > 0
        ? AdvicePane::tr("%1 + %n step(s) without a time", nullptr, untimed).arg(formatDuration(*seconds))
        : formatDuration(*seconds);
}

} // namespace

AdvicePane::AdvicePane(QWidget *parent)
    : QWidget(parent)
{
    m_model = new AdviceModel(this);
    m_view = new QTableView;
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(AdviceModel::FindingColumn, QHeaderView::Stretch);
    // The pane is narrow: the rule id goes to the tooltip, the finding gets the room.
    m_view->setColumnHidden(AdviceModel::RuleColumn, true);
    m_view->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_view->setTextElideMode(Qt::ElideRight);
    m_view->setAccessibleName(tr("Cache advice"));

    m_detail = new QLabel;
    m_detail->setTextFormat(Qt::PlainText);
    m_detail->setWordWrap(true);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_detail->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_diff = new QPlainTextEdit;
    m_diff->setReadOnly(true);
    m_diff->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_diff->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_diff->setPlaceholderText(tr("The rewrite of the selected advice, as a diff"));
    new DiffHighlighter(m_diff->document());
    m_notes = new QLabel;
    m_notes->setTextFormat(Qt::PlainText);
    m_notes->setWordWrap(true);
    m_notes->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_copy = new QPushButton(tr("Copy Patch"));
    m_savePatch = new QPushButton(tr("Save Patch..."));
    m_saveFile = new QPushButton(tr("Save File..."));
    m_whatIf = new QPushButton(tr("Try in What-If"));
    m_copy->setToolTip(tr("Copy the diff; apply it with patch -p0 from the context folder"));
    m_savePatch->setToolTip(tr("Save the diff to a file outside the project"));
    m_saveFile->setToolTip(
        tr("Save the rewritten Dockerfile (or .dockerignore) somewhere else: the project is never written"));
    m_whatIf->setToolTip(
        tr("Mark the representative change in the what-if view: the graph shows what it re-runs today"));
    // Two rows: the pane is often ~330 px wide.
    auto *buttons = new QGridLayout;
    buttons->addWidget(m_copy, 0, 0);
    buttons->addWidget(m_savePatch, 0, 1);
    buttons->addWidget(m_saveFile, 1, 0);
    buttons->addWidget(m_whatIf, 1, 1);

    auto *lower = new QWidget;
    auto *lowerLayout = new QVBoxLayout(lower);
    lowerLayout->setContentsMargins(0, 0, 0, 0);
    lowerLayout->addWidget(m_detail);
    lowerLayout->addWidget(m_diff, 1);
    lowerLayout->addLayout(buttons);
    auto *split = new QSplitter(Qt::Vertical);
    split->addWidget(m_view);
    split->addWidget(lower);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(split, 1);
    layout->addWidget(m_notes);

    connect(
        m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &AdvicePane::showSelected);
    // A click on the row already selected shows its step again.
    connect(m_view, &QTableView::clicked, this, [this](const QModelIndex &index) {
        if (const Advice *a = m_model->adviceAt(index.row()))
            Q_EMIT adviceSelected(a->line);
    });
    connect(m_copy, &QPushButton::clicked, this, [this]() {
        if (const Advice *a = selectedAdvice())
            QApplication::clipboard()->setText(a->patch);
    });
    connect(m_savePatch, &QPushButton::clicked, this, [this]() {
        if (const Advice *a = selectedAdvice())
            saveAs(a->patch.toUtf8(), QDir::homePath() + QStringLiteral("/stagelens-%1.patch").arg(a->rule),
                tr("Save Patch"));
    });
    connect(m_saveFile, &QPushButton::clicked, this, [this]() {
        if (const Advice *a = selectedAdvice()) {
            if (!a->dockerfileAfter.isEmpty())
                saveAs(a->dockerfileAfter, QDir::homePath() + QStringLiteral("/Dockerfile.advised"),
                    tr("Save Rewritten Dockerfile"));
            else if (!a->ignoreAfter.isEmpty())
                saveAs(a->ignoreAfter, QDir::homePath() + QStringLiteral("/dockerignore.advised"),
                    tr("Save Rewritten .dockerignore"));
        }
    });
    connect(m_whatIf, &QPushButton::clicked, this, [this]() {
        if (const Advice *a = selectedAdvice())
            Q_EMIT showChange(a->changes);
    });
    showSelected();
}

void AdvicePane::setResult(const AdviceResult &result)
{
    const int previous = m_view->currentIndex().row();
    m_updating = true; // a new result is no user choice: the window keeps its selection
    m_model->setResult(result);
    QStringList notes;
    for (const AdviceNote &n : result.notes)
        notes.append(n.line > 0 ? tr("Line %1: %2").arg(n.line).arg(n.detail) : n.detail);
    m_notes->setText(notes.isEmpty() ? QString() : tr("Not advised:\n%1").arg(notes.join(QLatin1Char('\n'))));
    m_notes->setVisible(!notes.isEmpty());
    if (m_model->rowCount() > 0)
        selectRow(std::clamp(previous, 0, m_model->rowCount() - 1));
    showSelected();
    m_updating = false;
}

void AdvicePane::selectRow(int row)
{
    m_view->setCurrentIndex(m_model->index(row, 0));
    m_view->selectRow(row);
}

const Advice *AdvicePane::selectedAdvice() const
{
    return m_model->adviceAt(m_view->currentIndex().row());
}

QString AdvicePane::diffText() const
{
    return m_diff->toPlainText();
}

QString AdvicePane::detailText() const
{
    return m_detail->text();
}

void AdvicePane::showSelected()
{
    const Advice *a = selectedAdvice();
    m_copy->setEnabled(a && !a->patch.isEmpty());
    m_savePatch->setEnabled(a && !a->patch.isEmpty());
    m_saveFile->setEnabled(a && (!a->dockerfileAfter.isEmpty() || !a->ignoreAfter.isEmpty()));
    m_whatIf->setEnabled(a && !a->whatifArgs.isEmpty());
    if (!a) {
        m_detail->setText(m_model->rowCount() == 0
                ? tr("No advice: every rule either does not apply to this project or is already followed.")
                : tr("Select an advice"));
        m_diff->clear();
        return;
    }
    QStringList lines;
    lines << a->title << QString() << a->detail;
    if (!a->whatifArgs.isEmpty()) {
        lines << QString()
              << tr("On %1: today %n step(s) re-run (%2),", nullptr, a->stepsNow)
                     .arg(a->change, figure(a->secondsNow, a->untimedNow))
                + QLatin1Char(' ')
                + tr("after the rewrite %n (%1).", nullptr, a->stepsAfter)
                      .arg(figure(a->secondsAfter, a->untimedAfter));
        if (!a->stepsSaved.isEmpty())
            lines << tr("No longer re-run: %1").arg(a->stepsSaved.join(QStringLiteral("; ")));
    }
    for (const QString &e : a->evidence)
        lines << tr("Evidence: %1").arg(e);
    m_detail->setText(lines.join(QLatin1Char('\n')));
    m_diff->setPlainText(a->patch);
    if (!m_updating)
        Q_EMIT adviceSelected(a->line);
}

void AdvicePane::saveAs(const QByteArray &text, const QString &suggestedName, const QString &title)
{
    const QString path = QFileDialog::getSaveFileName(this, title, suggestedName);
    if (path.isEmpty())
        return;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text) != text.size())
        QMessageBox::warning(this, title, tr("Cannot write %1: %2").arg(path, file.errorString()));
}

} // namespace Stagelens
