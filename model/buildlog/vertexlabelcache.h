#pragma once

// Vertex names repeat: a step per platform or bake target, the same [internal] steps in every build of a log,
// the same Dockerfile built again and again in a CI log. Their labels are parsed once and shared, so equal
// names and labels share their strings too: less memory for a big log, and comparing two labels (the step
// order and the summary do it per vertex) finds the same characters instead of reading two copies. Every
// log parser (plain, tty, rawjson) names its vertices through one of these.

#include "buildrun.h"

#include <QByteArray>
#include <QHash>

namespace Stagelens {

class VertexLabelCache
{
public:
    /// Bounded, so that a log of unique names does not keep a second copy of all of them.
    static constexpr qsizetype MaxNames = 4096;

    /// Sets `v`'s name, label and category for the name whose UTF-8 is `name`; a name seen before costs a
    /// lookup, no allocation.
    void apply(BuildVertex &v, QByteArrayView name);
    void apply(BuildVertex &v, const QString &name) { apply(v, QByteArrayView(name.toUtf8())); }

private:
    struct Entry
    {
        QString name;
        VertexLabel label;
        VertexCategory category = VertexCategory::Other;
    };
    QHash<QByteArray, Entry> m_entries; ///< keyed by the name's UTF-8
};

} // namespace Stagelens
