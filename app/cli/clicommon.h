#pragma once

#include <QJsonDocument>
#include <QStringList>

class QCommandLineParser;

namespace Stagelens::Cli {

/// Exit codes of shared/CLI.md.
enum ExitCode
{
    ExitOk = 0,
    ExitInputErrors = 1,
    ExitUsage = 2
};

/// Writes one JSON document, UTF-8, to stdout.
void printJson(const QJsonDocument &document);
void printJson(const QJsonObject &object);
/// Writes a line to stderr.
void printError(const QString &message);
/// Writes text to stdout as UTF-8 (no conversion by the locale).
void printOut(const QString &text);

/// Parses `args` (args[0] is the program, args[1] the subcommand) and handles --help and errors.
/// Returns -1 when the caller should go on, or the exit code to return at once.
int parseCommandLine(QCommandLineParser &parser, const QStringList &args, const QString &usageLine);

} // namespace Stagelens::Cli
