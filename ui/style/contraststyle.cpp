#include "contraststyle.h"

#include "ui/style/palette.h"

#include <QStyleOption>

namespace Stagelens {

void ContrastStyle::drawPrimitive(
    PrimitiveElement element, const QStyleOption *option, QPainter *painter, const QWidget *widget) const
{
    if (element != PE_IndicatorCheckBox || !option) {
        QProxyStyle::drawPrimitive(element, option, painter, widget);
        return;
    }
    // Fusion's outline is window.darker(140): hand it the window colour that darkens to the outline wanted.
    QStyleOptionButton button;
    button.QStyleOption::operator=(*option);
    if (const auto *own = qstyleoption_cast<const QStyleOptionButton *>(option))
        button = *own;
    const QPalette &pal = option->palette;
    const QColor outline = ViewPalette::mix(pal.color(QPalette::Base), pal.color(QPalette::Text), 0.6);
    button.palette.setColor(QPalette::Window, outline.lighter(140));
    QProxyStyle::drawPrimitive(element, &button, painter, widget);
}

} // namespace Stagelens
