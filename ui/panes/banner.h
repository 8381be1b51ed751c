#pragma once

// A one-line message across the top of a view, with an optional action: the build failed (and where), or
// the answer to the what-if question. It sits in the layout above the drawing, never over it.

#include <QFrame>

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace Stagelens {

class Banner : public QFrame
{
    Q_OBJECT
public:
    enum class Kind
    {
        Failure,
        Answer
    };

    explicit Banner(Kind kind, QWidget *parent = nullptr);

    /// Shows `text` (plain text, wrapped) with a button `action` (none when empty); an empty text hides it.
    void show(const QString &text, const QString &action = {});
    QString text() const;
    /// Text shown as printed under the message, in a fixed-width font (BuildKit's Dockerfile excerpt of a
    /// failure), scrollable beyond a few lines; empty hides it.
    void setDetail(const QString &detail);
    QString detail() const;

Q_SIGNALS:
    void actionTriggered();

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyPalette();

    Kind m_kind;
    QLabel *m_label = nullptr;
    QPushButton *m_button = nullptr;
    QPlainTextEdit *m_detail = nullptr;
    bool m_applying = false; ///< setPalette() itself sends a PaletteChange
};

} // namespace Stagelens
