#include "mainwindow.h"

#include <QLabel>
#include <QTimer>

namespace Stagelens {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    setWindowTitle(QStringLiteral("Stagelens"));
    m_placeholder = new QLabel(this);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setTextFormat(Qt::PlainText);
    setCentralWidget(m_placeholder);
    m_placeholder->setText(tr("Open a project folder, a Dockerfile or a build log."));
}

MainWindow::~MainWindow() = default;

void MainWindow::openPaths(const QStringList &paths)
{
    m_paths += paths;
    if (!paths.isEmpty())
        m_placeholder->setText(tr("Opened:\n%1").arg(m_paths.join(QLatin1Char('\n'))));
}

void MainWindow::setChangedPaths(const QStringList &paths)
{
    Q_UNUSED(paths);
}

void MainWindow::whenIdle(std::function<void()> done)
{
    QTimer::singleShot(0, this, std::move(done));
}

} // namespace Stagelens
