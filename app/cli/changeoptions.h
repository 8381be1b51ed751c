#pragma once

// The options that describe an edit for the what-if: `--changed`, `--chmod`, `--touched`, `--changed-arg`,
// `--changed-line` and `--changed-base`. `whatif` and `report` both take them; one declaration keeps their
// spellings, help and checks from drifting apart (they had).

#include "model/cache/cacheengine.h"

#include <QCommandLineOption>
#include <QList>

class QCommandLineParser;

namespace Stagelens::Cli {

class ChangeOptions
{
public:
    /// `purpose` ends each help text, e.g. "" or " (for the what-if section)".
    explicit ChangeOptions(const QString &purpose = QString());

    QList<QCommandLineOption> options() const;

    /// Reads the options into `changes`. Paths are relative to `contextDir` or absolute inside it; a changed
    /// path that no longer exists counts as deleted. Returns a usage error message, or an empty string.
    QString read(const QCommandLineParser &parser, const QString &contextDir, WhatIfChanges *changes) const;

private:
    QCommandLineOption m_changed;
    QCommandLineOption m_chmod;
    QCommandLineOption m_touched;
    QCommandLineOption m_changedArg;
    QCommandLineOption m_changedLine;
    QCommandLineOption m_changedBase;
};

} // namespace Stagelens::Cli
