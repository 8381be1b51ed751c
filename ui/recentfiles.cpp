#include "recentfiles.h"

#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace Stagelens {

namespace {
constexpr int MaxRecent = 12;
const auto SettingsKey = QStringLiteral("recent/paths");
} // namespace

RecentFiles::RecentFiles(QMenu *menu, QObject *parent)
    : QObject(parent)
    , m_menu(menu)
{
    m_paths = QSettings().value(SettingsKey).toStringList();
    rebuildMenu();
}

void RecentFiles::add(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    m_paths.removeAll(absolute);
    m_paths.prepend(absolute);
    while (m_paths.size() > MaxRecent)
        m_paths.removeLast();
    if (m_persistent)
        QSettings().setValue(SettingsKey, m_paths);
    rebuildMenu();
}

void RecentFiles::rebuildMenu()
{
    m_menu->clear();
    int number = 1;
    for (const QString &path : std::as_const(m_paths)) {
        // Show where the file lives, with the home folder shortened, as file managers do.
        QString shown = QDir::toNativeSeparators(path);
        const QString home = QDir::homePath();
        if (shown.startsWith(home))
            shown = QLatin1Char('~') + shown.mid(home.size());
        QString text = shown;
        text.replace(QLatin1Char('&'), QLatin1String("&&"));
        if (number < 10)
            text = QStringLiteral("&%1 %2").arg(number).arg(text);
        QAction *action = m_menu->addAction(text);
        action->setEnabled(QFileInfo::exists(path));
        connect(action, &QAction::triggered, this, [this, path]() { Q_EMIT openRequested(path); });
        ++number;
    }
    if (m_paths.isEmpty()) {
        m_menu->addAction(tr("No recent files"))->setEnabled(false);
        return;
    }
    m_menu->addSeparator();
    connect(m_menu->addAction(tr("Clear Menu")), &QAction::triggered, this, [this]() {
        m_paths.clear();
        QSettings().remove(SettingsKey);
        rebuildMenu();
    });
}

} // namespace Stagelens
