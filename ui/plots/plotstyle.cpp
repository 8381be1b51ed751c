#include "plotstyle.h"

#include "ui/style/palette.h"

#include <qcustomplot.h>

namespace Stagelens {

void applyPlotPalette(QCustomPlot *plot, const QPalette &pal, const QList<QCPAxisRect *> &rects)
{
    const QColor base = pal.color(QPalette::Base);
    const QColor text = pal.color(QPalette::Text);
    const QColor grid = ViewPalette::mix(base, text, 0.15);
    const QColor axisColor = ViewPalette::mix(base, text, 0.6);
    plot->setBackground(pal.color(QPalette::Window));
    for (QCPAxisRect *rect : rects) {
        rect->setBackground(base);
        for (QCPAxis *axis : rect->axes()) {
            axis->setBasePen(QPen(axisColor));
            axis->setTickPen(QPen(axisColor));
            axis->setSubTickPen(QPen(axisColor));
            axis->setTickLabelColor(pal.color(QPalette::WindowText));
            axis->setLabelColor(pal.color(QPalette::WindowText));
            axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
            axis->grid()->setZeroLinePen(Qt::NoPen);
        }
    }
    plot->legend->setBrush(pal.color(QPalette::Window));
    plot->legend->setBorderPen(Qt::NoPen);
    plot->legend->setTextColor(pal.color(QPalette::WindowText));
}

} // namespace Stagelens
