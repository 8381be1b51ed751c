#include "baseimages.h"

#include "dockerdaemon.h"
#include "model/buildlog/buildrun.h"

#include <QHash>

namespace Stagelens {

QString fromVertexReference(const QString &vertexText)
{
    if (!vertexText.startsWith(QLatin1String("FROM ")))
        return {};
    // Only the reference: no "AS name" in a vertex, but stay safe against a platform or extra words.
    return vertexText.mid(5).trimmed().section(QLatin1Char(' '), 0, 0);
}

QList<BaseImageEvidence> gatherBaseImages(
    const BuildGraph &graph, const BuildRun *previousBuild, const DockerDaemonClient *daemon)
{
    // The FROM vertices of the logged build, by stage token ("" for a single-stage file), and every
    // reference it resolved (one FROM vertex serves all stages on the same image; the others only show in
    // "[internal] load metadata for ...").
    QHash<QString, QString> loggedByStage;
    QSet<QString> loggedReferences;
    if (previousBuild) {
        for (const BuildVertex &v : previousBuild->vertices) {
            if (v.label.step == 1 && v.label.instruction == QLatin1String("FROM")) {
                const QString ref = fromVertexReference(v.label.text);
                if (!ref.isEmpty() && !loggedByStage.contains(v.label.stage))
                    loggedByStage.insert(v.label.stage, ref);
                loggedReferences.insert(ref.section(QLatin1Char('@'), 0, 0));
            } else if (v.label.internal && v.label.text.startsWith(QLatin1String("load metadata for "))) {
                loggedReferences.insert(v.label.text.mid(18).trimmed());
            }
        }
    }
    const bool singleStage = graph.stages.size() == 1;
    QHash<QString, ImageFacts> asked; // one question per reference
    auto inspect = [&](const QString &ref) {
        if (!asked.contains(ref))
            asked.insert(ref, daemon->inspect(ref));
        return asked.value(ref);
    };
    QList<BaseImageEvidence> out;
    for (const Stage &stage : graph.stages) {
        if (!stage.needed || stage.baseStage >= 0 || stage.base.isEmpty())
            continue;
        BaseImageEvidence e;
        e.stage = stage.index;
        e.next = stage.base;
        e.previous = stage.base;
        if (previousBuild) {
            const QString token = singleStage ? QString() : stage.token();
            if (loggedByStage.contains(token)) {
                e.previous = loggedByStage.value(token);
                e.restsOn = BaseEvidence::Log;
            } else if (singleStage && loggedByStage.size() == 1) {
                e.previous = loggedByStage.cbegin().value(); // a frontend that printed a stage token
                e.restsOn = BaseEvidence::Log;
            } else if (loggedReferences.contains(stage.base)) {
                e.restsOn = BaseEvidence::Log; // the same image was resolved for another stage's FROM
            } else if (loggedReferences.size() == 1) {
                // One FROM vertex serves every stage on an image, printed under one stage's name; when the
                // logged build resolved a single image, that was this stage's base too.
                e.previous = *loggedReferences.cbegin();
                e.restsOn = BaseEvidence::Log;
            }
        }
        const bool differs = e.previous.section(QLatin1Char('@'), 0, 0) != e.next
            || !e.next.section(QLatin1Char('@'), 1).isEmpty();
        if (daemon && e.restsOn == BaseEvidence::Log && differs) {
            e.previousImage = inspect(e.previous);
            e.nextImage = inspect(e.next);
            QStringList errors;
            for (const ImageFacts *f : {&*e.previousImage, &*e.nextImage}) {
                if (!f->found && !errors.contains(f->error))
                    errors.append(f->error);
            }
            if (errors.isEmpty())
                e.restsOn = BaseEvidence::LogAndDaemon;
            else
                e.detail = errors.join(QStringLiteral("; "));
        }
        out.append(e);
    }
    return out;
}

} // namespace Stagelens
