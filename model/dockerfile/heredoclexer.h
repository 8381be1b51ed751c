#pragma once

#include <QString>
#include <QStringList>

#include <string>

namespace Stagelens {

/// The part of BuildKit's shell.Lex that the Dockerfile parser uses to find heredoc words: word
/// splitting with quote and escape handling, `$VAR`/`${...}` kept verbatim (no environment, the parser
/// runs with SkipUnsetEnv) and `<<` words kept together. Not a general shell expander: the "shell" area
/// owns that.
class HeredocLexer
{
public:
    bool rawQuotes = false;
    bool rawEscapes = false;
    /// Leave out every word without "<<" (the parser looks for heredoc markers only; skipping the rest
    /// saves building a string per word). Errors are reported as before.
    bool heredocMarkersOnly = false;

    /// ProcessWords: the words of `input`, or an error message in `*error` (and no words).
    QStringList processWords(const QString &input, QString *error);

private:
    struct Words;
    bool processStopOn(char32_t stopChar, bool rawEscapes, std::u32string *result, QStringList *words);
    bool processSingleQuote(std::u32string *out);
    bool processDoubleQuote(std::u32string *out);
    bool processDollar(std::u32string *out);
    std::u32string processName();
    std::u32string processPossibleHeredoc();
    char32_t peek() const;
    char32_t next();

    std::u32string m_text;
    std::u32string m_wordsBuffer;
    qsizetype m_pos = 0;
    int m_depth = 0;
    bool m_currentRawEscapes = false;
    QString m_error;
};

/// A heredoc word such as `<<EOF`, `<<-"EOT"` or `3<<X` (BuildKit's parser.ParseHeredoc).
struct HeredocWord
{
    bool valid = false;
    QString name;
    bool expand = true;
    bool chomp = false;
};

/// Parses one word as a heredoc marker; `*error` is set when the marker is malformed.
HeredocWord parseHeredocWord(const QString &word, QString *error);

} // namespace Stagelens
