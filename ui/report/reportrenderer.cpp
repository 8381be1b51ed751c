#include "reportrenderer.h"

#include "model/core/duration.h"
#include "model/report/markdownreport.h"
#include "ui/report/dagsnapshot.h"
#include "ui/style/palette.h"
#include "ui/viewadapters.h"

#include <QBuffer>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFontMetricsF>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <QTextLayout>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

namespace Stagelens {

namespace {

// Painter units are PostScript points everywhere: the PDF writer runs at 72 dpi and fonts use pixel
// sizes, so one layout pass serves the PDF, the SVG and the 2x PNG alike.
constexpr int PdfDpi = 72;
constexpr qreal PageMargin = 36;
constexpr qreal FooterHeight = 18;
constexpr qreal ImageContentWidth = 760;
constexpr qreal ImageMargin = 24;
constexpr int LabelLines = 3; ///< a step label wraps to at most this many lines in tables
/// Hostile logs can hold thousands of steps: tables and the timeline stop here (and say how many more).
constexpr int PaintedRowLimit = 400;
/// A PNG taller than this (logical points) falls back to 1x, keeping the image under ~100 MB.
constexpr qreal ImageHeightForFullRatio = 12000;
constexpr qreal ImageHeightLimit = 30000;
/// The DAG is drawn inline at this scale or more; below it, on landscape pages of its own.
constexpr qreal DagInlineScale = 0.8;
/// Below this scale the DAG's 9 px labels would print under 4.5 pt: it is split across pages instead.
constexpr qreal DagMinimumScale = 0.5;
constexpr int DagMaxPages = 12;

const QColor Ink(0x1f, 0x23, 0x28);
const QColor Muted(0x5c, 0x63, 0x6e);
const QColor RuleColor(0xc8, 0xcd, 0xd3);
const QColor Stripe(0xf2, 0xf4, 0xf6);
const QColor CardFill(0xf5, 0xf7, 0xfa);
const QColor CriticalColor(0xc0, 0x1c, 0x28);

QColor stageColor(int index)
{
    return index < 0 ? QColor(0x9a, 0xa0, 0xa6) : ViewPalette::stageColor(index, ViewPalette::printPalette());
}

QColor categoryColor(VertexCategory category)
{
    switch (category) {
    case VertexCategory::Context:
        return QColor(0x76, 0xb7, 0xb2);
    case VertexCategory::Metadata:
        return QColor(0x4e, 0x79, 0xa7);
    case VertexCategory::Run:
        return QColor(0xf2, 0x8e, 0x2b);
    case VertexCategory::Copy:
        return QColor(0x59, 0xa1, 0x4f);
    case VertexCategory::Export:
        return QColor(0xb0, 0x7a, 0xa1);
    case VertexCategory::Other:
        break;
    }
    return QColor(0xba, 0xb0, 0xac);
}

// Reports use the views' palette in its print variant: the same colour means the same thing everywhere.
QColor statusColor(StepState status)
{
    return ViewPalette::stateColor(status, ViewPalette::printPalette());
}

QColor verdictColor(Verdict verdict)
{
    return ViewPalette::verdictColor(verdict == Verdict::Rerun ? WhatIfVerdict::Rerun
            : verdict == Verdict::Maybe                        ? WhatIfVerdict::Maybe
                                                               : WhatIfVerdict::Cached,
        ViewPalette::printPalette());
}

QFont makeFont(int pixelSize, bool bold = false)
{
    QFont font(QStringLiteral("DejaVu Sans"));
    font.setStyleHint(QFont::SansSerif);
    // Unhinted metrics: the PDF and SVG are scaled by their viewers, and must match our measurements.
    font.setHintingPreference(QFont::PreferNoHinting);
    // No ligatures in Latin text, so "fi" in a PDF stays two letters that search and copy find.
    font.setStyleStrategy(QFont::PreferNoShaping);
    font.setPixelSize(pixelSize);
    font.setBold(bold);
    return font;
}

QString optionalSeconds(const std::optional<double> &seconds)
{
    return seconds ? formatDuration(*seconds) : QStringLiteral("–");
}

QString lineText(int line)
{
    return line > 0 ? QString::number(line) : QStringLiteral("–");
}

struct Column
{
    QString title;
    qreal fraction = 0.1;
    Qt::Alignment align = Qt::AlignLeft;
    bool wrap = false;
};

struct TableRow
{
    QStringList cells;
    QColor mark; ///< drawn as a swatch before the text of `markColumn`
    int markColumn = -1;
    bool muted = false;
    bool bold = false;
};

// "Nice" tick spacing (1, 2, 5 x 10^n) giving about `wanted` intervals over `span`.
double tickStep(double span, int wanted)
{
    if (span <= 0 || !std::isfinite(span))
        return 1;
    const double raw = span / std::max(1, wanted);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double factor : {1.0, 2.0, 5.0, 10.0}) {
        if (raw <= factor * magnitude)
            return factor * magnitude;
    }
    return 10 * magnitude;
}

/// Lays out and paints the report into one painter. Paged (PDF) when a writer is given, else one tall
/// page whose height is the final y.
class ReportPainter
{
public:
    ReportPainter(const ReportData &data, const DagSnapshot *dag, QPainter *painter, QPdfWriter *pdf,
        qreal imageWidth, int totalPages)
        : m_data(data)
        , m_dag(dag)
        , m_painter(painter)
        , m_pdf(pdf)
        , m_totalPages(totalPages)
        , m_title(makeFont(18, true))
        , m_heading(makeFont(12, true))
        , m_text(makeFont(9))
        , m_textBold(makeFont(9, true))
        , m_table(makeFont(8))
        , m_tableBold(makeFont(8, true))
        , m_small(makeFont(7))
        , m_figure(makeFont(15, true))
    {
        if (m_pdf) {
            pageGeometry();
        } else {
            m_left = ImageMargin;
            m_top = ImageMargin;
            m_width = imageWidth;
            m_bottom = std::numeric_limits<qreal>::max();
        }
        m_y = m_top;
    }

    void paint()
    {
        titleBlock();
        if (m_data.hasBuild) {
            headline();
            categories();
        }
        if (m_data.whatIf)
            whatIf();
        if (!m_data.comparison.isEmpty())
            comparison();
        if (m_data.whyChanged)
            whyChanged();
        if (m_data.adviceAsked)
            advice();
        timeline();
        dag();
        stages();
        misses();
        allSteps();
        diagnostics();
        if (m_deferDag)
            dagPages();
        finishPage();
    }

    qreal bottom() const { return m_y; }
    int pages() const { return m_page; }
    /// First page of the deferred DAG, 0 when drawn inline; the next pass prints it as a reference.
    int dagPage() const { return m_dagPage; }
    void setDagPageHint(int page) { m_dagPageHint = page; }

private:
    QFontMetricsF metrics(const QFont &font) const { return QFontMetricsF(font, m_painter->device()); }
    qreal lineHeight(const QFont &font) const { return std::ceil(metrics(font).height() * 1.15); }

