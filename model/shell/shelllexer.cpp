#include "shelllexer.h"

#include <QRegularExpression>

#include <algorithm>
#include <optional>
#include <utility>

namespace Stagelens {

namespace {

// Go's text/scanner returns EOF (-1) from Peek/Next at the end; we work on code points so that patterns,
// reversal and unicode.IsLetter behave per rune as in Go.
constexpr char32_t Eof = 0xFFFFFFFF;
// ${v//p/${v//p/...}} multiplies the length at every nesting level (BuildKit has no limit and would
// exhaust memory): one substitution result may not exceed this many characters.
constexpr qsizetype MaxReplaceResult = 1 << 20;

void appendRune(QString &out, char32_t ch)
{
    if (ch == Eof) {
        out += QChar(0xFFFD); // Go prints rune(-1) as the replacement character
    } else if (QChar::requiresSurrogates(ch)) {
        out += QChar(QChar::highSurrogate(ch));
        out += QChar(QChar::lowSurrogate(ch));
    } else {
        out += QChar(char16_t(ch));
    }
}

QString runeString(char32_t ch)
{
    QString s;
    appendRune(s, ch);
    return s;
}

// Runes, not UTF-16 units: `?` in a pattern and the reversal for ${VAR%...} must treat an emoji as one char.
QList<char32_t> toRunes(const QString &text)
{
    QList<char32_t> runes;
    runes.reserve(text.size());
    for (const uint ch : text.toUcs4())
        runes.append(char32_t(ch));
    return runes;
}

QString fromRunes(const QList<char32_t> &runes)
{
    QString s;
    s.reserve(runes.size());
    for (char32_t ch : runes)
        appendRune(s, ch);
    return s;
}

// unicode.IsSpace, which word splitting uses.
bool isSpaceRune(char32_t ch)
{
    return ch != Eof && QChar::isSpace(ch);
}

// Go's wordsStruct. The buffer is shared by every nesting level of one expansion, exactly as in BuildKit
// (each processStopOn resets it), because ProcessWords results depend on that sharing.
struct Words
{
    QString *buf = nullptr;
    QStringList words;
    bool inWord = false;

