#include "plaintooltip.h"

#include <QApplication>
#include <QLabel>
#include <QPointer>
#include <QScreen>

namespace Stagelens {

namespace {

constexpr int MaxTipChars = 4000; // hostile inputs can carry megabyte lines; a tooltip never needs that
constexpr int MaxTipWidth = 640;

// The plots module carries a copy of this code of its own (plotcharts.h), and both copies must show, hide and
// report the same tooltip: the label has a name, and a copy that has not made or met it yet looks for it
// among the top-level widgets once. Each copy then keeps it (hovering asks on every mouse move).
const QString TipName = QStringLiteral("stagelens-plain-tooltip");
QPointer<QLabel> s_tip;

QLabel *findTip()
{
    if (!s_tip) {
        for (QWidget *widget : QApplication::topLevelWidgets()) {
            if (widget->objectName() == TipName) {
                s_tip = qobject_cast<QLabel *>(widget);
                break;
            }
        }
    }
    return s_tip;
}

} // namespace

void PlainToolTip::showText(const QPoint &globalPos, const QString &text, QWidget *owner)
{
    if (text.isEmpty()) {
        hideText();
        return;
    }
    QLabel *tip = findTip();
    if (!tip) {
        tip = s_tip = new QLabel(nullptr, Qt::ToolTip | Qt::BypassGraphicsProxyWidget);
        tip->setObjectName(TipName);
        tip->setTextFormat(Qt::PlainText);
        tip->setWordWrap(true);
        tip->setMargin(6);
        tip->setFrameShape(QFrame::Box);
        tip->setAttribute(Qt::WA_TransparentForMouseEvents);
        tip->setAttribute(Qt::WA_DeleteOnClose);
    }
    QPalette palette = owner ? owner->palette() : QApplication::palette();
    palette.setColor(QPalette::Window, palette.color(QPalette::ToolTipBase));
    palette.setColor(QPalette::WindowText, palette.color(QPalette::ToolTipText));
    tip->setPalette(palette);
    tip->setAutoFillBackground(true);
    tip->setText(text.size() > MaxTipChars ? text.left(MaxTipChars) + QStringLiteral(" ...") : text);
    tip->setMaximumWidth(MaxTipWidth);
    tip->adjustSize();

    // Keep it on the screen, below and right of the cursor like QToolTip.
    QPoint pos = globalPos + QPoint(14, 18);
    if (const QScreen *screen = QGuiApplication::screenAt(globalPos)) {
        const QRect area = screen->availableGeometry();
        if (pos.x() + tip->width() > area.right())
            pos.setX(qMax(area.left(), globalPos.x() - tip->width() - 4));
        if (pos.y() + tip->height() > area.bottom())
            pos.setY(qMax(area.top(), globalPos.y() - tip->height() - 4));
    }
    tip->move(pos);
    tip->show();
}

void PlainToolTip::hideText()
{
    if (QLabel *tip = findTip())
        tip->hide();
}

QString PlainToolTip::currentText()
{
    const QLabel *tip = findTip();
    return (tip && tip->isVisible()) ? tip->text() : QString();
}

} // namespace Stagelens