    void pageGeometry()
    {
        const QRectF page = m_pdf->pageLayout().fullRectPoints();
        m_pageSize = page.size();
        m_left = PageMargin;
        m_top = PageMargin;
        m_width = page.width() - 2 * PageMargin;
        m_bottom = page.height() - PageMargin - FooterHeight;
    }

    // Starts a new page when `height` does not fit below the cursor (and would fit on a fresh page).
    bool ensureSpace(qreal height)
    {
        if (!m_pdf || m_y + height <= m_bottom || m_y <= m_top + 0.5)
            return false;
        newPage();
        return true;
    }

    void newPage(QPageLayout::Orientation orientation = QPageLayout::Portrait)
    {
        finishPage();
        if (m_pdf->pageLayout().orientation() != orientation)
            m_pdf->setPageOrientation(orientation);
        m_pdf->newPage();
        ++m_page;
        pageGeometry();
        m_y = m_top;
    }

    void finishPage()
    {
        if (!m_pdf)
            return;
        m_painter->setFont(m_small);
        m_painter->setPen(Muted);
        const QRectF footer(m_left, m_pageSize.height() - PageMargin, m_width, FooterHeight);
        m_painter->drawText(footer, Qt::AlignLeft | Qt::AlignVCenter,
            metrics(m_small).elidedText(m_data.title, Qt::ElideRight, m_width * 0.7));
        m_painter->drawText(footer, Qt::AlignRight | Qt::AlignVCenter,
            QStringLiteral("Page %1 of %2").arg(m_page).arg(std::max(m_page, m_totalPages)));
    }

    // Word wrap that also breaks inside long words (shell commands, digests), at most `maxLines` lines;
    // the last kept line is elided when text remains.
    QStringList wrap(const QString &text, const QFont &font, qreal width, int maxLines) const
    {
        QStringList lines;
        if (text.isEmpty() || width <= 1)
            return {text};
        QTextLayout layout(text, font, m_painter->device());
        QTextOption option;
        option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
        layout.setTextOption(option);
        layout.beginLayout();
        int consumed = 0;
        int lastStart = 0;
        while (lines.size() < maxLines) {
            QTextLine line = layout.createLine();
            if (!line.isValid())
                break;
            line.setLineWidth(width);
            lines.append(text.mid(line.textStart(), line.textLength()).trimmed());
            lastStart = line.textStart();
            consumed = line.textStart() + line.textLength();
        }
        layout.endLayout();
        if (consumed < text.size() && !lines.isEmpty())
            lines.last() = metrics(font).elidedText(text.mid(lastStart).trimmed(), Qt::ElideRight, width);
        return lines;
    }

    void paragraph(const QString &text, const QFont &font, const QColor &color, int maxLines = 40)
    {
        const qreal lh = lineHeight(font);
        const QFontMetricsF fm = metrics(font);
        for (const QString &line : wrap(text, font, m_width, maxLines)) {
            ensureSpace(lh);
            m_painter->setFont(font);
            m_painter->setPen(color);
            m_painter->drawText(QPointF(m_left, m_y + fm.ascent()), line);
            m_y += lh;
        }
    }

    // A section title; kept together with at least `keep` points of what follows.
    void heading(const QString &text, qreal keep = 60)
    {
        const qreal lh = lineHeight(m_heading);
        m_y += 10;
        ensureSpace(lh + 6 + keep);
        m_painter->setFont(m_heading);
        m_painter->setPen(Ink);
        m_painter->drawText(QPointF(m_left, m_y + metrics(m_heading).ascent()), text);
        m_y += lh + 1;
        m_painter->setPen(QPen(RuleColor, 0.8));
        m_painter->drawLine(QPointF(m_left, m_y), QPointF(m_left + m_width, m_y));
        m_y += 5;
    }

    void keyValue(const QString &key, const QString &value)
    {
        const qreal keyWidth = 70;
        const qreal lh = lineHeight(m_text);
        const QStringList lines = wrap(value, m_text, m_width - keyWidth, 4);
        ensureSpace(lh * lines.size());
        const qreal ascent = metrics(m_text).ascent();
        m_painter->setFont(m_textBold);
        m_painter->setPen(Muted);
        m_painter->drawText(QPointF(m_left, m_y + ascent), key);
        m_painter->setFont(m_text);
        m_painter->setPen(Ink);
        for (const QString &line : lines) {
            m_painter->drawText(QPointF(m_left + keyWidth, m_y + ascent), line);
            m_y += lh;
        }
    }

