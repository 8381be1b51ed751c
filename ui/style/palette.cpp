#include "ui/style/palette.h"

#include <array>
#include <cmath>

namespace Stagelens {

namespace {

// Okabe-Ito hues: distinguishable with the common colour-vision deficiencies.
constexpr std::array<QRgb, 8> StageHues = {
    0xff0072b2, 0xffe69f00, 0xff009e73, 0xffcc79a7, 0xff56b4e9, 0xffd55e00, 0xff8c6bb1, 0xff7f7f00};

double luminance(const QColor &c)
{
    auto channel = [](double v) {
        return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
}

// On a dark background the saturated light-theme hues look muddy: lift them.
QColor forPalette(QRgb rgb, const QPalette &palette)
{
    const QColor c = QColor::fromRgb(rgb);
    return ViewPalette::isDark(palette) ? c.lighter(135) : c;
}

} // namespace

bool ViewPalette::isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightnessF() < palette.color(QPalette::WindowText).lightnessF();
}

QPalette ViewPalette::printPalette()
{
    QPalette palette(QColor(0xee, 0xee, 0xee), QColor(Qt::white));
    palette.setColor(QPalette::Text, Qt::black);
    palette.setColor(QPalette::WindowText, Qt::black);
    return palette;
}

QColor ViewPalette::stageColor(int stageIndex, const QPalette &palette)
{
    const auto count = int(StageHues.size());
    return forPalette(StageHues[((stageIndex % count) + count) % count], palette);
}

QColor ViewPalette::stateColor(StepState state, const QPalette &palette)
{
    switch (state) {
    case StepState::Ran:
        return forPalette(0xff1f6fd0, palette);
    case StepState::Cached:
        return forPalette(0xff23824a, palette); // dark enough for white glyphs and text
    case StepState::Error:
        return forPalette(0xffd62728, palette);
    case StepState::Canceled:
    case StepState::Running:
        return forPalette(0xffb26b00, palette);
    case StepState::NotInLog:
    case StepState::NoLog:
        break;
    }
    return palette.color(QPalette::Disabled, QPalette::WindowText);
}

QColor ViewPalette::verdictColor(WhatIfVerdict verdict, const QPalette &palette)
{
    switch (verdict) {
    case WhatIfVerdict::Rerun:
        return forPalette(0xffd62728, palette);
    case WhatIfVerdict::Maybe:
        return forPalette(
            0xffa87800, palette); // a dark amber: 3:1 as a mark on white, black text reads on it
    case WhatIfVerdict::Cached:
        return forPalette(0xff23824a, palette);
    case WhatIfVerdict::None:
        break;
    }
    return palette.color(QPalette::Base);
}

QColor ViewPalette::changeColor(DagChange change, const QPalette &palette)
{
    switch (change) {
    case DagChange::Missed:
        return forPalette(0xffd62728, palette);
    case DagChange::Hit:
        return forPalette(0xff23824a, palette);
    case DagChange::Added:
        return forPalette(0xff7b52ab, palette);
    case DagChange::Ran:
        return forPalette(0xffa87800, palette);
    case DagChange::Same:
        return forPalette(0xff767676, palette); // 4.5:1 on white: a quiet grey that still reads as a mark
    case DagChange::None:
        break;
    }
    return palette.color(QPalette::Base);
}

QColor ViewPalette::changeFill(DagChange change, const QPalette &palette)
{
    const QColor base = palette.color(QPalette::Base);
    if (change == DagChange::None)
        return base;
    // Unchanged steps stay nearly plain so that the misses stand out.
    return mix(base, changeColor(change, palette), change == DagChange::Same ? 0.12 : 0.45);
}

QColor ViewPalette::heatColor(double heat, const QPalette &palette)
{
    if (!std::isfinite(heat))
        heat = 0;
    heat = qBound(0.0, heat, 1.0);
    // Two legs (base -> amber -> orange-red) read as a temperature scale better than one straight blend.
    const QColor base = palette.color(QPalette::Base);
    const QColor warm = QColor::fromRgb(0xffffc857);
    const QColor hot = QColor::fromRgb(0xffe4572e);
    const double strength = isDark(palette) ? 0.75 : 0.85;
    if (heat < 0.5)
        return mix(base, warm, heat * 2 * strength);
    return mix(mix(base, warm, strength), mix(base, hot, strength), (heat - 0.5) * 2);
}

QColor ViewPalette::textOn(const QColor &background)
{
    // WCAG contrast against black and white; pick the larger.
    const double l = luminance(background);
    const double againstBlack = (l + 0.05) / 0.05;
    const double againstWhite = 1.05 / (l + 0.05);
    return againstBlack >= againstWhite ? QColor(Qt::black) : QColor(Qt::white);
}

QColor ViewPalette::mix(const QColor &a, const QColor &b, double t)
{
    t = qBound(0.0, t, 1.0);
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t),
        float(a.greenF() + (b.greenF() - a.greenF()) * t), float(a.blueF() + (b.blueF() - a.blueF()) * t),
        float(a.alphaF() + (b.alphaF() - a.alphaF()) * t));
}

} // namespace Stagelens
