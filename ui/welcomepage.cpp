#include "welcomepage.h"

#include <QDir>
#include <QFileInfo>
#include <QGridLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace Stagelens {

WelcomePage::WelcomePage(QWidget *parent)
    : QWidget(parent)
{
    auto *title = new QLabel(tr("Stagelens"));
    QFont big = title->font();
    big.setPointSizeF(big.pointSizeF() * 2);
    big.setBold(true);
    title->setFont(big);
    auto *intro = new QLabel(tr("See why a Docker build is slow and what the next edit will cost.\n"
                                "Open a project folder or a Dockerfile, a build log (plain, tty, rawjson, "
                                "a CI job's log) or a build record, or drop them on this window."));
    intro->setWordWrap(true);

    auto button = [this](const QString &text, const QString &tip, void (WelcomePage::*signal)()) {
        auto *b = new QPushButton(text);
        b->setToolTip(tip);
        b->setMinimumHeight(b->sizeHint().height() * 3 / 2);
        connect(b, &QPushButton::clicked, this, signal);
        return b;
    };
    auto *openFolder = button(tr("Open Folder..."),
        tr("A project folder: its Dockerfiles, .dockerignore and "
           "build context (Ctrl+O)"),
        &WelcomePage::openFolderRequested);
    auto *openDockerfile = button(tr("Open Dockerfile..."),
        tr("One Dockerfile; its folder is the build context"), &WelcomePage::openDockerfileRequested);
    auto *openLog = button(tr("Open Build Log..."),
        tr("A BuildKit log or build record, alone or over the open project (Ctrl+L)"),
        &WelcomePage::openLogRequested);
    m_example = new QPushButton(tr("Open the Bundled Example"));
    m_example->setToolTip(tr("A small multi-stage project with the log a real BuildKit wrote for it"));
    m_example->setMinimumHeight(openLog->minimumHeight());
    m_example->hide();
    connect(m_example, &QPushButton::clicked, this, [this]() { Q_EMIT openRequested(m_examplePaths); });

    auto *recentTitle = new QLabel(tr("Recent files"));
    QFont bold = recentTitle->font();
    bold.setBold(true);
    recentTitle->setFont(bold);
    m_recent = new QListWidget;
    m_recent->setTextElideMode(Qt::ElideMiddle);
    m_recent->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff); // long paths elide; the tooltip has them
    m_recent->setUniformItemSizes(true);
    m_recent->setMinimumWidth(360);
    auto open = [this](QListWidgetItem *item) {
        if (item && (item->flags() & Qt::ItemIsEnabled))
            Q_EMIT openRequested({item->data(Qt::UserRole).toString()});
    };
    connect(m_recent, &QListWidget::itemActivated, this, open);
    connect(m_recent, &QListWidget::itemClicked, this, open);

    auto *buttons = new QVBoxLayout;
    buttons->addWidget(openFolder);
    buttons->addWidget(openDockerfile);
    buttons->addWidget(openLog);
    buttons->addSpacing(12);
    buttons->addWidget(m_example);
    buttons->addStretch(1);
    auto *recent = new QVBoxLayout;
    recent->addWidget(recentTitle);
    recent->addWidget(m_recent, 1);

    auto *columns = new QHBoxLayout;
    columns->addLayout(buttons, 0);
    columns->addSpacing(24);
    columns->addLayout(recent, 1);

    // A centred column of readable width: at 4K the page does not stretch into a thin line of buttons.
    auto *content = new QWidget;
    content->setMaximumWidth(900);
    auto *inner = new QVBoxLayout(content);
    inner->addWidget(title);
    inner->addWidget(intro);
    inner->addSpacing(16);
    inner->addLayout(columns, 1);
    auto *outer = new QGridLayout(this);
    outer->addWidget(content, 1, 1);
    outer->setRowStretch(0, 1);
    outer->setRowStretch(2, 2);
    outer->setColumnStretch(0, 1);
    outer->setColumnStretch(2, 1);
    outer->setRowMinimumHeight(1, 360);
}

void WelcomePage::setRecentFiles(const QStringList &paths)
{
    m_recent->clear();
    for (const QString &path : paths) {
        const QFileInfo info(path);
        if (!info.exists())
            continue; // moved or deleted since: nothing to open
        auto *item =
            new QListWidgetItem(QStringLiteral("%1   —   %2")
                                    .arg(info.fileName(), QDir::toNativeSeparators(info.absolutePath())));
        item->setData(Qt::UserRole, path);
        item->setToolTip(QDir::toNativeSeparators(path));
        m_recent->addItem(item);
    }
    if (m_recent->count() == 0) {
        auto *item = new QListWidgetItem(tr("No recent files yet"));
        item->setFlags(Qt::NoItemFlags);
        m_recent->addItem(item);
    }
}

void WelcomePage::setExample(const QString &project, const QString &log)
{
    m_examplePaths = {project, log};
    m_example->setVisible(QFileInfo(project).isDir() && QFileInfo(log).isFile());
}

QStringList WelcomePage::recentFiles() const
{
    QStringList paths;
    for (int i = 0; i < m_recent->count(); ++i) {
        const QString path = m_recent->item(i)->data(Qt::UserRole).toString();
        if (!path.isEmpty())
            paths.append(path);
    }
    return paths;
}

bool WelcomePage::hasExample() const
{
    return !m_example->isHidden();
}

} // namespace Stagelens
