#include "dagsnapshot.h"

#include "ui/graph/dagscene.h"
#include "ui/style/palette.h"
#include "ui/viewadapters.h"

#include <QFont>
#include <QPainter>
#include <QPalette>

namespace Stagelens {

DagSnapshot::DagSnapshot(const ReportData &data, bool collapsed)
    : m_scene(std::make_unique<DagScene>())
    , m_collapsed(collapsed)
{
    if (data.graph.stages.isEmpty()) {
        m_error = QStringLiteral("the Dockerfile has no stages");
        return;
    }
    // Reports are printed on white whatever the desktop theme, so the scene gets a light palette and a
    // fixed font instead of the application's.
    m_scene->setPalette(ViewPalette::printPalette());
    QFont font(QStringLiteral("DejaVu Sans"));
    font.setHintingPreference(QFont::PreferNoHinting);
    font.setPixelSize(9);
    m_scene->setFont(font);

    DagInput input = makeDagInput(data.graph, data.analysis);
    input.model.collapsed = collapsed;

    // Laid out here and now: a report never spins an event loop while other results could re-enter.
    if (!m_scene->setModelAndLayOut(input.model))
        m_error = m_scene->layoutError().isEmpty() ? QStringLiteral("the graph layout failed")
                                                   : m_scene->layoutError();
    if (m_error.isEmpty())
        m_rect = m_scene->itemsBoundingRect().marginsAdded(QMarginsF(4, 4, 4, 4));
}

DagSnapshot::~DagSnapshot() = default;

void DagSnapshot::render(QPainter *painter, const QRectF &target, const QRectF &source) const
{
    if (!isValid())
        return;
    painter->save();
    painter->setClipRect(target);
    m_scene->render(painter, target, source, Qt::KeepAspectRatio);
    painter->restore();
}

} // namespace Stagelens