    void titleBlock()
    {
        const qreal lh = lineHeight(m_title);
        m_painter->setFont(m_title);
        m_painter->setPen(Ink);
        for (const QString &line : wrap(m_data.title, m_title, m_width, 2)) {
            m_painter->drawText(QPointF(m_left, m_y + metrics(m_title).ascent()), line);
            m_y += lh;
        }
        m_y += 4;
        keyValue(QStringLiteral("Project"), m_data.project.isEmpty() ? QStringLiteral("–") : m_data.project);
        keyValue(QStringLiteral("Dockerfile"), reportDockerfileText(m_data));
        keyValue(QStringLiteral("Target"), m_data.target.isEmpty() ? QStringLiteral("–") : m_data.target);
        if (m_data.hasBuild) {
            QString build = QFileInfo(m_data.logFile).fileName();
            if (m_data.buildIndex > 0)
                build += QStringLiteral(" (build %1 in the log)").arg(m_data.buildIndex + 1);
            build += m_data.buildStart
                ? QStringLiteral(", started %1 UTC")
                      .arg(m_data.buildStart->toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")))
                : QStringLiteral(", start time not recorded in the log");
            keyValue(QStringLiteral("Build"), build);
        } else {
            keyValue(QStringLiteral("Build"),
                QStringLiteral("no build log given: steps are listed without times"));
        }
        keyValue(QStringLiteral("Generated"),
            m_data.generated.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm"))
                + QStringLiteral(" UTC by Stagelens"));
        if (m_data.hasBuild && !m_data.buildError.isEmpty()) {
            m_y += 6;
            const QStringList lines =
                wrap(QStringLiteral("Build failed: ") + m_data.buildError, m_textBold, m_width - 12, 4);
            const qreal lh2 = lineHeight(m_textBold);
            const qreal boxHeight = lines.size() * lh2 + 8;
            ensureSpace(boxHeight);
            m_painter->setPen(QPen(CriticalColor, 1));
            m_painter->setBrush(QColor(0xfd, 0xec, 0xec));
            m_painter->drawRect(QRectF(m_left, m_y, m_width, boxHeight));
            m_painter->setBrush(Qt::NoBrush);
            m_painter->setFont(m_textBold);
            qreal y = m_y + 4;
            for (const QString &line : lines) {
                m_painter->drawText(QPointF(m_left + 6, y + metrics(m_textBold).ascent()), line);
                y += lh2;
            }
            m_y += boxHeight;
            errorContext();
        }
    }

    // BuildKit's excerpt of the failing instruction, line for line in a fixed-width font (its "|" column
    // lines up), under the error box; a very long one keeps its first lines and says how many were left.
    void errorContext()
    {
        if (m_data.buildErrorContext.isEmpty())
            return;
        QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
        if (m_small.pointSizeF() > 0)
            mono.setPointSizeF(m_small.pointSizeF());
        else
            mono.setPixelSize(m_small.pixelSize());
        QStringList lines = m_data.buildErrorContext.split(QLatin1Char('\n'));
        constexpr int MaxLines = 40;
        if (lines.size() > MaxLines) {
            const int left = int(lines.size()) - MaxLines;
            lines = lines.mid(0, MaxLines);
            lines.append(QStringLiteral("(%1 more lines)").arg(left));
        }
        const qreal lh = lineHeight(mono);
        m_y += 2;
        for (const QString &line : std::as_const(lines)) {
            ensureSpace(lh);
            m_painter->setFont(mono);
            m_painter->setPen(Qt::black);
            m_painter->drawText(QPointF(m_left + 6, m_y + metrics(mono).ascent()),
                metrics(mono).elidedText(line, Qt::ElideRight, m_width - 12));
            m_y += lh;
        }
    }

    void headline()
    {
        const ReportHeadline &h = m_data.headline;
        heading(QStringLiteral("Headline figures"));
        struct Card
        {
            QString value;
            QString caption;
        };
        const QString estimated = h.estimatedTimes ? QStringLiteral(" (estimated)") : QString();
        const QList<Card> cards {
            {formatDuration(h.wallSeconds), QStringLiteral("wall time")},
            {formatDuration(h.summedSeconds), QStringLiteral("summed step time")},
            {formatDuration(h.criticalSeconds), QStringLiteral("critical path") + estimated},
            {formatReportShare(h.cacheHitRatio),
                QStringLiteral("cache hits (%1 of %2 steps)")
                    .arg(h.cachedSteps)
                    .arg(h.cachedSteps + h.ranSteps)},
        };
        const qreal gap = 8;
        const qreal cardWidth = (m_width - gap * (cards.size() - 1)) / cards.size();
        const qreal cardHeight = lineHeight(m_figure) + lineHeight(m_small) + 10;
        ensureSpace(cardHeight);
        for (int i = 0; i < cards.size(); ++i) {
            const QRectF card(m_left + i * (cardWidth + gap), m_y, cardWidth, cardHeight);
            m_painter->setPen(Qt::NoPen);
            m_painter->setBrush(CardFill);
            m_painter->drawRect(card);
            m_painter->setBrush(Qt::NoBrush);
            m_painter->setPen(Ink);
            m_painter->setFont(m_figure);
            m_painter->drawText(
                QPointF(card.left() + 6, card.top() + 4 + metrics(m_figure).ascent()), cards.at(i).value);
            m_painter->setFont(m_small);
            m_painter->setPen(Muted);
            m_painter->drawText(
                QPointF(card.left() + 6, card.top() + 4 + lineHeight(m_figure) + metrics(m_small).ascent()),
                metrics(m_small).elidedText(cards.at(i).caption, Qt::ElideRight, cardWidth - 10));
        }
        m_y += cardHeight + 6;
        QString counts =
            QStringLiteral("%1 Dockerfile steps: %2 ran, %3 cached, %4 failed; %5 of BuildKit's own")
                .arg(h.steps)
                .arg(h.ranSteps)
                .arg(h.cachedSteps)
                .arg(h.failedSteps)
                .arg(h.internalSteps);
        if (!h.failedStep.isEmpty())
            counts += QStringLiteral(". Failed at %1").arg(h.failedStep);
        paragraph(counts + QLatin1Char('.'), m_text, Ink);
    }

    void categories()
    {
        if (m_data.categories.isEmpty())
            return;
        double total = 0;
        for (const ReportCategory &c : m_data.categories)
            total += c.seconds;
        const qreal barHeight = 12;
        const qreal lh = lineHeight(m_table);
        m_y += 6;
        ensureSpace(lineHeight(m_textBold) + barHeight + 2 * lh + 6);
        m_painter->setFont(m_textBold);
        m_painter->setPen(Ink);
        m_painter->drawText(
            QPointF(m_left, m_y + metrics(m_textBold).ascent()), QStringLiteral("Time per category"));
        m_y += lineHeight(m_textBold);
        qreal x = m_left;
        m_painter->setPen(Qt::NoPen);
        if (total > 0) {
            for (const ReportCategory &c : m_data.categories) {
                const qreal w = m_width * c.seconds / total;
                m_painter->setBrush(categoryColor(c.category));
                m_painter->drawRect(QRectF(x, m_y, w, barHeight));
                x += w;
            }
        } else {
            m_painter->setBrush(Stripe);
            m_painter->drawRect(QRectF(m_left, m_y, m_width, barHeight));
        }
        m_painter->setBrush(Qt::NoBrush);
        m_y += barHeight + 4;
        // Legend: swatch, name, seconds and share, flowing onto as many lines as needed.
        x = m_left;
        const QFontMetricsF fm = metrics(m_table);
        for (const ReportCategory &c : m_data.categories) {
            const bool unknown = c.untimed > 0 && c.seconds <= 0;
            const QString text = unknown
                ? QStringLiteral("%1 %2").arg(c.name, c.text())
                : QStringLiteral("%1 %2 (%3)")
                      .arg(c.name, c.text(), formatReportShare(total > 0 ? c.seconds / total : 0));
            const qreal w = 10 + fm.horizontalAdvance(text) + 14;
            if (x + w > m_left + m_width && x > m_left) {
                x = m_left;
                m_y += lh;
            }
            m_painter->setPen(Qt::NoPen);
            m_painter->setBrush(categoryColor(c.category));
            m_painter->drawRect(QRectF(x, m_y + (lh - 7) / 2, 7, 7));
            m_painter->setBrush(Qt::NoBrush);
            m_painter->setPen(Ink);
            m_painter->setFont(m_table);
            m_painter->drawText(QPointF(x + 10, m_y + fm.ascent()), text);
            x += w;
        }
        m_y += lh;
    }

    void whatIf()
    {
        const ReportWhatIf &w = *m_data.whatIf;
        heading(QStringLiteral("What-if prediction"));
        int rerun = 0;
        int maybe = 0;
        for (const ReportWhatIfStep &step : w.steps) {
            rerun += step.verdict == Verdict::Rerun;
            maybe += step.verdict == Verdict::Maybe;
        }
        paragraph(
            QStringLiteral("Changed: %1")
                .arg(w.changes.isEmpty() ? QStringLiteral("nothing") : w.changes.join(QLatin1String(", "))),
            m_text, Ink, 4);
        paragraph(QStringLiteral("%1 steps re-run (%2), %3 may re-run (%4), %5 stay cached.")
                      .arg(rerun)
                      .arg(optionalSeconds(w.rerunSeconds))
                      .arg(maybe)
                      .arg(optionalSeconds(w.maybeSeconds))
                      .arg(w.steps.size() - rerun - maybe),
            m_textBold, Ink);
        QList<TableRow> rows;
        for (const ReportWhatIfStep &step : w.steps) {
            if (step.verdict == Verdict::Cached)
                continue;
            rows.append({{step.label.simplified(), lineText(step.line), verdictName(step.verdict),
                             optionalSeconds(step.seconds), step.reason},
                verdictColor(step.verdict), 2});
        }
        if (!rows.isEmpty()) {
            m_y += 4;
            table({{QStringLiteral("Step"), 0.42, Qt::AlignLeft, true},
                      {QStringLiteral("Line"), 0.06, Qt::AlignRight}, {QStringLiteral("Verdict"), 0.1},
                      {QStringLiteral("Time"), 0.1, Qt::AlignRight},
                      {QStringLiteral("Reason"), 0.32, Qt::AlignLeft, true}},
                rows);
        }
    }

    void comparison()
    {
        heading(QStringLiteral("Builds compared"));
        QList<TableRow> rows;
        for (const ReportBuildRow &b : m_data.comparison) {
            TableRow row;
            row.cells = {QString::number(b.number), b.name(), formatDuration(b.wallSeconds), b.deltaText(),
                QString::number(b.steps), QString::number(b.ranSteps), QString::number(b.cachedSteps),
                QString::number(b.failedSteps), formatReportShare(b.cacheHitRate)};
            row.bold = b.selected;
            rows.append(row);
        }
        table(
            {{QStringLiteral("#"), 0.04, Qt::AlignRight}, {QStringLiteral("Build"), 0.3, Qt::AlignLeft, true},
                {QStringLiteral("Wall time"), 0.1, Qt::AlignRight},
                {QStringLiteral("Change"), 0.13, Qt::AlignRight},
                {QStringLiteral("Steps"), 0.07, Qt::AlignRight},
                {QStringLiteral("Ran"), 0.07, Qt::AlignRight},
                {QStringLiteral("Cached"), 0.08, Qt::AlignRight},
                {QStringLiteral("Failed"), 0.08, Qt::AlignRight},
                {QStringLiteral("Hits"), 0.08, Qt::AlignRight}},
            rows);
        paragraph(QStringLiteral("Steps are Dockerfile steps. Change: wall time against the build above. The "
                                 "build in bold is the one this report details."),
            m_small, Muted);
    }

    // The causes of the detailed build's misses against the build before it, ranked by what they cost.
    void whyChanged()
    {
        const CompareResult &r = *m_data.whyChanged;
        heading(QStringLiteral("Why it changed"));
        QString intro = QStringLiteral("%1 against %2").arg(m_data.whyAfter, m_data.whyBefore);
        if (r.deltaSeconds)
            intro += QStringLiteral(": %1%2 wall time")
                         .arg(*r.deltaSeconds >= 0 ? QStringLiteral("+") : QStringLiteral("−"),
                             formatDuration(std::abs(*r.deltaSeconds)));
        paragraph(intro + QLatin1Char('.'), m_text, Ink);
        if (r.causes.isEmpty()) {
            paragraph(QStringLiteral("No step missed the cache."), m_text, Muted);
            return;
        }
        QList<TableRow> rows;
        for (const CauseSummary &c : r.causes) {
            TableRow row;
            row.cells = {causeKindName(c.cause.kind), c.cause.detail, QString::number(c.steps.size()),
                formatDuration(c.seconds)};
            rows.append(row);
        }
        table({{QStringLiteral("Cause"), 0.16, Qt::AlignLeft},
                  {QStringLiteral("Detail"), 0.6, Qt::AlignLeft, true},
                  {QStringLiteral("Steps"), 0.1, Qt::AlignRight},
                  {QStringLiteral("Time"), 0.14, Qt::AlignRight}},
            rows);
        paragraph(
            QStringLiteral("Each cause counts the first step of a chain that missed the cache and every step "
                           "that re-ran after it."),
            m_small, Muted);
    }

    // The cache advice, ranked, then each rewrite as a small diff (at most 24 lines each).
    void advice()
    {
        heading(QStringLiteral("Advice"));
        if (m_data.advice.isEmpty()) {
            paragraph(
                QStringLiteral("No cache advice: every rule either does not apply or is already followed."),
                m_text, Muted);
            return;
        }
        QList<TableRow> rows;
        for (const Advice &a : m_data.advice) {
            TableRow row;
            QString saves = savesText(a);
            if (!a.whatifArgs.isEmpty())
                saves += QStringLiteral(" (%1 → %2 steps)").arg(a.stepsNow).arg(a.stepsAfter);
            row.cells = {saves, QString::number(a.line), a.title, a.change};
            rows.append(row);
        }
        table(
            {{QStringLiteral("Saves"), 0.16, Qt::AlignRight}, {QStringLiteral("Line"), 0.07, Qt::AlignRight},
                {QStringLiteral("Finding"), 0.47, Qt::AlignLeft, true},
                {QStringLiteral("Measured on"), 0.30, Qt::AlignLeft, true}},
            rows);
        paragraph(
            QStringLiteral("Each saving is the what-if engine's answer on the Dockerfile as it is and as "
                           "rewritten, with this build's step times; apply a patch with patch -p0 from "
                           "the context folder."),
            m_small, Muted);
        QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
        if (m_small.pointSizeF() > 0)
            mono.setPointSizeF(m_small.pointSizeF());
        else
            mono.setPixelSize(m_small.pixelSize());
        const qreal lh = lineHeight(mono);
        for (const Advice &a : m_data.advice) {
            if (a.patch.isEmpty())
                continue;
            heading(QStringLiteral("Line %1: %2").arg(a.line).arg(a.title), 40);
            QStringList lines = a.patch.split(QLatin1Char('\n'));
            if (!lines.isEmpty() && lines.last().isEmpty())
                lines.removeLast();
            constexpr int MaxLines = 24;
            if (lines.size() > MaxLines) {
                const int left = int(lines.size()) - MaxLines;
                lines = lines.mid(0, MaxLines);
                lines.append(QStringLiteral("(%1 more lines)").arg(left));
            }
            for (const QString &line : std::as_const(lines)) {
                ensureSpace(lh);
                m_painter->setFont(mono);
                m_painter->setPen(line.startsWith(QLatin1Char('+')) && !line.startsWith(QLatin1String("+++"))
                        ? QColor(0x11, 0x63, 0x29)
                        : line.startsWith(QLatin1Char('-')) && !line.startsWith(QLatin1String("---"))
                        ? QColor(0xb3, 0x1d, 0x28)
                        : Ink);
                m_painter->drawText(QPointF(m_left + 6, m_y + metrics(mono).ascent()),
                    metrics(mono).elidedText(line, Qt::ElideRight, m_width - 12));
                m_y += lh;
            }
        }
    }

    void timeline()
    {
        if (!m_data.hasBuild)
            return;
        heading(QStringLiteral("Timeline"), 80);
        const QList<ReportStepRow> &rows = m_data.timeline;
        if (rows.isEmpty()) {
            paragraph(QStringLiteral("The log records no start and end times."), m_text, Muted);
            return;
        }
        double t0 = 0;
        double t1 = 0;
        for (const ReportStepRow &row : rows) {
            t0 = std::min(t0, *row.start);
            t1 = std::max(t1, *row.end);
        }
        const double span = std::max(t1 - t0, 0.001);
        const QFontMetricsF fm = metrics(m_small);
        const qreal rowHeight = std::ceil(fm.height() + 3);
        const qreal axisHeight = rowHeight + 2;
        const qreal labelWidth = std::round(m_width * 0.36);
        const qreal chartLeft = m_left + labelWidth + 6;
        const qreal chartWidth =
            m_width - labelWidth - 6 - fm.horizontalAdvance(QStringLiteral("00.0 s")) - 6;
        const double step = tickStep(span, std::max(2, int(chartWidth / 60)));
        auto xOf = [&](double t) {
            return chartLeft + chartWidth * (t - t0) / span;
        };

        const int count = std::min<int>(rows.size(), PaintedRowLimit);
        int i = 0;
        while (i < count) {
            ensureSpace(axisHeight + rowHeight * std::min(4, count - i));
            int fit = count - i;
            if (m_pdf)
                fit = std::clamp(int((m_bottom - m_y - axisHeight) / rowHeight), 1, count - i);
            const qreal chartTop = m_y + axisHeight;
            const qreal chartBottom = chartTop + fit * rowHeight;
            // Axis and grid for this chunk; each page gets its own so it reads on its own.
            m_painter->setFont(m_small);
            int ticks = 0;
            for (double t = std::ceil(t0 / step) * step; t <= t1 + step * 0.01 && ticks < 50;
                 t += step, ++ticks) {
                const qreal x = xOf(t);
                m_painter->setPen(QPen(RuleColor, 0.5));
                m_painter->drawLine(QPointF(x, chartTop), QPointF(x, chartBottom));
                m_painter->setPen(Muted);
                m_painter->drawText(QRectF(x - 30, m_y, 60, axisHeight), Qt::AlignCenter, formatDuration(t));
            }
            m_painter->drawText(QRectF(m_left, m_y, labelWidth, axisHeight), Qt::AlignLeft | Qt::AlignVCenter,
                QStringLiteral("step (coloured by stage)"));
            for (int r = 0; r < fit; ++r, ++i) {
                const ReportStepRow &row = rows.at(i);
                const qreal y = chartTop + r * rowHeight;
                if (r % 2 == 1) {
                    m_painter->setPen(Qt::NoPen);
                    m_painter->setBrush(Stripe);
                    m_painter->drawRect(QRectF(m_left, y, m_width, rowHeight));
                    m_painter->setBrush(Qt::NoBrush);
                }
                m_painter->setPen(Ink);
                m_painter->drawText(QRectF(m_left, y, labelWidth, rowHeight),
                    Qt::AlignLeft | Qt::AlignVCenter,
                    fm.elidedText(row.label.simplified(), Qt::ElideRight, labelWidth));
                const qreal x0 = xOf(*row.start);
                const qreal x1 = std::max(xOf(*row.end), x0 + 1.5);
                const QRectF bar(x0, y + 2, x1 - x0, rowHeight - 4);
                // A failed step is red whatever its stage: it is what the reader looks for first.
                const QColor color =
                    row.status == StepState::Error ? CriticalColor : stageColor(row.stageIndex);
                if (row.status == StepState::Cached) {
                    m_painter->setPen(QPen(color.darker(120), 0.8));
                    m_painter->setBrush(Qt::NoBrush);
                } else {
                    m_painter->setPen(row.critical ? QPen(CriticalColor, 1.2) : QPen(Qt::NoPen));
                    m_painter->setBrush(color);
                }
                m_painter->drawRect(bar);
                m_painter->setBrush(Qt::NoBrush);
                if (row.seconds && *row.seconds > 0) {
                    m_painter->setPen(row.critical ? CriticalColor : Muted);
                    m_painter->drawText(QRectF(x1 + 3, y, 60, rowHeight), Qt::AlignLeft | Qt::AlignVCenter,
                        formatDuration(*row.seconds));
                }
            }
            m_y = chartBottom + 2;
        }
        if (rows.size() > count)
            paragraph(QStringLiteral("… and %1 more steps (see the table).").arg(rows.size() - count),
                m_small, Muted);
        paragraph(
            QStringLiteral(
                "One bar per step from its start to its end%1; hollow bars are cached steps, red bars "
                "failed ones; red outlines and times mark the critical path.")
                .arg(m_data.headline.estimatedTimes ? QStringLiteral(" (times estimated from the log order)")
                                                    : QString()),
            m_small, Muted);
    }

    QString dagLegend() const
    {
        const QString collapsed = m_dag->isCollapsed()
            ? QStringLiteral("One node per stage (the file has too many steps to show each). ")
            : QString();
        return collapsed
            + (m_data.hasBuild
                    ? QStringLiteral("Steps are shaded by their time, the critical path is outlined; dimmed "
                                     "stages are not built for the target.")
                    : QStringLiteral("Dimmed stages are not built for the target."));
    }

    qreal dagFit(qreal width, qreal height) const
    {
        const QRectF source = m_dag->rect();
        return std::min({1.0, width / source.width(), height / source.height()});
    }

    // Paints the DAG in tiles of at most `width` x `height` points (height may be unbounded), each with a
    // caption when there are several. `newTile` starts the page of every tile after the first.
    void dagTiles(qreal scale, qreal width, qreal height, const std::function<void()> &newTile)
    {
        const QRectF source = m_dag->rect();
        // Page edges between stages, not through them (#16: a stage cut at the right edge of one page went
        // on as a sliver on the next).
        QList<QPair<qreal, qreal>> xBoxes;
        QList<QPair<qreal, qreal>> yBoxes;
        for (const QRectF &box : m_dag->nodeRects()) {
            xBoxes.append({box.left(), box.right()});
            yBoxes.append({box.top(), box.bottom()});
        }
        const qreal tileHeight = std::min(height / scale, source.height());
        const QList<qreal> xs = tileCuts(source.left(), source.right(), width / scale, xBoxes);
        const QList<qreal> ys = tileCuts(source.top(), source.bottom(), tileHeight, yBoxes);
        const int columns = int(xs.size()) - 1;
        const int rows = int(ys.size()) - 1;
        const qreal captionHeight = lineHeight(m_textBold);
        for (int r = 0; r < rows; ++r) {
            for (int c = 0; c < columns; ++c) {
                if (r + c > 0 && newTile)
                    newTile();
                if (columns * rows > 1) {
                    m_painter->setFont(m_textBold);
                    m_painter->setPen(Ink);
                    m_painter->drawText(QPointF(m_left, m_y + metrics(m_textBold).ascent()),
                        QStringLiteral("Stage graph, part %1 of %2 (row %3, column %4)")
                            .arg(r * columns + c + 1)
                            .arg(columns * rows)
                            .arg(r + 1)
                            .arg(c + 1));
                    m_y += captionHeight;
                }
                // The cell grows to hold its own stages whole; such a page is scaled down a little to fit.
                const QRectF cell(xs[c], ys[r], xs[c + 1] - xs[c], ys[r + 1] - ys[r]);
                const QRectF part = columns * rows > 1 ? m_dag->tileSource(cell) : cell;
                const qreal s = std::min(
                    {scale, width / part.width(), std::isfinite(height) ? height / part.height() : scale});
                const QRectF target(m_left, m_y, part.width() * s, part.height() * s);
                if (columns * rows > 1)
                    m_dag->renderTile(m_painter, target, cell);
                else
                    m_dag->render(m_painter, target, part);
                m_y += target.height() + 6;
            }
        }
    }

    void dag()
    {
        if (!m_dag)
            return;
        if (!m_dag->isValid()) {
            heading(QStringLiteral("Stage graph"), 20);
            paragraph(
                QStringLiteral("The stage graph could not be drawn: %1. The stage table below lists the same "
                               "stages and dependencies.")
                    .arg(m_dag->error()),
                m_text, Muted);
            return;
        }
        const QRectF source = m_dag->rect();
        if (!m_pdf) {
            // One tall page: as wide as the page allows, split into bands side by side when that would
            // shrink the labels below reading size.
            heading(QStringLiteral("Stage graph"), 20);
            paragraph(dagLegend(), m_small, Muted);
            dagTiles(std::max(std::min(1.0, m_width / source.width()), DagMinimumScale), m_width,
                std::numeric_limits<qreal>::max(), {});
            return;
        }
        const qreal legendHeight = lineHeight(m_heading) + 2 * lineHeight(m_small) + 20;
        if (dagFit(m_width, m_bottom - m_top - legendHeight) < DagInlineScale) {
            // Too large for a portrait page: it gets landscape pages at the end rather than interrupting
            // the text with a page turned sideways.
            heading(QStringLiteral("Stage graph"), 20);
            paragraph(m_dagPageHint > 0
                    ? QStringLiteral(
                        "The stage graph is large: it is on landscape pages at the end, from page %1.")
                          .arg(m_dagPageHint)
                    : QStringLiteral("The stage graph is large: it is on landscape pages at the end."),
                m_text, Muted);
            m_deferDag = true;
            return;
        }
        heading(QStringLiteral("Stage graph"), std::min(source.height() * DagInlineScale, 400.0));
        paragraph(dagLegend(), m_small, Muted);
        if (dagFit(m_width, m_bottom - m_y) < DagInlineScale)
            newPage();
        const qreal scale = dagFit(m_width, m_bottom - m_y);
        const QRectF target(m_left, m_y, source.width() * scale, source.height() * scale);
        m_dag->render(m_painter, target, source);
        m_y += target.height() + 4;
    }

    // The deferred large DAG: landscape pages, split into tiles when one page would make it unreadable.
    void dagPages()
    {
        newPage(QPageLayout::Landscape);
        m_dagPage = m_page;
        heading(QStringLiteral("Stage graph"), 20);
        paragraph(dagLegend(), m_small, Muted);
        const qreal top = m_y;
        const qreal captionHeight = lineHeight(m_textBold);
        const qreal width = m_width;
        const qreal height = m_bottom - top - captionHeight - 6;
        qreal scale = std::max(dagFit(width, height), DagMinimumScale);
        const QRectF source = m_dag->rect();
        if (std::ceil(source.width() * scale / width) * std::ceil(source.height() * scale / height)
            > DagMaxPages)
            scale = std::max(dagFit(width * 4, height * 3), 0.05); // hostile sizes: keep to the page budget
        dagTiles(scale, width, height, [this, top] {
            newPage(QPageLayout::Landscape);
            m_y = top;
        });
    }

    void stages()
    {
        heading(QStringLiteral("Stages"));
        const bool timed = m_data.hasBuild;
        QList<TableRow> rows;
        for (const ReportStageRow &s : m_data.stages) {
            TableRow row;
            row.cells = {QString::number(s.index), s.token, s.base,
                s.dependsOn.isEmpty() ? QStringLiteral("–") : s.dependsOn.join(QLatin1String(", ")),
                QString::number(s.steps)};
            if (timed) {
                row.cells.append(s.needed ? QString::number(s.ranSteps) : QStringLiteral("–"));
                row.cells.append(s.needed ? QString::number(s.cachedSteps) : QStringLiteral("–"));
                row.cells.append(s.needed ? formatDuration(s.seconds) : QStringLiteral("–"));
            }
            row.mark = stageColor(s.index);
            row.markColumn = 1;
            row.muted = !s.needed;
            rows.append(row);
        }
        QList<Column> columns {{QStringLiteral("#"), 0.05, Qt::AlignRight},
            {QStringLiteral("Stage"), 0.19, Qt::AlignLeft, true},
            {QStringLiteral("Base"), 0.3, Qt::AlignLeft, true},
            {QStringLiteral("Reads from"), 0.24, Qt::AlignLeft, true},
            {QStringLiteral("Steps"), 0.07, Qt::AlignRight}};
        if (timed) {
            columns.append({QStringLiteral("Ran"), 0.06, Qt::AlignRight});
            columns.append({QStringLiteral("Cached"), 0.08, Qt::AlignRight});
            columns.append({QStringLiteral("Time"), 0.09, Qt::AlignRight});
        }
        table(columns, rows);
        paragraph(QStringLiteral(
                      "\"Reads from\" lists the stages a stage starts FROM, copies from or mounts; greyed "
                      "stages are not needed for the target %1 and are not built.")
                      .arg(m_data.target),
            m_small, Muted);
    }

    // Without a log there are no times: the label gets their room.
    QList<Column> stepColumns(bool withStatus) const
    {
        const bool timed = m_data.hasBuild;
        QList<Column> columns {{QStringLiteral("Step"), withStatus ? 0.5 : 0.6, Qt::AlignLeft, true},
            {QStringLiteral("Stage"), 0.13, Qt::AlignLeft, true},
            {QStringLiteral("Line"), 0.07, Qt::AlignRight}};
        if (withStatus)
            columns.append({QStringLiteral("Status"), 0.1});
        if (timed) {
            columns.append({QStringLiteral("Time"), 0.1, Qt::AlignRight});
            columns.append({QStringLiteral("Share"), 0.1, Qt::AlignRight});
        }
        return columns;
    }

    TableRow stepRow(const ReportStepRow &step, bool withStatus) const
    {
        TableRow row;
        row.cells = {step.label.simplified(), step.stage.isEmpty() ? QStringLiteral("–") : step.stage,
            lineText(step.line)};
        if (withStatus) {
            row.cells.append(reportStatusName(step.status));
            row.mark = statusColor(step.status);
            row.markColumn = 3;
        }
        if (m_data.hasBuild) {
            row.cells.append(optionalSeconds(step.seconds));
            row.cells.append(step.seconds ? formatReportShare(step.share) : QStringLiteral("–"));
        }
        row.bold = step.critical && step.status != StepState::Cached;
        return row;
    }

    void misses()
    {
        if (m_data.topMisses.isEmpty())
            return;
        heading(QStringLiteral("Top cache misses"));
        paragraph(QStringLiteral(
                      "The slowest steps that ran instead of coming from the cache; share is of the wall "
                      "time, bold rows are on the critical path."),
            m_small, Muted);
        QList<TableRow> rows;
        for (const ReportStepRow &step : m_data.topMisses)
            rows.append(stepRow(step, false));
        table(stepColumns(false), rows);
    }

    void allSteps()
    {
        heading(
            m_data.hasBuild ? QStringLiteral("All steps, slowest first") : QStringLiteral("Steps to build"));
        if (!m_data.hasBuild)
            paragraph(QStringLiteral(
                          "No build log was given: these are the steps BuildKit will run for the target, in "
                          "Dockerfile order."),
                m_small, Muted);
        QList<TableRow> rows;
        const int count = std::min<int>(m_data.steps.size(), PaintedRowLimit);
        for (int i = 0; i < count; ++i)
            rows.append(stepRow(m_data.steps.at(i), true));
        table(stepColumns(true), rows);
        if (m_data.steps.size() > count)
            paragraph(QStringLiteral("… and %1 more steps (the Markdown report lists more).")
                          .arg(m_data.steps.size() - count),
                m_small, Muted);
    }

    void diagnostics()
    {
        if (m_data.diagnostics.isEmpty())
            return;
        heading(QStringLiteral("Diagnostics"));
        int shown = 0;
        for (const Diagnostic &d : m_data.diagnostics) {
            if (++shown > 30) {
                paragraph(
                    QStringLiteral("… and %1 more.").arg(m_data.diagnostics.size() - 30), m_small, Muted);
                break;
            }
            paragraph(QStringLiteral("%1:%2: %3: %4")
                          .arg(QFileInfo(d.file).fileName())
                          .arg(d.line)
                          .arg(severityName(d.severity), d.message),
                m_table, d.severity == Severity::Error ? CriticalColor : Ink, 3);
        }
    }

    // A table with a header row repeated on every page it spans. Wrapping columns grow the row height.
    void table(const QList<Column> &columns, const QList<TableRow> &rows)
    {
        const qreal pad = 3;
        const qreal lh = std::ceil(metrics(m_table).height() + 1);
        const qreal ascent = metrics(m_table).ascent();
        QList<qreal> xs;
        qreal total = 0;
        for (const Column &c : columns)
            total += c.fraction;
        qreal x = m_left;
        for (const Column &c : columns) {
            xs.append(x);
            x += m_width * c.fraction / total;
        }
        xs.append(m_left + m_width);

        auto header = [&]() {
            const qreal h = lh + 2 * pad;
            m_painter->setFont(m_tableBold);
            m_painter->setPen(Muted);
            for (int c = 0; c < columns.size(); ++c) {
                const QRectF cell(xs.at(c) + pad, m_y, xs.at(c + 1) - xs.at(c) - 2 * pad, h);
                m_painter->drawText(cell, columns.at(c).align | Qt::AlignVCenter, columns.at(c).title);
            }
            m_y += h;
            m_painter->setPen(QPen(Ink, 0.8));
            m_painter->drawLine(QPointF(m_left, m_y), QPointF(m_left + m_width, m_y));
        };
        ensureSpace(3 * lh + 4 * pad);
        header();
        for (int r = 0; r < rows.size(); ++r) {
            const TableRow &row = rows.at(r);
            const QFont &font = row.bold ? m_tableBold : m_table;
            QList<QStringList> cellLines;
            int lines = 1;
            for (int c = 0; c < columns.size(); ++c) {
                const QString text = c < row.cells.size() ? row.cells.at(c) : QString();
                qreal width = xs.at(c + 1) - xs.at(c) - 2 * pad - (c == row.markColumn ? 9 : 0);
                if (columns.at(c).wrap) {
                    cellLines.append(wrap(text, font, width, LabelLines));
                } else {
                    cellLines.append({metrics(font).elidedText(text, Qt::ElideRight, width)});
                }
                lines = std::max<int>(lines, cellLines.last().size());
            }
            const qreal h = lines * lh + 2 * pad;
            if (ensureSpace(h))
                header();
            if (r % 2 == 1) {
                m_painter->setPen(Qt::NoPen);
                m_painter->setBrush(Stripe);
                m_painter->drawRect(QRectF(m_left, m_y, m_width, h));
                m_painter->setBrush(Qt::NoBrush);
            }
            m_painter->setFont(font);
            for (int c = 0; c < columns.size(); ++c) {
                qreal left = xs.at(c) + pad;
                const qreal right = xs.at(c + 1) - pad;
                if (c == row.markColumn && row.mark.isValid()) {
                    m_painter->setPen(Qt::NoPen);
                    m_painter->setBrush(row.mark);
                    m_painter->drawRect(QRectF(left, m_y + pad + (lh - 6) / 2, 6, 6));
                    m_painter->setBrush(Qt::NoBrush);
                    left += 9;
                }
                m_painter->setPen(row.muted ? Muted : Ink);
                qreal y = m_y + pad;
                for (const QString &line : cellLines.at(c)) {
                    if (columns.at(c).align & Qt::AlignRight) {
                        const qreal w = metrics(font).horizontalAdvance(line);
                        m_painter->drawText(QPointF(right - w, y + ascent), line);
                    } else {
                        m_painter->drawText(QPointF(left, y + ascent), line);
                    }
                    y += lh;
                }
            }
            m_y += h;
        }
        m_painter->setPen(QPen(RuleColor, 0.8));
        m_painter->drawLine(QPointF(m_left, m_y), QPointF(m_left + m_width, m_y));
        m_y += 4;
    }

    const ReportData &m_data;
    const DagSnapshot *m_dag;
    bool m_deferDag = false;
    int m_dagPage = 0;
    int m_dagPageHint = 0;
    QPainter *m_painter;
    QPdfWriter *m_pdf;
    int m_totalPages;
    int m_page = 1;
    QSizeF m_pageSize;
    qreal m_left = 0;
    qreal m_top = 0;
    qreal m_width = 0;
    qreal m_bottom = 0;
    qreal m_y = 0;
    QFont m_title;
    QFont m_heading;
    QFont m_text;
    QFont m_textBold;
    QFont m_table;
    QFont m_tableBold;
    QFont m_small;
    QFont m_figure;
};

// Paints the whole PDF into `device`; returns the page count, or -1 when the painter cannot start.
int paintPdf(const ReportData &data, const DagSnapshot *dag, QIODevice *device, int totalPages, int *dagPage)
{
    QPdfWriter writer(device);
    writer.setResolution(PdfDpi);
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait, QMarginsF(0, 0, 0, 0)));
    writer.setTitle(data.title);
    writer.setCreator(QStringLiteral("Stagelens"));
    QPainter painter;
    if (!painter.begin(&writer))
        return -1;
    painter.setRenderHint(QPainter::Antialiasing);
    ReportPainter report(data, dag, &painter, &writer, 0, totalPages);
    report.setDagPageHint(*dagPage);
    report.paint();
    painter.end();
    *dagPage = report.dagPage();
    return report.pages();
}

