#include "plaintooltip.h"

#include <QApplication>
#include <QLabel>
#include <QPointer>
#include <QScreen>

namespace Stagelens {

namespace {

constexpr int MaxTipChars = 4000; // hostile inputs can carry megabyte lines; a tooltip never needs that
constexpr int MaxTipWidth = 640;

QPointer<QLabel> s_tip;

} // namespace

void PlainToolTip::showText(const QPoint &globalPos, const QString &text, QWidget *owner)
{
    if (text.isEmpty()) {
        hideText();
        return;
    }
    if (!s_tip) {
        s_tip = new QLabel(nullptr, Qt::ToolTip | Qt::BypassGraphicsProxyWidget);
        s_tip->setTextFormat(Qt::PlainText);
        s_tip->setWordWrap(true);
        s_tip->setMargin(6);
        s_tip->setFrameShape(QFrame::Box);
        s_tip->setAttribute(Qt::WA_TransparentForMouseEvents);
        s_tip->setAttribute(Qt::WA_DeleteOnClose);
    }
    QPalette palette = owner ? owner->palette() : QApplication::palette();
    palette.setColor(QPalette::Window, palette.color(QPalette::ToolTipBase));
    palette.setColor(QPalette::WindowText, palette.color(QPalette::ToolTipText));
    s_tip->setPalette(palette);
    s_tip->setAutoFillBackground(true);
    s_tip->setText(text.size() > MaxTipChars ? text.left(MaxTipChars) + QStringLiteral(" ...") : text);
    s_tip->setMaximumWidth(MaxTipWidth);
    s_tip->adjustSize();

    // Keep it on the screen, below and right of the cursor like QToolTip.
    QPoint pos = globalPos + QPoint(14, 18);
    if (const QScreen *screen = QGuiApplication::screenAt(globalPos)) {
        const QRect area = screen->availableGeometry();
        if (pos.x() + s_tip->width() > area.right())
            pos.setX(qMax(area.left(), globalPos.x() - s_tip->width() - 4));
        if (pos.y() + s_tip->height() > area.bottom())
            pos.setY(qMax(area.top(), globalPos.y() - s_tip->height() - 4));
    }
    s_tip->move(pos);
    s_tip->show();
}

void PlainToolTip::hideText()
{
    if (s_tip)
        s_tip->hide();
}

QString PlainToolTip::currentText()
{
    return (s_tip && s_tip->isVisible()) ? s_tip->text() : QString();
}

} // namespace Stagelens
