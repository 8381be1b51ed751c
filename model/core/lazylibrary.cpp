#include "lazylibrary.h"

#include <dlfcn.h>

namespace Stagelens {

LazyLibrary::LazyLibrary(const char *soname)
    : m_soname(soname)
    , m_handle(dlopen(soname, RTLD_NOW | RTLD_LOCAL))
{
    if (!m_handle)
        m_error = QStringLiteral("%1 is not available: %2")
                      .arg(QLatin1String(soname), QString::fromLocal8Bit(dlerror()));
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
