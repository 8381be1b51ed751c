#pragma once

// Colours shared by the DAG, the timeline and the report (printPalette()), derived from the widget's QPalette
// so that light and dark themes both stay readable. Every colour here has a non-colour twin (icon, pattern,
// text) in the views.

#include "ui/graph/dagmodel.h"

#include <QColor>
#include <QPalette>

namespace Stagelens {

class ViewPalette
{
public:
    /// The light palette reports are printed with, whatever the desktop's theme.
    static QPalette printPalette();
    /// True when the palette's window is darker than its text.
    static bool isDark(const QPalette &palette);
    /// A categorical colour per stage index; the DAG cluster and the timeline rows of a stage share it.
    static QColor stageColor(int stageIndex, const QPalette &palette);
    static QColor stateColor(StepState state, const QPalette &palette);
    static QColor verdictColor(WhatIfVerdict verdict, const QPalette &palette);
    /// Compare mode's colour for a change kind (missed red, hit green, added purple, same grey).
    static QColor changeColor(DagChange change, const QPalette &palette);
    /// A step node's background in compare mode: its change colour over the base, unchanged steps faint.
    static QColor changeFill(DagChange change, const QPalette &palette);
    /// Background for a step by duration: the base colour at 0, a strong orange-red at 1.
    static QColor heatColor(double heat, const QPalette &palette);
    /// Black or white, whichever reads better on `background`.
    static QColor textOn(const QColor &background);
    /// `a` blended towards `b` by t in 0..1.
    static QColor mix(const QColor &a, const QColor &b, double t);
};

} // namespace Stagelens
