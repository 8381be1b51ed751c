#pragma once

// Paints a report (model/report/ReportData) with QPainter: multi-page A4 PDF, or one tall PNG/SVG. The
// content and its order are the same in every format; only the page flow differs.
/// GUI thread only: QFont and QPainter need the QGuiApplication (the offscreen platform is enough).

#include "model/report/reportdata.h"
#include "model/report/reportoutput.h"

#include <QByteArray>
#include <QImage>
#include <QSizeF>
#include <QString>

namespace Stagelens {

struct ReportRenderResult
{
    QByteArray bytes; ///< the encoded file
    int pages = 0; ///< PDF pages (1 for PNG/SVG)
    QSizeF size; ///< logical size of the (last) page, in points
    QString error;
};

/// Vector PDF, A4 pages with page numbers, text selectable, fonts embedded.
ReportRenderResult renderReportPdf(const ReportData &data);
/// Vector SVG of the whole report as one tall page.
ReportRenderResult renderReportSvg(const ReportData &data);
/// One tall image of the whole report at `devicePixelRatio` (2 for the PNG export).
QImage renderReportImage(const ReportData &data, qreal devicePixelRatio = 2.0);
ReportRenderResult renderReportPng(const ReportData &data);

/// Renders `data` in `format` (Markdown included).
ReportRenderResult renderReport(const ReportData &data, ReportFormat format);
/// Renders in the format `path`'s suffix names and writes it atomically. Empty string on success, else
/// the message to show.
QString writeReport(const ReportData &data, const QString &path);

} // namespace Stagelens
