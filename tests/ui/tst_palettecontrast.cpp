// Issue #16: both palettes are checked for contrast as WCAG 2.1 defines it (relative luminance of sRGB):
// AA for text (4.5:1) wherever text is drawn on a colour, 3:1 for the non-text marks people must see
// (state colours on the view's background, the file tree's empty check boxes).

#include "ui/style/palette.h"
#include "ui/theme.h"

#include <QApplication>
#include <QImage>
#include <QPainter>
#include <QStyle>
#include <QStyleOptionViewItem>
#include <QTest>

#include <cmath>

using namespace Stagelens;

namespace {

// WCAG 2.1 relative luminance, computed here from the definition rather than taken from the code under test.
double channel(double c)
{
    return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

double luminance(const QColor &color)
{
    const QColor c = color.toRgb();
    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
}

double contrast(const QColor &a, const QColor &b)
{
    const double la = luminance(a), lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

// An opaque colour as seen over `background` (badges and tints are drawn with alpha).
QColor over(const QColor &color, const QColor &background)
{
    const double a = color.alphaF();
    return QColor::fromRgbF(float(color.redF() * a + background.redF() * (1 - a)),
        float(color.greenF() * a + background.greenF() * (1 - a)),
        float(color.blueF() * a + background.blueF() * (1 - a)));
}

QString describe(const QColor &a, const QColor &b, double ratio)
{
    return QStringLiteral("%1 on %2: %3:1").arg(a.name(), b.name()).arg(ratio, 0, 'f', 2);
}

} // namespace

class TestPaletteContrast : public QObject
{
    Q_OBJECT
private slots:
    void palettes_data()
    {
        QTest::addColumn<int>("mode");
        QTest::newRow("light") << int(ThemeMode::Light);
        QTest::newRow("dark") << int(ThemeMode::Dark);
    }

    // Body text on its backgrounds.
    void palettes()
    {
        QFETCH(int, mode);
        applyTheme(ThemeMode(mode));
        const QPalette pal = QApplication::palette();
        QCOMPARE(ViewPalette::isDark(pal), ThemeMode(mode) == ThemeMode::Dark);
        const QList<QPair<QPalette::ColorRole, QPalette::ColorRole>> pairs {
            {QPalette::WindowText, QPalette::Window}, {QPalette::Text, QPalette::Base},
            {QPalette::Text, QPalette::AlternateBase}, {QPalette::ButtonText, QPalette::Button},
            {QPalette::ToolTipText, QPalette::ToolTipBase}, {QPalette::HighlightedText, QPalette::Highlight},
            {QPalette::PlaceholderText, QPalette::Base},
            {QPalette::PlaceholderText, QPalette::AlternateBase}};
        for (const auto &[fg, bg] : pairs) {
            const double r = contrast(pal.color(fg), pal.color(bg));
            QVERIFY2(r >= 4.5, qPrintable(describe(pal.color(fg), pal.color(bg), r)));
        }
    }

    void stateColours_data() { palettes_data(); }
    // Every state and verdict colour: the text or glyph drawn on it (textOn) reads at AA, and the colour
    // itself stands out from the view's background at 3:1.
    void stateColours()
    {
        QFETCH(int, mode);
        applyTheme(ThemeMode(mode));
        const QPalette pal = QApplication::palette();
        QList<QPair<QString, QColor>> colours;
        for (StepState s :
            {StepState::Ran, StepState::Cached, StepState::Error, StepState::Canceled, StepState::Running})
            colours.append({dagStepStateName(s), ViewPalette::stateColor(s, pal)});
        for (WhatIfVerdict v : {WhatIfVerdict::Rerun, WhatIfVerdict::Maybe, WhatIfVerdict::Cached})
            colours.append({whatIfVerdictName(v), ViewPalette::verdictColor(v, pal)});
        // Compare mode's badges and root-miss border (#19).
        for (DagChange c :
            {DagChange::Missed, DagChange::Hit, DagChange::Same, DagChange::Ran, DagChange::Added})
            colours.append({dagChangeName(c), ViewPalette::changeColor(c, pal)});
        for (const auto &[name, raw] : colours) {
            for (QPalette::ColorRole bgRole : {QPalette::Base, QPalette::Window}) {
                const QColor bg = pal.color(bgRole);
                const QColor c = over(raw, bg);
                const double text = contrast(ViewPalette::textOn(c), c);
                QVERIFY2(text >= 4.5,
                    qPrintable(name + QLatin1String(": ") + describe(ViewPalette::textOn(c), c, text)));
                const double mark = contrast(c, bg);
                QVERIFY2(mark >= 3.0, qPrintable(name + QLatin1String(": ") + describe(c, bg, mark)));
            }
        }
        // The duration heat scale, from cold to hot, under the step text.
        for (int i = 0; i <= 20; ++i) {
            const QColor heat = over(ViewPalette::heatColor(i / 20.0, pal), pal.color(QPalette::Base));
            const double r = contrast(ViewPalette::textOn(heat), heat);
            QVERIFY2(r >= 4.5, qPrintable(describe(ViewPalette::textOn(heat), heat, r)));
        }
        // Compare mode's node backgrounds under the step text.
        for (DagChange c :
            {DagChange::Missed, DagChange::Hit, DagChange::Same, DagChange::Ran, DagChange::Added}) {
            const QColor fill = over(ViewPalette::changeFill(c, pal), pal.color(QPalette::Base));
            const double r = contrast(ViewPalette::textOn(fill), fill);
            QVERIFY2(r >= 4.5,
                qPrintable(
                    dagChangeName(c) + QLatin1String(": ") + describe(ViewPalette::textOn(fill), fill, r)));
        }
        // The banners: window text on the state's tint.
        for (const QColor &tint : {ViewPalette::stateColor(StepState::Error, pal),
                 ViewPalette::verdictColor(WhatIfVerdict::Rerun, pal)}) {
            const QColor bg = ViewPalette::mix(pal.color(QPalette::Window), tint, 0.18);
            const double r = contrast(pal.color(QPalette::WindowText), bg);
            QVERIFY2(r >= 4.5, qPrintable(describe(pal.color(QPalette::WindowText), bg, r)));
        }
    }

    void emptyCheckBoxes_data() { palettes_data(); }
    // The file tree's unchecked boxes, drawn by the style as the tree draws them: some pixel of the box
    // must stand out from the row's background at 3:1 (they were nearly invisible in the dark palette).
    void emptyCheckBoxes()
    {
        QFETCH(int, mode);
        applyTheme(ThemeMode(mode));
        const QPalette pal = QApplication::palette();
        QStyleOptionViewItem option;
        option.palette = pal;
        option.rect = QRect(2, 2, 16, 16);
        option.state = QStyle::State_Enabled | QStyle::State_Off;
        QImage image(20, 20, QImage::Format_ARGB32);
        const QColor bg = pal.color(QPalette::Base);
        image.fill(bg);
        QPainter painter(&image);
        QApplication::style()->drawPrimitive(QStyle::PE_IndicatorItemViewItemCheck, &option, &painter);
        painter.end();
        double best = 1;
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < image.width(); ++x)
                best = std::max(best, contrast(image.pixelColor(x, y), bg));
        }
        QVERIFY2(best >= 3.0,
            qPrintable(QStringLiteral("best %1:1 against %2").arg(best, 0, 'f', 2).arg(bg.name())));
    }
};

QTEST_MAIN(TestPaletteContrast)
#include "tst_palettecontrast.moc"
