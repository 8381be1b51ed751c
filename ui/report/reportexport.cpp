#include "reportexport.h"

#include "model/report/reportoutput.h"
#include "ui/report/reportrenderer.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>

namespace Stagelens {

namespace {

QString suggestedFileName(const ReportInput &input)
{
    QString base = QFileInfo(input.project).fileName();
    if (base.isEmpty())
        base = QFileInfo(input.dockerfile).completeBaseName();
    if (base.isEmpty())
        base = QStringLiteral("build");
    return base + QStringLiteral("-timing-report.pdf");
}

} // namespace

QString exportReportInteractively(QWidget *parent, const ReportInput &input)
{
    const QString filters = QStringLiteral(
        "PDF document (*.pdf);;PNG image (*.png);;SVG image (*.svg);;Markdown, for CI summaries (*.md)");
    QString selectedFilter;
    QString path = QFileDialog::getSaveFileName(parent, QStringLiteral("Export Report"),
        QDir(defaultReportDirectory()).filePath(suggestedFileName(input)), filters, &selectedFilter);
    if (path.isEmpty())
        return {};
    // A name typed without a known suffix gets the one of the chosen filter.
    if (!reportFormatForPath(path)) {
        const int star = selectedFilter.indexOf(QLatin1String("*."));
        const QString suffix = star >= 0 ? selectedFilter.mid(star + 1).chopped(1) : QStringLiteral(".pdf");
        path += suffix;
    }
    QApplication::setOverrideCursor(Qt::WaitCursor);
    const QString error = writeReport(makeReportData(input), path);
    QApplication::restoreOverrideCursor();
    if (!error.isEmpty()) {
        // Plain text: the message carries a user-chosen path, never to be read as markup.
        QMessageBox box(
            QMessageBox::Warning, QStringLiteral("Export Report"), error, QMessageBox::Ok, parent);
        box.setTextFormat(Qt::PlainText);
        box.exec();
        return {};
    }
    return path;
}

QAction *createExportReportAction(QWidget *parent, std::function<ReportInput()> input)
{
    auto *action = new QAction(QStringLiteral("Export &Report…"), parent);
    action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    action->setStatusTip(QStringLiteral("Write a timing report as PDF, PNG, SVG or Markdown"));
    QObject::connect(action, &QAction::triggered, parent,
        [parent, input = std::move(input)]() { exportReportInteractively(parent, input()); });
    return action;
}

} // namespace Stagelens
