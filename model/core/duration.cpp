#include "duration.h"

#include <cmath>

namespace Stagelens {

QString formatDuration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0 || seconds > 1e9)
        return unknownFigure();
    if (seconds < 60)
        return QStringLiteral("%1 s").arg(seconds, 0, 'f', 1);
    const qint64 whole = qint64(std::llround(seconds));
    if (whole < 3600)
        return QStringLiteral("%1 min %2 s").arg(whole / 60).arg(whole % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1 h %2 min").arg(whole / 3600).arg((whole % 3600) / 60, 2, 10, QLatin1Char('0'));
}

QString formatDuration(const std::optional<double> &seconds)
{
    return seconds ? formatDuration(*seconds) : unknownFigure();
}

} // namespace Stagelens
