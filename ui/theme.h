#pragma once

#include <QPalette>

namespace Stagelens {

enum class ThemeMode
{
    System,
    Light,
    Dark
};

/// Applies the palette for `mode` to the application. GUI thread only.
void applyTheme(ThemeMode mode);
/// True when the current application palette is dark (window colour darker than its text).
bool isDarkPalette(const QPalette &palette);

} // namespace Stagelens