    void addChar(char32_t ch)
    {
        if (isSpaceRune(ch) && inWord) {
            if (!buf->isEmpty()) {
                // The next word gets a buffer of this one's size at once, not one growth per character.
                const qsizetype size = buf->size();
                words.append(std::exchange(*buf, QString()));
                buf->reserve(size);
                inWord = false;
            }
        } else if (!isSpaceRune(ch)) {
            addRawChar(ch);
        }
    }
    void addRawChar(char32_t ch)
    {
        appendRune(*buf, ch);
        inWord = true;
    }
    void addString(const QString &str)
    {
        for (const uint ch : str.toUcs4())
            addChar(char32_t(ch));
    }
    void addRawString(const QString &str)
    {
        *buf += str;
        inWord = true;
    }
    QStringList take()
    {
        if (!buf->isEmpty()) {
            words.append(*buf);
            buf->clear();
            inWord = false;
        }
        return words;
    }
};

// Shell pattern (* ? and escapes, no brackets) to a regular expression, as BuildKit's
// convertShellPatternToRegex. Returns nullopt and sets `error` for a bad escape.
std::optional<QRegularExpression> patternToRegex(
    const QString &pattern, bool greedy, bool anchored, QString *error)
{
    const QList<char32_t> runes = toRunes(pattern);
    QString out;
    if (anchored)
        out += QLatin1Char('^');
    const QLatin1String star = greedy ? QLatin1String(".*") : QLatin1String(".*?");
    for (qsizetype i = 0; i < runes.size(); ++i) {
        char32_t tok = runes[i];
        const char32_t next = i + 1 < runes.size() ? runes[i + 1] : Eof;
        switch (tok) {
        case U'*':
            out += star;
            continue;
        case U'?':
            out += QLatin1Char('.');
            continue;
        case U'\\':
            // An escaped } or / belongs to the ${} syntax, not to the pattern.
            if (next == U'}' || next == U'/')
                continue;
            out += QLatin1Char('\\');
            tok = next;
            ++i;
            if (tok != U'*' && tok != U'?' && tok != U'\\') {
                *error = QStringLiteral("invalid escape '\\%1'").arg(runeString(tok));
                return std::nullopt;
            }
            break;
        case U'[':
        case U']':
        case U'{':
        case U'}':
        case U'.':
        case U'+':
        case U'(':
        case U')':
        case U'|':
        case U'^':
        case U'$':
            out += QLatin1Char('\\');
            break;
        default:
            break;
        }
        appendRune(out, tok);
    }
    QRegularExpression re(out);
    if (!re.isValid()) {
        *error = re.errorString();
        return std::nullopt;
    }
    return re;
}

// Reverses a pattern for the suffix search of ${VAR%...} while keeping each escape before its character.
QString reversePattern(const QString &pattern)
{
    const QList<char32_t> in = toRunes(pattern);
    QList<char32_t> out(in.size());
    const qsizetype last = in.size() - 1;
    for (qsizetype i = 0; i <= last;) {
        const qsizetype outIdx = last - i;
        if (in[i] == U'\\' && i != last) {
            // keep an escape in front of the character it escapes
            out[outIdx - 1] = in[i];
            out[outIdx] = in[i + 1];
            i += 2;
        } else {
            out[outIdx] = in[i];
            ++i;
        }
    }
    return fromRunes(out);
}

QString reverseString(const QString &text)
{
    QList<char32_t> runes = toRunes(text);
    std::reverse(runes.begin(), runes.end());
    return fromRunes(runes);
}

std::optional<QString> trimPrefix(const QString &pattern, const QString &value, bool greedy, QString *error)
{
    QString reError;
    const auto re = patternToRegex(pattern, greedy, true, &reError);
    if (!re) {
        *error = QStringLiteral("invalid pattern (%1) in substitution: %2").arg(pattern, reError);
        return std::nullopt;
    }
    const QRegularExpressionMatch m = re->match(value);
    if (m.hasMatch())
        return value.mid(m.capturedEnd());
    return value;
}

std::optional<QString> trimSuffix(const QString &pattern, const QString &value, bool greedy, QString *error)
{
    // A regex finds the leftmost match only: reverse both to find the rightmost (shortest) suffix.
    const auto trimmed = trimPrefix(reversePattern(pattern), reverseString(value), greedy, error);
    if (!trimmed)
        return std::nullopt;
    return reverseString(*trimmed);
}

// Go's Regexp.ReplaceAllString expands $name / ${name} / $$ in the replacement. Our pattern has no groups,
// so only group 0 (the whole match) exists; other names expand to nothing.
QString expandReplacement(const QString &replacement, const QRegularExpressionMatch &m)
{
    QString out;
    const qsizetype n = replacement.size();
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = replacement[i];
        if (c != QLatin1Char('$') || i + 1 >= n) {
            out += c;
            continue;
        }
        if (replacement[i + 1] == QLatin1Char('$')) {
            out += QLatin1Char('$');
            ++i;
            continue;
        }
        qsizetype j = i + 1;
        const bool brace = replacement[j] == QLatin1Char('{');
        if (brace)
            ++j;
        const qsizetype start = j;
        while (j < n && (replacement[j].isLetterOrNumber() || replacement[j] == QLatin1Char('_')))
            ++j;
        const QString name = replacement.mid(start, j - start);
        if (name.isEmpty() || (brace && (j >= n || replacement[j] != QLatin1Char('}')))) {
            out += c; // malformed: the $ stays literal
            continue;
        }
        if (brace)
            ++j;
        bool isNumber = false;
        const int group = name.toInt(&isNumber);
        if (isNumber && group == 0)
            out += m.captured(0);
        i = j - 1;
    }
    return out;
}

class Expander
{
public:
    Expander(const ShellLexer &lexer, bool skipQuotes, bool rawQuotes, bool rawEscapes, bool skipUnset,
        const QString &word, const ShellEnvironment &env)
        : m_escape(lexer.escapeToken().unicode())
        , m_skipQuotes(skipQuotes)
        , m_rawQuotes(rawQuotes)
        , m_rawEscapes(rawEscapes)
        , m_skipUnset(skipUnset)
        , m_input(toRunes(word))
        , m_env(env)
    { }

