#include "lazylibrary.h"

#include <dlfcn.h>

namespace Stagelens {

LazyLibrary::LazyLibrary(const char *soname, const QByteArray &fallbackPath)
    : m_soname(soname)
    , m_handle(dlopen(soname, RTLD_NOW | RTLD_LOCAL))
{
    if (m_handle)
        return;
    m_error = QStringLiteral("%1 is not available: %2")
                  .arg(QLatin1String(soname), QString::fromLocal8Bit(dlerror()));
    if (!fallbackPath.isEmpty()) {
        m_handle = dlopen(fallbackPath.constData(), RTLD_NOW | RTLD_LOCAL);
        if (m_handle)
            m_error.clear();
        else
            m_error += QStringLiteral("; %1").arg(QString::fromLocal8Bit(dlerror()));
    }
}

void *LazyLibrary::symbol(const char *name)
{
    if (!m_handle)
        return nullptr;
    void *found = dlsym(m_handle, name);
    if (!found && m_error.isEmpty())
        m_error = QStringLiteral("%1 lacks %2").arg(QLatin1String(m_soname), QLatin1String(name));
    return found;
}

} // namespace Stagelens