// The height the report needs as one tall page, measured by painting it once onto a throwaway image.
qreal measureHeight(const ReportData &data, const DagSnapshot *dag)
{
    QImage probe(1, 1, QImage::Format_ARGB32_Premultiplied);
    QPainter painter(&probe);
    ReportPainter report(data, dag, &painter, nullptr, ImageContentWidth, 1);
    report.paint();
    return std::min(report.bottom() + ImageMargin, ImageHeightLimit);
}

QSizeF tallPageSize(const ReportData &data, const DagSnapshot *dag)
{
    return QSizeF(ImageContentWidth + 2 * ImageMargin, std::ceil(measureHeight(data, dag)));
}

std::unique_ptr<DagSnapshot> makeDag(const ReportData &data)
{
    // The view the window opens the same graph in.
    return std::make_unique<DagSnapshot>(data, opensCollapsed(makeDagInput(data.graph, data.analysis).model));
}

} // namespace

ReportRenderResult renderReportPdf(const ReportData &data)
{
    ReportRenderResult result;
    // Two passes: the first counts the pages so that every footer can say "Page n of N".
    QBuffer scratch;
    scratch.open(QIODevice::WriteOnly);
    const auto dag = makeDag(data);
    int dagPage = 0;
    const int pages = paintPdf(data, dag.get(), &scratch, 0, &dagPage);
    QBuffer buffer(&result.bytes);
    buffer.open(QIODevice::WriteOnly);
    result.pages = pages > 0 ? paintPdf(data, dag.get(), &buffer, pages, &dagPage) : -1;
    if (result.pages <= 0)
        result.error = QStringLiteral("cannot paint the PDF");
    result.size = QPageSize(QPageSize::A4).sizePoints();
    return result;
}

