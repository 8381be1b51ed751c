#pragma once

// The commit a CI job checked out, as its log prints it (#19): GitHub Actions' checkout step (`git log -1
// --format=%H` and the SHA on the next line, "HEAD is now at SHA", `git checkout --progress --force SHA`),
// GitLab's "Checking out SHA as ...", Jenkins' "Checking out Revision SHA (...)", Render's "==> Checking out
// commit SHA in branch ...". Fed the lines as the CI unwrapper leaves them (no timestamps, no ANSI). Any
// thread; one scanner per reading.

#include "buildrun.h"

#include <QByteArrayView>
#include <QList>
#include <QString>

namespace Stagelens {

struct CiRevision
{
    QString sha; ///< full (40 hex) or abbreviated, lower case
    int line = 0; ///< 1-based line of the log that printed it
    QString source; ///< which line said it ("GitHub Actions checkout", "GitLab", ...)
};

class CiRevisionScanner
{
public:
    /// One line of the log. Cheap for the lines that cannot be a checkout line (nearly all of them).
    void feed(QByteArrayView text, int line)
    {
        if (text.isEmpty())
            return;
        const char c = text.front();
        if (m_expectSha || c == '[' || c == 'H' || c == 'C' || c == '=')
            scan(text, line);
    }
    /// Whether feed() reads the next line whatever its first byte (else only lines starting with '[', 'H',
    /// 'C' or '=' can matter).
    bool wantsNextLine() const { return m_expectSha; }
    const QList<CiRevision> &revisions() const { return m_revisions; }

private:
    void scan(QByteArrayView text, int line);
    void add(QByteArrayView sha, int line, const char *source);

    QList<CiRevision> m_revisions;
    bool m_expectSha = false; ///< the line before ran `git log -1 --format=%H`
};

/// Every checkout line of a whole log text (for tests and one-off reads).
QList<CiRevision> findCiRevisions(QByteArrayView log);

/// Sets each build's `revision` to the commit printed before it: the last revision between the previous
/// build and this one (else the one the previous build had: one checkout, several builds). Abbreviated
/// SHAs give way to a full one they start. When two different commits are printed and no build lies
/// between them (parallel checkouts), the build's revision stays unknown rather than guessed.
void assignCiRevisions(QList<BuildRun> *builds, const QList<CiRevision> &revisions);

} // namespace Stagelens
