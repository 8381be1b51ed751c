#include "dagsnapshot.h"

#include "ui/graph/dagscene.h"
#include "ui/viewadapters.h"

#include <QEventLoop>
#include <QFont>
#include <QPainter>
#include <QPalette>
#include <QTimer>

namespace Stagelens {

DagSnapshot::DagSnapshot(const ReportData &data, bool collapsed, int timeoutMs)
    : m_scene(std::make_unique<DagScene>())
    , m_collapsed(collapsed)
{
    if (data.graph.stages.isEmpty()) {
        m_error = QStringLiteral("the Dockerfile has no stages");
        return;
    }
    // Reports are printed on white whatever the desktop theme, so the scene gets a light palette and a
    // fixed font instead of the application's.
    m_scene->setPalette(QPalette(QColor(0xee, 0xee, 0xee), QColor(Qt::white)));
    QFont font(QStringLiteral("DejaVu Sans"));
    font.setHintingPreference(QFont::PreferNoHinting);
    font.setPixelSize(9);
    m_scene->setFont(font);

    DagInput input = makeDagInput(data.graph, data.analysis);
    input.model.collapsed = collapsed;

    QEventLoop loop;
    bool finished = false;
    QObject::connect(m_scene.get(), &DagScene::layoutFinished, &loop, [&] {
        finished = true;
        loop.quit();
    });
    QObject::connect(m_scene.get(), &DagScene::layoutFailed, &loop, [&](const QString &error) {
        m_error = error.isEmpty() ? QStringLiteral("the graph layout failed") : error;
        loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    m_scene->setModel(input.model);
    if (m_scene->isLayoutPending())
        loop.exec(QEventLoop::ExcludeUserInputEvents);
    if (!finished && m_error.isEmpty())
        m_error = QStringLiteral("the graph layout did not finish in time");
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
