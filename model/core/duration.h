#pragma once

// The one way Stagelens writes a duration, in every view, the report and the CLI text.

#include <QString>

#include <optional>

namespace Stagelens {

/// "0.4 s", "12.0 s", "2 min 05 s", "1 h 02 min"; a time that is not known (or not a time) is "—", never 0.
QString formatDuration(double seconds);
QString formatDuration(const std::optional<double> &seconds);

/// The text people read for a figure that cannot be known from the input.
inline QString unknownFigure()
{
    return QStringLiteral("—");
}

} // namespace Stagelens
