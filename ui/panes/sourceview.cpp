#include "sourceview.h"

#include "ui/theme.h"

#include <QFontDatabase>
#include <QMouseEvent>
#include <QPainter>
#include <QTextBlock>

#include <algorithm>

namespace Stagelens {

class SourceView::Gutter : public QWidget
{
public:
    explicit Gutter(SourceView *view)
        : QWidget(view)
        , m_view(view)
    { }
    QSize sizeHint() const override { return {m_view->gutterWidth(), 0}; }

protected:
    void paintEvent(QPaintEvent *event) override { m_view->paintGutter(event); }
    void mousePressEvent(QMouseEvent *event) override
    {
        const int line = lineAt(event);
        if (line != m_view->m_noteLine)
            Q_EMIT m_view->lineClicked(line);
    }
    void mouseDoubleClickEvent(QMouseEvent *event) override
    {
        const int line = lineAt(event);
        if (line != m_view->m_noteLine)
            Q_EMIT m_view->lineToggled(line);
    }

private:
    int lineAt(QMouseEvent *event) const
    {
        return m_view->cursorForPosition(QPoint(0, int(event->position().y()))).blockNumber() + 1;
    }

    SourceView *m_view;
};

SourceView::SourceView(QWidget *parent)
    : QPlainTextEdit(parent)
    , m_gutter(new Gutter(this))
{
    setReadOnly(true);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    connect(this, &QPlainTextEdit::blockCountChanged, this, &SourceView::updateGutterGeometry);
    connect(this, &QPlainTextEdit::updateRequest, this, [this](const QRect &rect, int dy) {
        if (dy)
            m_gutter->scroll(0, dy);
        else
            m_gutter->update(0, rect.y(), m_gutter->width(), rect.height());
    });
    updateGutterGeometry();
}

void SourceView::setSource(const QString &text)
{
    // Plain text only: a Dockerfile is never interpreted as markup. A file this long is no Dockerfile (the
    // session reads up to 64 MiB of one): its first lines are shown and the rest is said to be left out, as
    // a block per line of several MiB held the GUI thread for over half a second.
    if (text.size() > MaxShownCharacters) {
        // Cut at the last line end in the first MiB; a first line longer than that is cut where it is.
        const qsizetype lineEnd = text.lastIndexOf(QLatin1Char('\n'), MaxShownCharacters - 1);
        const bool lineCut = lineEnd <= 0;
        const qsizetype shown = lineCut ? MaxShownCharacters : lineEnd;
        // The lines after the one cut or the last one shown; the file's last line may end without a newline.
        const qsizetype next = text.indexOf(QLatin1Char('\n'), shown);
        const QStringView rest = next < 0 ? QStringView() : QStringView(text).sliced(next + 1);
        const qsizetype left =
            rest.count(QLatin1Char('\n')) + (rest.isEmpty() || rest.endsWith(QLatin1Char('\n')) ? 0 : 1);
        const QString lines = left == 1 ? tr("1 more line") : tr("%1 more lines").arg(left);
        setPlainText(text.left(shown) + QLatin1Char('\n')
            + (lineCut ? tr("[the line above is cut; %1 of this file not shown]").arg(lines)
                       : tr("[%1 of this file not shown]").arg(lines)));
        // The note is no line of the file: no number, no click.
        m_noteLine = blockCount();
    } else {
        setPlainText(text);
        m_noteLine = 0;
    }
    m_firstHighlight = m_lastHighlight = 0;
    setExtraSelections({});
}

void SourceView::setEditedLines(const QSet<int> &lines)
{
    m_editedLines = lines;
    m_gutter->update();
}

void SourceView::setAdviceLines(const QSet<int> &lines)
{
    m_adviceLines = lines;
    updateGutterGeometry();
    m_gutter->update();
}

void SourceView::setLineInfo(const QHash<int, LineInfo> &info)
{
    m_lineInfo = info;
    updateGutterGeometry();
    m_gutter->update();
}

static int adviceColumn(const QFontMetrics &fm)
{
    return fm.height() / 2 + 4;
}

int SourceView::gutterWidth() const
{
    const QFontMetrics fm(font());
    const int digitWidth = fm.horizontalAdvance(QLatin1Char('9'));
    // A column for the advice dots only when there is advice.
    const int numbers = digitWidth * QString::number(qMax(1, blockCount())).size()
        + (m_adviceLines.isEmpty() ? 0 : adviceColumn(fm));
    // Room for times only when there are times: an empty timing column took ~100 px from the code.
    if (m_lineInfo.isEmpty())
        return numbers + 6 + 6; // the numbers, a gap, the edited-line bar
    int text = 0;
    for (const LineInfo &info : m_lineInfo)
        text = std::max(text, fm.horizontalAdvance(info.marker + QLatin1Char(' ') + info.seconds));
    // line number, a heat bar, the seconds column and a marker, then the edited-line bar
    return numbers + 6 + digitWidth + 4 + text + 8;
}

void SourceView::updateGutterGeometry()
{
    setViewportMargins(gutterWidth(), 0, 0, 0);
    const QRect cr = contentsRect();
    m_gutter->setGeometry(QRect(cr.left(), cr.top(), gutterWidth(), cr.height()));
}

void SourceView::resizeEvent(QResizeEvent *event)
{
    QPlainTextEdit::resizeEvent(event);
    updateGutterGeometry();
}

void SourceView::changeEvent(QEvent *event)
{
    QPlainTextEdit::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange) {
        updateGutterGeometry();
        if (m_firstHighlight > 0)
            highlightLines(m_firstHighlight, m_lastHighlight);
    }
}