ReportRenderResult renderReportSvg(const ReportData &data)
{
    ReportRenderResult result;
    const auto dag = makeDag(data);
    const QSizeF size = tallPageSize(data, dag.get());
    QBuffer buffer(&result.bytes);
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setSize(size.toSize());
    generator.setViewBox(QRectF(QPointF(0, 0), size));
    generator.setResolution(PdfDpi);
    generator.setTitle(data.title);
    generator.setDescription(QStringLiteral("Stagelens build timing report"));
    QPainter painter;
    if (!painter.begin(&generator)) {
        result.error = QStringLiteral("cannot paint the SVG");
        return result;
    }
    painter.fillRect(QRectF(QPointF(0, 0), size), Qt::white);
    ReportPainter report(data, dag.get(), &painter, nullptr, ImageContentWidth, 1);
    report.paint();
    painter.end();
    result.pages = 1;
    result.size = size;
    return result;
}

QImage renderReportImage(const ReportData &data, qreal devicePixelRatio)
{
    const auto dag = makeDag(data);
    const QSizeF size = tallPageSize(data, dag.get());
    qreal ratio = std::clamp(devicePixelRatio, 1.0, 4.0);
    if (size.height() > ImageHeightForFullRatio)
        ratio = 1.0;
    QImage image((size * ratio).toSize(), QImage::Format_ARGB32_Premultiplied);
    if (image.isNull())
        return image;
    image.setDevicePixelRatio(ratio);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    ReportPainter report(data, dag.get(), &painter, nullptr, ImageContentWidth, 1);
    report.paint();
    painter.end();
    return image;
}

