#pragma once

// Everything a reading of a log yields, as text to compare two readings with: each build's `log --json`
// text and the diagnostics. Shared by tst_buildlogreader and fuzz_linescanner.

#include "model/buildlog/buildrun.h"

#include <QByteArray>

namespace Stagelens::Test {

inline QByteArray logResultText(const BuildLogResult &result)
{
    QByteArray text;
    for (const BuildRun &run : result.builds) {
        appendJsonText(&text, run, 0);
        text += '\n';
    }
    for (const Diagnostic &d : result.diagnostics)
        text += d.toString().toUtf8() + '\n';
    return text;
}

} // namespace Stagelens::Test
