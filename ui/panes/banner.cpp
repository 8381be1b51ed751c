#include "banner.h"

#include "ui/style/palette.h"

#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace Stagelens {

Banner::Banner(Kind kind, QWidget *parent)
    : QFrame(parent)
    , m_kind(kind)
{
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(8, 4, 8, 4);
    outer->setSpacing(4);
    auto *layout = new QHBoxLayout;
    layout->setContentsMargins(0, 0, 0, 0);
    outer->addLayout(layout);
    m_detail = new QPlainTextEdit;
    m_detail->setReadOnly(true);
    m_detail->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_detail->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_detail->setFrameShape(QFrame::NoFrame);
    m_detail->hide();
    outer->addWidget(m_detail);
    m_label = new QLabel;
    m_label->setTextFormat(Qt::PlainText);
    m_label->setWordWrap(true);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont font = m_label->font();
    font.setBold(kind == Kind::Failure);
    m_label->setFont(font);
    m_button = new QPushButton;
    m_button->hide();
    layout->addWidget(m_label, 1);
    layout->addWidget(m_button, 0, Qt::AlignVCenter);
    connect(m_button, &QPushButton::clicked, this, &Banner::actionTriggered);
    applyPalette();
    hide();
}

void Banner::show(const QString &text, const QString &action)
{
    m_label->setText(text);
    m_button->setText(action);
    m_button->setVisible(!action.isEmpty());
    setVisible(!text.isEmpty());
}

void Banner::setDetail(const QString &detail)
{
    m_detail->setPlainText(detail);
    // Up to eight lines show at once: the graph below stays the main view; more lines scroll.
    const int lines = std::min<int>(8, int(detail.count(QLatin1Char('\n'))) + 1);
    const QFontMetrics fm(m_detail->font());
    m_detail->setFixedHeight(lines * fm.lineSpacing() + 2 * int(m_detail->document()->documentMargin()) + 4);
    m_detail->setVisible(!detail.isEmpty());
}

QString Banner::detail() const
{
    return m_detail->isHidden() ? QString() : m_detail->toPlainText();
}

QString Banner::text() const
{
    return isVisible() ? m_label->text() : QString();
}

void Banner::changeEvent(QEvent *event)
{
    QFrame::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && !m_applying)
        applyPalette();
}

// A tint of the state colour on the window's own background: readable in both palettes.
void Banner::applyPalette()
{
    const QPalette base = parentWidget() ? parentWidget()->palette() : palette();
    const QColor tint = m_kind == Kind::Failure ? ViewPalette::stateColor(StepState::Error, base)
                                                : ViewPalette::verdictColor(WhatIfVerdict::Rerun, base);
    const QColor window = base.color(QPalette::Window);
    QPalette p = palette();
    p.setColor(QPalette::Window, ViewPalette::mix(window, tint, 0.18));
    p.setColor(QPalette::WindowText, base.color(QPalette::WindowText));
    m_applying = true;
    setPalette(p);
    m_applying = false;
}

} // namespace Stagelens