    // Errors are wrapped the way lex.go's process() wraps them, with the whole source word quoted.
    ShellWordResult run(const QString &source)
    {
        ShellWordResult r;
        QString result;
        QStringList words;
        if (processStopOn(Eof, m_rawEscapes, &result, &words)) {
            r.result = result;
            r.words = words;
        } else {
            r.error = QStringLiteral("failed to process %1: %2").arg(goQuote(source), m_error);
        }
        r.matched = m_matched;
        r.unmatched = m_unmatched;
        return r;
    }

private:
    char32_t peek() const { return m_pos < m_input.size() ? m_input[m_pos] : Eof; }
    char32_t next() { return m_pos < m_input.size() ? m_input[m_pos++] : Eof; }

    bool fail(const QString &message)
    {
        m_error = message;
        return false;
    }

    // Every lookup is recorded: ProcessWordWithMatches callers (ARG dependencies) need set and unset names.
    bool getEnv(const QString &name, QString *value)
    {
        const auto it = m_env.constFind(name);
        if (it != m_env.constEnd()) {
            m_matched.insert(name);
            *value = it.value();
            return true;
        }
        m_unmatched.insert(name);
        value->clear();
        return false;
    }

    static constexpr const char *MissingBrace = "syntax error: missing '}'";

    // One part of a ${...} form, up to `stop`; running out of input is the error BuildKit reports for it.
    bool readWordUntil(char32_t stop, bool rawEscapes, QString *word, const char *missing)
    {
        QStringList ignored;
        if (processStopOn(stop, rawEscapes, word, &ignored))
            return true;
        if (peek() == Eof)
            m_error = QString::fromLatin1(missing);
        return false;
    }

    bool processStopOn(char32_t stopChar, bool rawEscapes, QString *resultOut, QStringList *wordsOut)
    {
        // The result is at most the rest of the input plus what expansions add: one allocation, not one
        // growth after another as characters are appended. The words buffer keeps its capacity.
        QString result;
        result.reserve(m_input.size() - m_pos);
        m_wordsBuffer.resize(0);
        Words words;
        words.buf = &m_wordsBuffer;

        // lex.go switches rawEscapes for the duration of one nested call (patterns keep their escapes).
        const bool savedRaw = m_rawEscapes;
        m_rawEscapes = rawEscapes;
        struct Restore
        {
            bool &flag;
            bool value;
            ~Restore() { flag = value; }
        } restore {m_rawEscapes, savedRaw};

        while (peek() != Eof) {
            char32_t ch = peek();
            if (stopChar != Eof && ch == stopChar) {
                next();
                *resultOut = result;
                *wordsOut = words.take();
                return true;
            }
            const bool quote = !m_skipQuotes && (ch == U'\'' || ch == U'"');
            if (ch == U'$' || ch == U'<' || quote) {
                QString tmp;
                bool ok = false;
                if (ch == U'$')
                    ok = processDollar(&tmp);
                else if (ch == U'<')
                    ok = processPossibleHeredoc(&tmp);
                else if (ch == U'\'')
                    ok = processSingleQuote(&tmp);
                else
                    ok = processDoubleQuote(&tmp);
                if (!ok)
                    return false;
                result += tmp;
                if (ch == U'$')
                    words.addString(tmp); // substituted text is split on white space
                else
                    words.addRawString(tmp);
                continue;
            }
            ch = next();
            if (ch == m_escape) {
                if (m_rawEscapes) {
                    words.addRawChar(ch);
                    appendRune(result, ch);
                }
                ch = next();
                if (ch == Eof)
                    break; // a trailing escape is dropped
                words.addRawChar(ch);
            } else {
                words.addChar(ch);
            }
            appendRune(result, ch);
        }
        if (stopChar != Eof)
            return fail(QStringLiteral("unexpected end of statement while looking for matching %1")
                            .arg(runeString(stopChar)));
        *resultOut = result;
        *wordsOut = words.take();
        return true;
    }

