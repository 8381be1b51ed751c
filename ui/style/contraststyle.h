#pragma once

// Fusion with check boxes that can be seen: it outlines an empty box with the window colour darkened, which
// is 1.9:1 on a white list and 1.05:1 on the dark palette's base (the file tree's unticked boxes vanished).
// The box is drawn by Fusion itself, told of a window colour whose darkened shade is a blend of the text
// and base colours: WCAG's 3:1 for controls in both palettes.

#include <QProxyStyle>

namespace Stagelens {

class ContrastStyle : public QProxyStyle
{
    Q_OBJECT
public:
    using QProxyStyle::QProxyStyle;

    void drawPrimitive(PrimitiveElement element, const QStyleOption *option, QPainter *painter,
        const QWidget *widget = nullptr) const override;
};

} // namespace Stagelens
