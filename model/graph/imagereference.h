#pragma once

#include <QString>

namespace Stagelens {

/// An image reference normalised as BuildKit names it (docker/distribution's ParseNormalizedNamed followed
/// by TagNameOnly): "alpine" -> "docker.io/library/alpine:latest".
struct ImageReference
{
    QString domain; ///< "docker.io", "ghcr.io", "localhost:5000"
    QString path; ///< "library/alpine"
    QString tag; ///< empty when none was written and a digest was
    QString digest; ///< "sha256:..." or empty
    QString error; ///< "invalid reference format..." when the text is no valid reference

    bool isValid() const { return error.isEmpty(); }
    /// The full normalised name: "docker.io/library/alpine:3.20", "ghcr.io/a/b@sha256:..."
    QString toString() const;
};

/// Parses and normalises `text`; a missing tag becomes "latest" unless a digest is given.
ImageReference normalizeImageReference(const QString &text);

} // namespace Stagelens
