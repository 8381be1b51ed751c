#pragma once

// The Markdown form of a report: headline figures and tables, compact enough for a CI job summary
// ($GITHUB_STEP_SUMMARY). Callable from any thread.

#include "reportdata.h"

#include <QString>

namespace Stagelens {

/// Labels longer than this are cut (with "…") in Markdown cells, to keep CI summaries readable.
constexpr int MarkdownLabelLimit = 160;
/// At most this many rows in the full step table (the rest are counted).
constexpr int MarkdownStepRowLimit = 300;

/// The whole report as GitHub-flavoured Markdown.
QString reportToMarkdown(const ReportData &data);

/// Text made safe for a Markdown table cell: Markdown punctuation backslash-escaped, line breaks
/// flattened, so a label can neither end the cell nor start emphasis, links, HTML or math.
QString markdownEscape(const QString &text);

} // namespace Stagelens
