#pragma once

// What the empty window shows: the ways in (a folder, a Dockerfile, a build log), the recent files, and the
// bundled example, instead of an empty graph canvas with stray axes.

#include <QWidget>

class QListWidget;
class QPushButton;

namespace Stagelens {

class WelcomePage : public QWidget
{
    Q_OBJECT
public:
    explicit WelcomePage(QWidget *parent = nullptr);

    /// The recent files, newest first; those that no longer exist are left out.
    void setRecentFiles(const QStringList &paths);
    /// The bundled example's project folder and log; the button is hidden when they are not installed.
    void setExample(const QString &project, const QString &log);

    QStringList recentFiles() const;
    bool hasExample() const;

Q_SIGNALS:
    void openFolderRequested();
    void openDockerfileRequested();
    void openLogRequested();
    /// A recent entry, or the example (project then log), was chosen.
    void openRequested(const QStringList &paths);

private:
    QListWidget *m_recent = nullptr;
    QPushButton *m_example = nullptr;
    QStringList m_examplePaths;
};

} // namespace Stagelens
