#include "vertexlabelcache.h"

namespace Stagelens {

void VertexLabelCache::apply(BuildVertex &v, QByteArrayView name)
{
    auto it = m_entries.constFind(QByteArray::fromRawData(name.data(), name.size()));
    if (it == m_entries.constEnd()) {
        Entry entry;
        entry.name = QString::fromUtf8(name);
        entry.label = parseVertexLabel(entry.name);
        entry.category = categorizeVertex(entry.name, entry.label);
        if (m_entries.size() >= MaxNames) {
            v.name = std::move(entry.name);
            v.label = std::move(entry.label);
            v.category = entry.category;
            return;
        }
        it = m_entries.insert(name.toByteArray(), std::move(entry));
    }
    v.name = it->name;
    v.label = it->label;
    v.category = it->category;
}

} // namespace Stagelens