    // Single quotes: everything literal up to the next ', which cannot be escaped inside.
    bool processSingleQuote(QString *out)
    {
        const char32_t open = next();
        if (m_rawQuotes)
            appendRune(*out, open);
        for (;;) {
            const char32_t ch = next();
            if (ch == Eof)
                return fail(
                    QStringLiteral("unexpected end of statement while looking for matching single-quote"));
            if (ch == U'\'') {
                if (m_rawQuotes)
                    appendRune(*out, ch);
                return true;
            }
            appendRune(*out, ch);
        }
    }

    bool processDoubleQuote(QString *out)
    {
        const char32_t open = next();
        if (m_rawQuotes)
            appendRune(*out, open);
        for (;;) {
            const char32_t p = peek();
            if (p == Eof)
                return fail(
                    QStringLiteral("unexpected end of statement while looking for matching double-quote"));
            if (p == U'"') {
                next();
                if (m_rawQuotes)
                    appendRune(*out, p);
                return true;
            }
            if (p == U'$') {
                QString value;
                if (!processDollar(&value))
                    return false;
                *out += value;
                continue;
            }
            char32_t ch = next();
            if (ch == m_escape) {
                if (m_rawEscapes)
                    appendRune(*out, ch);
                const char32_t after = peek();
                if (after == Eof)
                    continue; // an escape right before the end is dropped
                // Only ", $ and the escape itself can be escaped inside double quotes.
                if (after == U'"' || after == U'$' || after == m_escape)
                    ch = next();
            }
            appendRune(*out, ch);
        }
    }

    // "<<" and the blanks after it are kept together so a heredoc marker survives word splitting.
    bool processPossibleHeredoc(QString *out)
    {
        next();
        if (peek() != U'<') {
            *out = QStringLiteral("<");
            return true;
        }
        next();
        *out = QStringLiteral("<<");
        while (peek() == U'\t' || peek() == U'\r' || peek() == U' ')
            appendRune(*out, next());
        return true;
    }

    static bool isSpecialParam(char32_t ch)
    {
        switch (ch) {
        case U'@':
        case U'*':
        case U'#':
        case U'?':
        case U'-':
        case U'$':
        case U'!':
        case U'0':
            return true;
        default:
            return false;
        }
    }

    // A variable name: letters, digits and _, or all the digits of a positional parameter, or one special
    // parameter character ($@, $#, ...). Positional and special parameters are never set in a Dockerfile.
    QString processName()
    {
        QString name;
        while (peek() != Eof) {
            const char32_t ch = peek();
            if (name.isEmpty() && QChar::isDigit(ch)) {
                // positional parameter: all the digits
                while (peek() != Eof && QChar::isDigit(peek()))
                    appendRune(name, next());
                return name;
            }
            if (name.isEmpty() && isSpecialParam(ch)) {
                appendRune(name, next());
                return name;
            }
            if (!QChar::isLetter(ch) && !QChar::isDigit(ch) && ch != U'_')
                break;
            appendRune(name, next());
        }
        return name;
    }

