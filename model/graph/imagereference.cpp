#include "imagereference.h"

#include <QRegularExpression>
#include <QStringList>

namespace Stagelens {

namespace {

const QString DefaultDomain = QStringLiteral("docker.io");

// One path component of a repository name (distribution/reference's grammar).
bool isValidComponent(const QString &component)
{
    static const QRegularExpression re(QStringLiteral("^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$"));
    return re.match(component).hasMatch();
}

bool isValidTag(const QString &tag)
{
    static const QRegularExpression re(QStringLiteral("^[\\w][\\w.-]{0,127}$"));
    return re.match(tag).hasMatch();
}

bool isValidDigest(const QString &digest)
{
    static const QRegularExpression re(
        QStringLiteral("^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$"));
    return re.match(digest).hasMatch();
}

bool isValidDomain(const QString &domain)
{
    static const QRegularExpression re(
        QStringLiteral("^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9]["
                       "a-zA-Z0-9-]*[a-zA-Z0-9]))*"
                       "(?::[0-9]+)?$|^\\[[0-9a-fA-F:.]+\\](?::[0-9]+)?$"));
    return re.match(domain).hasMatch();
}

} // namespace

QString ImageReference::toString() const
{
    QString s = domain + QLatin1Char('/') + path;
    if (!tag.isEmpty())
        s += QLatin1Char(':') + tag;
    if (!digest.isEmpty())
        s += QLatin1Char('@') + digest;
    return s;
}

ImageReference normalizeImageReference(const QString &text)
{
    ImageReference ref;
    const QString invalid = QStringLiteral("invalid reference format");
    if (text.isEmpty() || text.size() > 4096) {
        ref.error = invalid;
        return ref;
    }
    QString rest = text;
    const qsizetype at = rest.indexOf(QLatin1Char('@'));
    if (at >= 0) {
        ref.digest = rest.mid(at + 1);
        rest.truncate(at);
        if (!isValidDigest(ref.digest)) {
            ref.error = invalid;
            return ref;
        }
    }
    // The tag is after the last ':' that follows the last '/' (a ':' before it is a registry port).
    const qsizetype slash = rest.lastIndexOf(QLatin1Char('/'));
    const qsizetype colon = rest.lastIndexOf(QLatin1Char(':'));
    if (colon > slash) {
        ref.tag = rest.mid(colon + 1);
        rest.truncate(colon);
        if (!isValidTag(ref.tag)) {
            ref.error = invalid;
            return ref;
        }
    }
    // The first component is a registry when it has a '.' or ':' or is "localhost" (Docker's rule).
    const qsizetype firstSlash = rest.indexOf(QLatin1Char('/'));
    QString remainder = rest;
    ref.domain = DefaultDomain;
    if (firstSlash >= 0) {
        const QString first = rest.left(firstSlash);
        if (first.contains(QLatin1Char('.')) || first.contains(QLatin1Char(':'))
            || first == QLatin1String("localhost") || first != first.toLower()) {
            ref.domain = first;
            remainder = rest.mid(firstSlash + 1);
        }
    }
    if (ref.domain == QLatin1String("index.docker.io"))
        ref.domain = DefaultDomain;
    if (ref.domain == DefaultDomain && !remainder.contains(QLatin1Char('/')))
        remainder = QStringLiteral("library/") + remainder;
    if (!isValidDomain(ref.domain)) {
        ref.error = invalid;
        return ref;
    }
    if (remainder != remainder.toLower()) {
        ref.error = QStringLiteral("invalid reference format: repository name must be lowercase");
        return ref;
    }
    const QStringList components = remainder.split(QLatin1Char('/'));
    for (const QString &c : components) {
        if (!isValidComponent(c)) {
            ref.error = invalid;
            return ref;
        }
    }
    ref.path = remainder;
    if (ref.tag.isEmpty() && ref.digest.isEmpty())
        ref.tag = QStringLiteral("latest");
    return ref;
}

} // namespace Stagelens
