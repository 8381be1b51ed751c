#include "vertexlabelcache.h"

namespace Stagelens {

void VertexLabelCache::apply(BuildVertex &v, const QString &name)
{
    auto it = m_entries.constFind(name);
    if (it == m_entries.constEnd()) {
        Entry entry;
        entry.name = name;
        entry.label = parseVertexLabel(name);
        entry.category = categorizeVertex(name, entry.label);
        if (m_entries.size() >= MaxNames) {
            v.name = std::move(entry.name);
            v.label = std::move(entry.label);
            v.category = entry.category;
            return;
        }
        it = m_entries.insert(name, std::move(entry));
    }
    v.name = it->name;
    v.label = it->label;
    v.category = it->category;
}

} // namespace Stagelens