    bool processDollar(QString *out)
    {
        // Each ${...} level recurses; bound it so hostile input cannot exhaust the stack.
        if (m_depth >= ShellLexer::MaxNesting)
            return fail(QStringLiteral("syntax error: substitutions nested deeper than %1")
                            .arg(ShellLexer::MaxNesting));
        ++m_depth;
        const bool ok = processDollarInner(out);
        --m_depth;
        return ok;
    }

    bool processDollarInner(QString *out)
    {
        next(); // $
        if (peek() != U'{') {
            const QString name = processName();
            if (name.isEmpty()) {
                *out = QStringLiteral("$");
                return true;
            }
            QString value;
            const bool found = getEnv(name, &value);
            *out = (!found && m_skipUnset) ? QLatin1Char('$') + name : value;
            return true;
        }
        next(); // {
        // ${} ${{ ${: are rejected before a name is read, like lex.go.
        switch (peek()) {
        case Eof:
            return fail(QStringLiteral("syntax error: missing '}'"));
        case U'{':
        case U'}':
        case U':':
            return fail(QStringLiteral("syntax error: bad substitution"));
        default:
            break;
        }
        const QString name = processName();
        char32_t ch = next();
        QString chs = runeString(ch);
        bool nullIsUnset = false;

        if (ch == U'}') {
            QString value;
            const bool set = getEnv(name, &value);
            *out = (!set && m_skipUnset) ? QStringLiteral("${%1}").arg(name) : value;
            return true;
        }
        if (ch == U'/')
            return processReplace(name, out);
        // With ':' an empty value counts as unset (${VAR:-x} vs ${VAR-x}).
        if (ch == U':') {
            nullIsUnset = true;
            ch = next();
            appendRune(chs, ch);
        } else if (ch != U'+' && ch != U'-' && ch != U'?' && ch != U'#' && ch != U'%') {
            return fail(QStringLiteral("unsupported modifier (%1) in substitution").arg(chs));
        }

        // '#' and '%' take a pattern: keep its escapes for the regex conversion.
        const bool rawEscapes = ch == U'#' || ch == U'%';
        if (nullIsUnset && rawEscapes)
            return fail(QStringLiteral("unsupported modifier (%1) in substitution").arg(chs));
        QString word;
        if (!readWordUntil(U'}', rawEscapes, &word, MissingBrace))
            return false;

        // The variable is looked up only after the word is read, so its name lands in matched/unmatched last.
        QString value;
        const bool set = getEnv(name, &value);
        if (m_skipUnset && !set) {
            *out = QStringLiteral("${%1%2%3}").arg(name, chs, word);
            return true;
        }
        const bool empty = !set || (nullIsUnset && value.isEmpty());
        switch (ch) {
        case U'-':
            *out = empty ? word : value;
            return true;
        case U'+':
            *out = empty ? QString() : word;
            return true;
        case U'?':
            if (!set)
                return fail(QStringLiteral("%1: %2").arg(
                    name, word.isEmpty() ? QStringLiteral("is not allowed to be unset") : word));
            if (nullIsUnset && value.isEmpty())
                return fail(QStringLiteral("%1: %2").arg(
                    name, word.isEmpty() ? QStringLiteral("is not allowed to be empty") : word));
            *out = value;
            return true;
        case U'%':
        case U'#': {
            // a doubled operator (%% / ##) asks for the longest match
            bool greedy = false;
            if (!word.isEmpty() && word.at(0).unicode() == ch) {
                greedy = true;
                word.remove(0, 1);
            }
            QString error;
            const auto trimmed = ch == U'%' ? trimSuffix(word, value, greedy, &error)
                                            : trimPrefix(word, value, greedy, &error);
            if (!trimmed)
                return fail(error);
            *out = *trimmed;
            return true;
        }
        default:
            return fail(QStringLiteral("unsupported modifier (%1) in substitution").arg(chs));
        }
    }