ReportRenderResult renderReportPng(const ReportData &data)
{
    ReportRenderResult result;
    const QImage image = renderReportImage(data, 2.0);
    if (image.isNull()) {
        result.error = QStringLiteral("the report is too large for an image");
        return result;
    }
    QBuffer buffer(&result.bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!image.save(&buffer, "PNG"))
        result.error = QStringLiteral("cannot encode the PNG");
    result.pages = 1;
    result.size = image.deviceIndependentSize();
    return result;
}

ReportRenderResult renderReport(const ReportData &data, ReportFormat format)
{
    switch (format) {
    case ReportFormat::Pdf:
        return renderReportPdf(data);
    case ReportFormat::Png:
        return renderReportPng(data);
    case ReportFormat::Svg:
        return renderReportSvg(data);
    case ReportFormat::Markdown:
        break;
    }
    ReportRenderResult result;
    result.bytes = reportToMarkdown(data).toUtf8();
    result.pages = 1;
    return result;
}

QString writeReport(const ReportData &data, const QString &path)
{
    const std::optional<ReportFormat> format = reportFormatForPath(path);
    if (!format)
        return QStringLiteral("%1: unknown report format (use .pdf, .png, .svg or .md)").arg(path);
    const ReportRenderResult result = renderReport(data, *format);
    if (!result.error.isEmpty())
        return result.error;
    return writeFileAtomically(path, result.bytes);
}

} // namespace Stagelens
