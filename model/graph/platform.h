#pragma once

#include <QString>

namespace Stagelens {

/// An OCI platform as containerd's platforms package parses and normalises it.
struct Platform
{
    QString os;
    QString architecture;
    QString variant;

    bool isValid() const { return !os.isEmpty() && !architecture.isEmpty(); }
    /// "linux/arm/v7" (platforms.FormatAll without an OS version).
    QString toString() const;
    bool operator==(const Platform &other) const = default;
};

/// Parses "os[/arch[/variant]]" or a bare architecture and normalises aliases (x86_64 -> amd64,
/// aarch64 -> arm64, arm -> arm/v7). Returns an invalid Platform for an empty or malformed string.
Platform parsePlatform(const QString &text);
/// platforms.Normalize: canonical OS, architecture and variant spellings.
Platform normalizePlatform(Platform p);

} // namespace Stagelens
