#include "cirevision.h"

#include "lineunwrapper.h"

namespace Stagelens {

namespace {

bool isHex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// The hex run at the start of `text` when it is a plausible commit id (7 to 40 digits, then a word end).
QByteArrayView leadingSha(QByteArrayView text)
{
    qsizetype n = 0;
    while (n < text.size() && n < 41 && isHex(text[n]))
        ++n;
    if (n < 7 || n > 40)
        return {};
    if (n < text.size() && (std::isalnum(static_cast<unsigned char>(text[n])) || text[n] == '_'))
        return {};
    return viewLeft(text, n);
}

// The SHA after `marker` in `text`, or empty.
QByteArrayView shaAfter(QByteArrayView text, QByteArrayView marker, qsizetype from = 0)
{
    const qsizetype at = text.indexOf(marker, from);
    return at < 0 ? QByteArrayView() : leadingSha(viewMid(text, at + marker.size()));
}

QByteArrayView trimmed(QByteArrayView v)
{
    while (!v.isEmpty() && (v.front() == ' ' || v.front() == '\t'))
        v = viewMid(v, 1);
    while (!v.isEmpty() && (v.back() == ' ' || v.back() == '\t'))
        v.chop(1);
    return v;
}

} // namespace

void CiRevisionScanner::add(QByteArrayView sha, int line, const char *source)
{
    m_revisions.append(
        {QString::fromLatin1(sha.data(), sha.size()).toLower(), line, QString::fromLatin1(source)});
}

void CiRevisionScanner::scan(QByteArrayView text, int line)
{
    if (m_expectSha) {
        m_expectSha = false;
        const QByteArrayView t = trimmed(text);
        if (t.size() == 40 && leadingSha(t).size() == 40) {
            add(t, line, "GitHub Actions checkout (git log -1)");
            return;
        }
    }
    // actions/checkout runs `git log -1 --format=%H` (quoted in some versions) and prints the full SHA.
    if (hasPrefix(text, "[command]")) {
        if (text.contains("git log -1 ") && text.contains("--format=") && text.contains("%H")) {
            m_expectSha = true;
        } else if (text.contains("git checkout --progress --force ")) {
            const QByteArrayView sha = shaAfter(text, "--force ");
            if (sha.size() == 40)
                add(sha, line, "GitHub Actions checkout");
        }
        return;
    }
    if (hasPrefix(text, "HEAD is now at ")) {
        if (const QByteArrayView sha = shaAfter(text, "HEAD is now at "); !sha.isEmpty())
            add(sha, line, "git checkout (HEAD is now at)");
        return;
    }
    if (hasPrefix(text, "==> Checking out commit ")) { // Render
        if (const QByteArrayView sha = shaAfter(text, "==> Checking out commit "); !sha.isEmpty())
            add(sha, line, "Render checkout");
        return;
    }
    if (hasPrefix(text, "Checking out Revision ")) { // Jenkins' git plugin; parallel branches share a line
        for (qsizetype at = 0; (at = text.indexOf("Checking out Revision ", at)) >= 0; ++at) {
            if (const QByteArrayView sha = shaAfter(text, "Checking out Revision ", at); !sha.isEmpty())
                add(sha, line, "Jenkins checkout");
        }
        return;
    }
    if (hasPrefix(
            text, "Checking out ")) { // GitLab: "Checking out 9af6ee93 as detached HEAD (ref is main)..."
        const QByteArrayView sha = shaAfter(text, "Checking out ");
        if (!sha.isEmpty() && text.indexOf(" as ", 13) == 13 + sha.size())
            add(sha, line, "GitLab checkout");
    }
}

QList<CiRevision> findCiRevisions(QByteArrayView log)
{
    CiRevisionScanner scanner;
    QByteArray scratch;
    int number = 0;
    qsizetype start = 0;
    while (start <= log.size()) {
        qsizetype end = log.indexOf('\n', start);
        if (end < 0)
            end = log.size();
        ++number;
        const QByteArrayView raw = viewMid(log, start, end - start);
        scanner.feed(unwrapLogLineView(raw, &scratch, false).text, number);
        start = end + 1;
    }
    return scanner.revisions();
}

void assignCiRevisions(QList<BuildRun> *builds, const QList<CiRevision> &revisions)
{
    if (revisions.isEmpty())
        return;
    QString previous;
    int previousEnd = 0;
    for (BuildRun &run : *builds) {
        if (!run.revision.isEmpty()) {
            previous = run.revision;
            previousEnd = std::max(run.firstLine, run.lastLine);
            continue;
        }
        const int start = std::min(run.firstLine, run.lastLine);
        QStringList seen; // distinct commits printed since the previous build, in order
        for (const CiRevision &r : revisions) {
            if (r.line <= previousEnd || r.line > start)
                continue;
            bool merged = false;
            for (QString &s : seen) {
                if (s.startsWith(r.sha) || r.sha.startsWith(s)) { // an abbreviation of the same commit
                    if (r.sha.size() > s.size())
                        s = r.sha;
                    merged = true;
                }
            }
            if (!merged)
                seen.append(r.sha);
        }
        if (seen.size() == 1)
            run.revision = seen.first();
        else if (seen.isEmpty())
            run.revision = previous;
        previous = run.revision;
        previousEnd = std::max(run.firstLine, run.lastLine);
    }
}

} // namespace Stagelens
