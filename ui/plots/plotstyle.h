#pragma once

// The look the QCustomPlot charts share (timeline, history trends): the widget's palette on the axes, grid
// and legend, so both charts follow the light and dark themes the same way.

#include <QList>
#include <QPalette>

class QCPAxisRect;
class QCustomPlot;

namespace Stagelens {

/// Backgrounds, axis pens, tick and label colours, dotted grids and the legend's colours from `palette`.
void applyPlotPalette(QCustomPlot *plot, const QPalette &palette, const QList<QCPAxisRect *> &rects);

} // namespace Stagelens
