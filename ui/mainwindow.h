#pragma once

#include <QMainWindow>

#include <functional>

class QLabel;

namespace Stagelens {

/// The main window. GUI thread only.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Opens each path as if it had been dropped on the window.
    void openPaths(const QStringList &paths);
    /// Preselects context paths in the what-if view.
    void setChangedPaths(const QStringList &paths);
    /// Calls `done` once every pending load and layout has finished.
    void whenIdle(std::function<void()> done);

private:
    QLabel *m_placeholder = nullptr;
    QStringList m_paths;
};

} // namespace Stagelens
