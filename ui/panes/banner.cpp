#include "banner.h"

#include "ui/style/palette.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

namespace Stagelens {

Banner::Banner(Kind kind, QWidget *parent)
    : QFrame(parent)
    , m_kind(kind)
{
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 8, 4);
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
