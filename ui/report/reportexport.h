#pragma once

// The GUI's File > Export Report: asks for a file and writes the same report as `stagelens report`.
/// GUI thread only.

#include "model/report/reportdata.h"

#include <functional>

class QAction;
class QWidget;

namespace Stagelens {

/// Asks where to save (PDF, PNG, SVG or Markdown; the folder defaults to Documents, never the project),
/// renders and writes atomically, and reports a failure in a message box. Returns the path written, or
/// an empty string when the user cancelled or writing failed.
QString exportReportInteractively(QWidget *parent, const ReportInput &input);

/// An "Export &Report…" action with Ctrl+E that calls exportReportInteractively() with what `input`
/// returns at the time it is triggered. The action is parented to `parent`.
QAction *createExportReportAction(QWidget *parent, std::function<ReportInput()> input);

} // namespace Stagelens
