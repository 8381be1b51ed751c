#pragma once

// BuildKit's shell-word lexer (frontend/dockerfile/shell): quote removal, escapes and $VAR / ${VAR...}
// expansion as the Dockerfile frontend applies them to instruction arguments. Plain values, any thread.

#include <QChar>
#include <QHash>
#include <QSet>
#include <QString>
#include <QStringList>

namespace Stagelens {

/// Variables visible to an expansion. A name missing from the hash is unset, which differs from empty.
using ShellEnvironment = QHash<QString, QString>;

struct ShellWordResult
{
    QString result; ///< the expanded word (ProcessWord)
    QStringList words; ///< the expanded text split into words (ProcessWords)
    QSet<QString> matched; ///< variables looked up and set
    QSet<QString> unmatched; ///< variables looked up and unset
    QString error; ///< BuildKit's error text ("failed to process \"...\": ..."); empty on success

    bool ok() const { return error.isEmpty(); }
};

class ShellLexer
{
public:
    /// Deepest ${...} nesting accepted; deeper input is an error instead of a deep recursion.
    static constexpr int MaxNesting = 100;

    explicit ShellLexer(QChar escapeToken = QLatin1Char('\\'));

    QChar escapeToken() const { return m_escapeToken; }
    /// Keep quote characters in the result (BuildKit's RawQuotes).
    void setRawQuotes(bool on) { m_rawQuotes = on; }
    /// Keep escape characters in the result (RawEscapes).
    void setRawEscapes(bool on) { m_rawEscapes = on; }
    /// Treat quotes as ordinary characters (SkipProcessQuotes).
    void setSkipProcessQuotes(bool on) { m_skipProcessQuotes = on; }
    /// Leave references to unset variables as written (SkipUnsetEnv).
    void setSkipUnsetEnv(bool on) { m_skipUnsetEnv = on; }

    /// ProcessWord / ProcessWordWithMatches: one expanded word, spaces kept. `words` is filled too.
    ShellWordResult processWord(const QString &word, const ShellEnvironment &env) const;
    /// ProcessWords: the expansion split on unquoted white space (after substitution).
    ShellWordResult processWords(const QString &word, const ShellEnvironment &env) const;

private:
    QChar m_escapeToken;
    bool m_rawQuotes = false;
    bool m_rawEscapes = false;
    bool m_skipProcessQuotes = false;
    bool m_skipUnsetEnv = false;
};

/// Go's %q quoting of a string (as BuildKit's error messages print words).
QString goQuote(const QString &text);

} // namespace Stagelens
