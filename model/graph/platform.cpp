#include "platform.h"

#include <QStringList>

namespace Stagelens {

QString Platform::toString() const
{
    QString s = os + QLatin1Char('/') + architecture;
    if (!variant.isEmpty())
        s += QLatin1Char('/') + variant;
    return s;
}

Platform normalizePlatform(Platform p)
{
    p.os = p.os.toLower();
    p.architecture = p.architecture.toLower();
    p.variant = p.variant.toLower();
    if (p.os == QLatin1String("macos"))
        p.os = QStringLiteral("darwin");
    const QString &arch = p.architecture;
    if (arch == QLatin1String("i386")) {
        p.architecture = QStringLiteral("386");
        p.variant.clear();
    } else if (arch == QLatin1String("x86_64") || arch == QLatin1String("x86-64")
        || arch == QLatin1String("amd64")) {
        p.architecture = QStringLiteral("amd64");
        if (p.variant == QLatin1String("v1"))
            p.variant.clear();
    } else if (arch == QLatin1String("aarch64") || arch == QLatin1String("arm64")) {
        p.architecture = QStringLiteral("arm64");
        if (p.variant == QLatin1String("8") || p.variant == QLatin1String("v8"))
            p.variant.clear();
    } else if (arch == QLatin1String("armhf")) {
        p.architecture = QStringLiteral("arm");
        p.variant = QStringLiteral("v7");
    } else if (arch == QLatin1String("armel")) {
        p.architecture = QStringLiteral("arm");
        p.variant = QStringLiteral("v6");
    } else if (arch == QLatin1String("arm")) {
        // containerd: a bare "arm" means ARMv7; "5"/"6"/"7"/"8" gain their "v"
        if (p.variant.isEmpty() || p.variant == QLatin1String("7"))
            p.variant = QStringLiteral("v7");
        else if (p.variant == QLatin1String("5") || p.variant == QLatin1String("6")
            || p.variant == QLatin1String("8"))
            p.variant = QLatin1Char('v') + p.variant;
    }
    return p;
}

Platform parsePlatform(const QString &text)
{
    const QStringList parts = text.trimmed().split(QLatin1Char('/'));
    Platform p;
    if (text.trimmed().isEmpty() || parts.size() > 3)
        return p;
    for (const QString &part : parts) {
        if (part.isEmpty())
            return {};
    }
    if (parts.size() == 1) {
        // a bare OS name means that OS on the default architecture; anything else is an architecture
        static const QStringList knownOs = {QStringLiteral("linux"), QStringLiteral("windows"),
            QStringLiteral("darwin"), QStringLiteral("freebsd")};
        if (knownOs.contains(parts[0].toLower())) {
            p.os = parts[0];
            p.architecture = QStringLiteral("amd64");
        } else {
            p.os = QStringLiteral("linux");
            p.architecture = parts[0];
        }
    } else {
        p.os = parts[0];
        p.architecture = parts[1];
        if (parts.size() == 3)
            p.variant = parts[2];
    }
    return normalizePlatform(p);
}

} // namespace Stagelens