    // ${VAR/pattern/replacement} and ${VAR//pattern/replacement}: both parts keep their escapes, and the
    // pattern is greedy and unanchored.
    bool processReplace(const QString &name, QString *out)
    {
        const bool replaceAll = peek() == U'/';
        if (replaceAll)
            next();
        QString pattern;
        QString replacement;
        if (!readWordUntil(U'/', true, &pattern, "syntax error: missing '/' in ${}")
            || !readWordUntil(U'}', true, &replacement, MissingBrace))
            return false;
        QString value;
        const bool set = getEnv(name, &value);
        if (m_skipUnset && !set) {
            *out = QStringLiteral("${%1/%2/%3}").arg(name, pattern, replacement);
            return true;
        }
        QString reError;
        const auto re = patternToRegex(pattern, true, false, &reError);
        if (!re)
            return fail(QStringLiteral("invalid pattern (%1) in substitution: %2").arg(pattern, reError));
        if (replaceAll) {
            QString result;
            qsizetype last = 0;
            qsizetype searchFrom = 0;
            // Go's ReplaceAllString: after an empty match, the next search starts one character later.
            while (searchFrom <= value.size()) {
                const QRegularExpressionMatch m = re->match(value, searchFrom);
                if (!m.hasMatch())
                    break;
                result += value.mid(last, m.capturedStart() - last);
                result += expandReplacement(replacement, m);
                if (result.size() > MaxReplaceResult)
                    return fail(QStringLiteral("substitution result longer than %1 characters")
                                    .arg(MaxReplaceResult));
                last = m.capturedEnd();
                if (m.capturedLength() == 0) {
                    if (m.capturedEnd() < value.size())
                        result += value.at(m.capturedEnd());
                    last = m.capturedEnd() + 1;
                    searchFrom = last;
                } else {
                    searchFrom = m.capturedEnd();
                }
            }
            if (last < value.size())
                result += value.mid(last);
            *out = result;
        } else {
            const QRegularExpressionMatch m = re->match(value);
            *out = m.hasMatch() ? value.left(m.capturedStart()) + replacement + value.mid(m.capturedEnd())
                                : value;
        }
        return true;
    }

    char32_t m_escape;
    bool m_skipQuotes;
    bool m_rawQuotes;
    bool m_rawEscapes;
    bool m_skipUnset;
    QList<char32_t> m_input;
    qsizetype m_pos = 0;
    const ShellEnvironment &m_env;
    QString m_wordsBuffer;
    QSet<QString> m_matched;
    QSet<QString> m_unmatched;
    QString m_error;
    int m_depth = 0;
};

} // namespace

ShellLexer::ShellLexer(QChar escapeToken)
    : m_escapeToken(escapeToken)
{ }

ShellWordResult ShellLexer::processWord(const QString &word, const ShellEnvironment &env) const
{
    Expander e(*this, m_skipProcessQuotes, m_rawQuotes, m_rawEscapes, m_skipUnsetEnv, word, env);
    return e.run(word);
}

// ProcessWords shares the implementation: the word list is built alongside the single result.
ShellWordResult ShellLexer::processWords(const QString &word, const ShellEnvironment &env) const
{
    return processWord(word, env);
}

// strconv.Quote for the characters that occur in Dockerfile words; printable Unicode stays as it is.
QString goQuote(const QString &text)
{
    QString out = QStringLiteral("\"");
    for (const uint ch : text.toUcs4()) {
        switch (ch) {
        case '"':
            out += QLatin1String("\\\"");
            break;
        case '\\':
            out += QLatin1String("\\\\");
            break;
        case '\n':
            out += QLatin1String("\\n");
            break;
        case '\t':
            out += QLatin1String("\\t");
            break;
        case '\r':
            out += QLatin1String("\\r");
            break;
        default:
            if (ch < 0x20 || ch == 0x7f)
                out += QStringLiteral("\\x%1").arg(ch, 2, 16, QLatin1Char('0'));
            else
                appendRune(out, ch);
        }
    }
    out += QLatin1Char('"');
    return out;
}

} // namespace Stagelens
