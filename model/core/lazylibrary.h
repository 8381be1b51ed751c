#pragma once

// Libraries only some commands need are opened on first use (dlopen, by SONAME) instead of linked: linking
// loads them, and every library they link, at each start of the window and of every CLI command (libgit2
// with its TLS and ssh chain, libarchive with its compressors, OpenSSL's libcrypto: ~8 ms of the start-up
// budget of #22 together). The declarations still come from each library's own header, so types and ABI are
// those compiled against; CMake passes the SONAME of the library it found (stagelens_soname()).

#include <QByteArray>
#include <QString>

namespace Stagelens {

class LazyLibrary
{
public:
    /// Opens `soname` now; it stays open for the life of the program. When the search paths do not hold it,
    /// `fallbackPath` (a file) is tried next.
    explicit LazyLibrary(const char *soname, const QByteArray &fallbackPath = {});
    LazyLibrary(const LazyLibrary &) = delete;
    LazyLibrary &operator=(const LazyLibrary &) = delete;

    /// Why the library, or one of the symbols asked of it, could not be had; empty when all were.
    const QString &error() const { return m_error; }
    /// The symbol `name` as an F; null, and error() set, when it is missing.
    template<typename F>
    F resolve(const char *name)
    {
        return reinterpret_cast<F>(symbol(name));
    }

private:
    void *symbol(const char *name);

    const char *m_soname;
    void *m_handle = nullptr;
    QString m_error;
};

} // namespace Stagelens

/// In a struct whose LazyLibrary member `library` is declared before it: a member `name` pointing to the
/// library's function `name` (or to its variable `name`), typed by the library's header. Such a struct is
/// made once, as a function's static (thread-safe), and read from any thread.
#define STAGELENS_LAZY_FUNCTION(name) decltype(&::name) name = library.resolve<decltype(&::name)>(#name)
