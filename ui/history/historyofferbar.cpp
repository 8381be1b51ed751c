#include "historyofferbar.h"

#include "ui/style/palette.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QTimer>

namespace Stagelens {

namespace {

constexpr int ResultShownMs = 6000;

} // namespace

HistoryOfferBar::HistoryOfferBar(QWidget *parent)
    : QFrame(parent)
    , m_hideTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("historyOfferBar"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    QPalette p = palette();
    p.setColor(
        QPalette::Window, ViewPalette::mix(p.color(QPalette::Window), p.color(QPalette::Highlight), 0.12));
    setPalette(p);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 3, 8, 3);
    m_label = new QLabel;
    m_label->setTextFormat(Qt::PlainText);
    m_label->setWordWrap(true);
    m_add = new QPushButton(tr("Add to History"));
    m_always = new QPushButton(tr("Always Add Opened Logs"));
    m_always->setToolTip(tr("Add every log and build record you open from now on (setting %1)")
                             .arg(QString::fromLatin1(AlwaysAddKey)));
    m_dismiss = new QPushButton(tr("Not Now"));
    layout->addWidget(m_label, 1);
    layout->addWidget(m_add);
    layout->addWidget(m_always);
    layout->addWidget(m_dismiss);
    connect(m_add, &QPushButton::clicked, this, [this]() { accept(false); });
    connect(m_always, &QPushButton::clicked, this, [this]() { accept(true); });
    connect(m_dismiss, &QPushButton::clicked, this, [this]() {
        m_path.clear();
        hide();
    });
    m_hideTimer->setSingleShot(true);
    connect(m_hideTimer, &QTimer::timeout, this, &QWidget::hide);
    hide();
}

void HistoryOfferBar::offer(const QString &path)
{
    const QString key = QFileInfo(path).absoluteFilePath();
    if (m_seen.contains(key))
        return;
    m_seen.insert(key);
    m_hideTimer->stop();
    m_path = path;
    m_label->setText(
        tr("Keep %1 in the build history, to see its trends over time?").arg(QFileInfo(path).fileName()));
    for (QPushButton *button : {m_add, m_always, m_dismiss})
        button->show();
    show();
}

QString HistoryOfferBar::offeredPath() const
{
    return isVisible() ? m_path : QString();
}

void HistoryOfferBar::accept(bool always)
{
    if (m_path.isEmpty())
        return;
    if (always) {
        QSettings().setValue(QString::fromLatin1(AlwaysAddKey), true);
        Q_EMIT alwaysChosen();
    }
    const QString path = std::exchange(m_path, QString());
    m_label->setText(tr("Adding %1 to the build history...").arg(QFileInfo(path).fileName()));
    for (QPushButton *button : {m_add, m_always})
        button->hide();
    Q_EMIT addRequested(path);
}

void HistoryOfferBar::showResult(const QString &text)
{
    m_path.clear();
    m_label->setText(text);
    for (QPushButton *button : {m_add, m_always, m_dismiss})
        button->hide();
    show();
    m_hideTimer->start(ResultShownMs);
}

QString HistoryOfferBar::text() const
{
    return isVisible() ? m_label->text() : QString();
}

} // namespace Stagelens
