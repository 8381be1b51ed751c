#pragma once

#include <QHash>
#include <QPlainTextEdit>
#include <QSet>

namespace Stagelens {

/// Read-only Dockerfile source with line numbers, a per-line heat gutter (seconds spent in the steps on that
/// line) and highlighted line ranges. GUI thread only.
class SourceView : public QPlainTextEdit
{
    Q_OBJECT
public:
    /// What the gutter shows for one line; `marker` is a short plain-text badge (e.g. "↻" for re-run).
    struct LineInfo
    {
        double heat = -1; ///< 0..1 of the slowest step; < 0 for no timing
        QString seconds; ///< e.g. "12.3 s"
        QString marker;
    };

    /// Longer text is shown cut at a line end, with a last line saying so.
    static constexpr qsizetype MaxShownCharacters = 1 << 20;

    explicit SourceView(QWidget *parent = nullptr);

    void setSource(const QString &text);
    void setLineInfo(const QHash<int, LineInfo> &info);
    /// Highlights lines first..last (1-based) and scrolls them into view.
    void highlightLines(int first, int last);

    int gutterWidth() const;
    /// Lines marked as edited for the what-if view, drawn with a marker in the gutter.
    void setEditedLines(const QSet<int> &lines);
    /// Lines the cache advice is about, marked with a dot before the line number.
    void setAdviceLines(const QSet<int> &lines);
    const QSet<int> &adviceLines() const { return m_adviceLines; }

Q_SIGNALS:
    void lineClicked(int line);
    /// Double-click on the gutter: the user marks (or unmarks) the line as edited.
    void lineToggled(int line);

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    class Gutter;
    void paintGutter(QPaintEvent *event);
    void updateGutterGeometry();

    Gutter *m_gutter;
    QHash<int, LineInfo> m_lineInfo;
    QSet<int> m_editedLines;
    QSet<int> m_adviceLines;
    int m_noteLine = 0; ///< 1-based block of the "not shown" note setSource adds, 0 when none
    int m_firstHighlight = 0;
    int m_lastHighlight = 0;
};

} // namespace Stagelens