void SourceView::highlightLines(int first, int last)
{
    m_firstHighlight = first;
    m_lastHighlight = last;
    QList<QTextEdit::ExtraSelection> selections;
    QColor colour = palette().color(QPalette::Highlight);
    colour.setAlpha(isDarkPalette(palette()) ? 90 : 60);
    QTextBlock block = document()->findBlockByNumber(first - 1);
    // Lines past a "not shown" note are not in the view: the note is not them.
    if (m_noteLine > 0)
        last = std::min(last, m_noteLine - 1);
    for (int line = first; line <= last && block.isValid(); ++line, block = block.next()) {
        QTextEdit::ExtraSelection selection;
        selection.format.setBackground(colour);
        selection.format.setProperty(QTextFormat::FullWidthSelection, true);
        selection.cursor = QTextCursor(block);
        selections.append(selection);
    }
    setExtraSelections(selections);
    const QTextBlock target = document()->findBlockByNumber(first - 1);
    if (target.isValid() && (m_noteLine == 0 || first < m_noteLine)) {
        QTextCursor cursor(target);
        setTextCursor(cursor);
        centerCursor();
    }
}

void SourceView::paintGutter(QPaintEvent *event)
{
    QPainter painter(m_gutter);
    const QPalette pal = palette();
    painter.fillRect(event->rect(), pal.color(QPalette::AlternateBase));
    const QFontMetrics fm(font());
    const int digitWidth = fm.horizontalAdvance(QLatin1Char('9'));
    const int adviceWidth = m_adviceLines.isEmpty() ? 0 : adviceColumn(fm);
    const int numberWidth = digitWidth * QString::number(qMax(1, blockCount())).size() + adviceWidth;
    const int heatX = numberWidth + 6;
    const int heatWidth = digitWidth;
    const int secondsX = heatX + heatWidth + 4;

    QTextBlock block = firstVisibleBlock();
    int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
    while (block.isValid() && top <= event->rect().bottom()) {
        const int height = qRound(blockBoundingRect(block).height());
        const int line = block.blockNumber() + 1;
        if (block.isVisible() && top + height >= event->rect().top() && line != m_noteLine) {
            const bool highlighted = line >= m_firstHighlight && line <= m_lastHighlight;
            if (m_editedLines.contains(line)) {
                // An edited line (what-if): a bold bar along the gutter's edge plus a pencil-like mark.
                painter.fillRect(m_gutter->width() - 4, top, 4, height, pal.color(QPalette::Highlight));
            }
            if (m_adviceLines.contains(line)) {
                // Advice about this line: a dot in the link colour (the Advice tab has the details).
                const int d = fm.height() / 2;
                painter.save();
                painter.setRenderHint(QPainter::Antialiasing);
                painter.setPen(Qt::NoPen);
                painter.setBrush(pal.color(QPalette::Link));
                painter.drawEllipse(QRect(2, top + (height - d) / 2, d, d));
                painter.restore();
            }
            painter.setPen(pal.color(highlighted ? QPalette::Text : QPalette::PlaceholderText));
            painter.drawText(
                0, top, numberWidth, height, Qt::AlignRight | Qt::AlignVCenter, QString::number(line));
            const auto it = m_lineInfo.constFind(line);
            if (it != m_lineInfo.constEnd()) {
                if (it->heat >= 0) {
                    // Same yellow-to-red ramp as the graph's heat scale.
                    const QColor heat =
                        QColor::fromHsvF(0.16 * (1.0 - qBound(0.0, it->heat, 1.0)), 0.85, 0.95);
                    painter.fillRect(heatX, top + 1, heatWidth, height - 2, heat);
                }
                painter.setPen(pal.color(QPalette::Text));
                painter.drawText(secondsX, top, m_gutter->width() - secondsX - 4, height,
                    Qt::AlignRight | Qt::AlignVCenter, it->marker + QLatin1Char(' ') + it->seconds);
            }
        }
        block = block.next();
        top += height;
    }
}

} // namespace Stagelens
