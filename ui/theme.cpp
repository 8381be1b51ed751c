#include "theme.h"

#include "ui/style/contraststyle.h"

#include <QApplication>
#include <QStyle>
#include <QStyleFactory>

namespace Stagelens {

namespace {

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x31);
    const QColor base(0x1e, 0x1f, 0x22);
    const QColor text(0xe6, 0xe6, 0xe6);
    // Placeholder and disabled text at 4.5:1 on the base and alternate rows (0x80 gave 4.2:1).
    const QColor disabledText(0x96, 0x96, 0x96);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2b));
    p.setColor(QPalette::ToolTipBase, QColor(0x3c, 0x3f, 0x41));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, disabledText);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::white);
    p.setColor(QPalette::Light, QColor(0x45, 0x47, 0x4b));
    p.setColor(QPalette::Midlight, QColor(0x3a, 0x3c, 0x40));
    p.setColor(QPalette::Mid, QColor(0x55, 0x57, 0x5b));
    p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
    p.setColor(QPalette::Shadow, Qt::black);
    p.setColor(QPalette::Highlight, QColor(0x2f, 0x65, 0xca));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x6c, 0xa6, 0xf5));
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabledText);
    return p;
}

} // namespace

void applyTheme(ThemeMode mode)
{
    // Fusion draws every palette role faithfully, so a dark palette looks right on any desktop.
    static QPalette systemPalette = QApplication::palette();
    switch (mode) {
    case ThemeMode::System:
        QApplication::setPalette(systemPalette);
        break;
    case ThemeMode::Light: {
        QApplication::setStyle(new ContrastStyle(QStyleFactory::create(QStringLiteral("Fusion"))));
        QPalette light = QApplication::style()->standardPalette();
        // Fusion's selection blue gives white text 3.7:1; this one 5.3:1 (WCAG AA).
        light.setColor(QPalette::Highlight, QColor(0x1f, 0x6f, 0xb2));
        QApplication::setPalette(light);
        break;
    }
    case ThemeMode::Dark:
        QApplication::setStyle(new ContrastStyle(QStyleFactory::create(QStringLiteral("Fusion"))));
        QApplication::setPalette(darkPalette());
        break;
    }
}

bool isDarkPalette(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < palette.color(QPalette::WindowText).lightness();
}

} // namespace Stagelens
