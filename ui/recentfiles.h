#pragma once

#include <QObject>
#include <QStringList>

class QMenu;

namespace Stagelens {

/// The File > Recent menu, persisted with QSettings. GUI thread only.
class RecentFiles : public QObject
{
    Q_OBJECT
public:
    explicit RecentFiles(QMenu *menu, QObject *parent = nullptr);

    void add(const QString &path);
    QStringList paths() const { return m_paths; }
    // Off for a --screenshot run: the list still shows what the user has, but nothing is written.
    void setPersistent(bool persistent) { m_persistent = persistent; }

Q_SIGNALS:
    void openRequested(const QString &path);

private:
    void rebuildMenu();

    QMenu *m_menu;
    QStringList m_paths;
    bool m_persistent = true;
};

} // namespace Stagelens
