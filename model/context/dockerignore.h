#pragma once

// Reading .dockerignore files the way BuildKit's ignorefile.ReadAll does. Any thread.

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace Stagelens {

/// The patterns of an ignore file: BOM stripped, `#` comment lines dropped, whitespace trimmed, each pattern
/// cleaned and made context-relative ("/a/b" -> "a/b"), `!` kept in front.
QStringList parseDockerignore(const QByteArray &text);

/// The ignore file BuildKit uses: `<Dockerfile>.dockerignore` next to the Dockerfile when it exists, else
/// `<context>/.dockerignore`; empty when neither exists.
QString findDockerignore(const QString &contextDir, const QString &dockerfilePath);

} // namespace Stagelens
