#pragma once

// A bar across the top of the main window that offers to keep an opened log or build record in the build
// history: non-modal, it never interrupts, and "Always" turns the offer into the setting
// history/alwaysAddOpenedLogs. Once added (or declined), a file is not offered again in this session.

#include <QFrame>
#include <QSet>

class QLabel;
class QPushButton;
class QTimer;

namespace Stagelens {

class HistoryOfferBar : public QFrame
{
    Q_OBJECT
public:
    /// The QSettings key: add every opened log without asking.
    static constexpr const char *AlwaysAddKey = "history/alwaysAddOpenedLogs";

    explicit HistoryOfferBar(QWidget *parent = nullptr);

    /// Offers `path`, unless it was offered before.
    void offer(const QString &path);
    /// The path on offer, empty when the bar is hidden.
    QString offeredPath() const;
    /// Shows the outcome of an add for a few seconds.
    void showResult(const QString &text);
    QString text() const;

Q_SIGNALS:
    void addRequested(const QString &path);
    /// "Always" was clicked: the setting is on now.
    void alwaysChosen();

private:
    void accept(bool always);

    QLabel *m_label = nullptr;
    QPushButton *m_add = nullptr;
    QPushButton *m_always = nullptr;
    QPushButton *m_dismiss = nullptr;
    QTimer *m_hideTimer = nullptr;
    QString m_path;
    QSet<QString> m_seen;
};

} // namespace Stagelens
