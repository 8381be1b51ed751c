#pragma once

#include <QPoint>
#include <QString>

class QWidget;

namespace Stagelens {

/// A tooltip that always shows plain text. QToolTip guesses rich text with Qt::mightBeRichText(), so a
/// Dockerfile line such as `RUN echo "<b>"` would render as HTML there. GUI thread only.
class PlainToolTip
{
public:
    static void showText(const QPoint &globalPos, const QString &text, QWidget *owner);
    static void hideText();
    /// The text shown now, empty when hidden (for tests).
    static QString currentText();
};

} // namespace Stagelens
