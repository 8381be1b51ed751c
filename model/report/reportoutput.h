#pragma once

// Where and how a report is written: the format chosen by the file suffix, atomic writes, and a default
// folder outside the user's project. Callable from any thread.

#include <QByteArray>
#include <QString>

#include <optional>

namespace Stagelens {

enum class ReportFormat
{
    Pdf,
    Png,
    Svg,
    Markdown
};

/// The format a path asks for by its suffix (.pdf, .png, .svg, .md/.markdown), case-insensitive.
std::optional<ReportFormat> reportFormatForPath(const QString &path);
QString reportFormatSuffix(ReportFormat format);

/// Writes `bytes` to `path` through QSaveFile: readers see the old file or the complete new one, never
/// a half-written report. Returns an empty string on success, else a message naming the path.
QString writeFileAtomically(const QString &path, const QByteArray &bytes);

/// A folder for reports the user has not placed yet: Documents, else home. Never the project folder, so
/// exporting cannot dirty a build context (and bust its cache).
QString defaultReportDirectory();

} // namespace Stagelens
