#include "model/dockerfile/dockerfileparser.h"

#include "model/dockerfile/dockerfilelinter.h"
#include "model/dockerfile/gotext.h"
#include "model/dockerfile/heredoclexer.h"
#include "model/dockerfile/instructionvalidator.h"

#include <QSet>

#include <algorithm>
#include <cstring>
#include <string>

namespace Stagelens {

namespace {

// bufio.Scanner's default limit: BuildKit rejects any line longer than this.
constexpr qsizetype MaxScanTokenSize = 64 * 1024;
// ONBUILD nests instructions; BuildKit recurses without bound, we stop here.
constexpr int MaxNestingDepth = 32;

/// Splits the input into lines that keep their "\n", like BuildKit's scanLines.
class LineScanner
{
public:
    explicit LineScanner(const QByteArray &data)
        : m_data(data)
    { }

    bool next(QByteArrayView *line)
    {
        if (m_tooLong || m_pos >= m_data.size())
            return false;
        const char *begin = m_data.constData();
        const auto *found =
            static_cast<const char *>(std::memchr(begin + m_pos, '\n', size_t(m_data.size() - m_pos)));
        const qsizetype nl = found ? found - begin : -1;
        const qsizetype end = nl < 0 ? m_data.size() : nl + 1;
        // bufio.Scanner fails once its 64 KiB buffer is full without a complete token.
        if (end - m_pos > MaxScanTokenSize || (nl < 0 && end - m_pos >= MaxScanTokenSize)) {
            m_tooLong = true;
            return false;
        }
        *line = QByteArrayView(m_data).sliced(m_pos, end - m_pos);
        m_pos = end;
        return true;
    }
    bool tooLong() const { return m_tooLong; }
    qsizetype size() const { return m_data.size(); }

private:
    const QByteArray &m_data;
    qsizetype m_pos = 0;
    bool m_tooLong = false;
};

/// BuildKit's DirectiveParser plus the escape token state of the parser's `directives`.
struct Directives
{
    char escapeToken = '\\';
    bool done = false;
    QSet<QString> seen;
    QString syntax;
    QString check;
};

QByteArrayView trimNewline(QByteArrayView s)
{
    while (!s.isEmpty() && (s.back() == '\n' || s.back() == '\r'))
        s.chop(1);
    return s;
}

bool isComment(QByteArrayView line)
{
    line = GoText::trimLeftSpace(line);
    return !line.isEmpty() && line.front() == '#';
}

bool isAsciiAlpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool isRe2Space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/// DirectiveParser.ParseLine: returns true when `line` is a directive; `*error` for a bad one.
bool parseDirectiveLine(Directives &d, QByteArrayView line, QString *error)
{
    if (d.done)
        return false;
    if (!line.startsWith('#')) {
        d.done = true;
        return false;
    }
    line = GoText::trimLeftSpace(line.sliced(1));
    // ^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$
    qsizetype i = 0;
    if (i >= line.size() || !isAsciiAlpha(line[i])) {
        d.done = true;
        return false;
    }
    while (i < line.size() && (isAsciiAlpha(line[i]) || (line[i] >= '0' && line[i] <= '9')))
        ++i;
    const QString key = QString::fromLatin1(line.first(i)).toLower();
    while (i < line.size() && isRe2Space(line[i]))
        ++i;
    if (i >= line.size() || line[i] != '=') {
        d.done = true;
        return false;
    }
    ++i;
    while (i < line.size() && isRe2Space(line[i]))
        ++i;
    qsizetype end = line.size();
    while (end > i && isRe2Space(line[end - 1]))
        --end;
    if (end <= i) {
        d.done = true;
        return false;
    }
    if (key != QLatin1String("syntax") && key != QLatin1String("escape") && key != QLatin1String("check")) {
        d.done = true;
        return false;
    }
    if (d.seen.contains(key)) {
        *error = QStringLiteral("only one %1 parser directive can be used").arg(key);
        return false;
    }
    d.seen.insert(key);
    const QString value = GoText::fromBytes(line.sliced(i, end - i));
    if (key == QLatin1String("escape")) {
        if (value != QLatin1String("`") && value != QLatin1String("\\")) {
            *error = QStringLiteral("invalid escape token '%1' does not match ` or \\").arg(value);
            return false;
        }
        d.escapeToken = char(value.at(0).unicode());
    } else if (key == QLatin1String("syntax")) {
        d.syntax = value;
    } else {
        d.check = value;
    }
    return true;
}

/// trimContinuationCharacter: strips a trailing escape token (plus blanks) unless it is itself escaped.
QByteArrayView trimContinuation(QByteArrayView line, char escape, bool *isEndOfLine)
{
    qsizetype end = line.size();
    while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t'))
        --end;
    if (end > 0 && line[end - 1] == escape && (end == 1 || line[end - 2] != escape)) {
        *isEndOfLine = false;
        return line.first(end - 1);
    }
    *isEndOfLine = true;
    return line;
}

struct SplitResult
{
    QByteArrayView cmd; ///< views into the line
    QStringList flags;
    QByteArrayView args;
};

/// extractBuilderFlags: BuildKit walks bytes here, taking each byte as a rune, so non-ASCII flag
/// values come out as Latin-1 mojibake and bytes 0x85/0xA0 count as spaces. We reproduce that.
QByteArrayView extractBuilderFlags(QByteArrayView line, char escape, QStringList *flags)
{
    enum Phase
    {
        InSpaces,
        InWord,
        InQuote
    };
    Phase phase = InSpaces;
    std::string word; // inline appends: this runs per byte of every flag
    char quote = 0;
    bool blankOk = false;
    const qsizetype n = line.size();
    for (qsizetype pos = 0; pos <= n; ++pos) {
        uchar ch = pos != n ? uchar(line[pos]) : 0;
        if (phase == InSpaces) {
            if (pos == n)
                break;
            if (GoText::isSpaceByte(ch))
                continue;
            if (ch != '-' || pos + 1 == n || line[pos + 1] != '-')
                return line.sliced(pos);
            phase = InWord;
        }
        if (pos == n) {
            if (word != "--" && (blankOk || !word.empty()))
                flags->append(QString::fromLatin1(word.data(), qsizetype(word.size())));
            break;
        }
        if (phase == InWord) {
            if (GoText::isSpaceByte(ch)) {
                phase = InSpaces;
                if (word == "--")
                    return line.sliced(pos);
                if (blankOk || !word.empty())
                    flags->append(QString::fromLatin1(word.data(), qsizetype(word.size())));
                word.clear();
                blankOk = false;
                continue;
            }
            if (ch == '\'' || ch == '"') {
                quote = char(ch);
                blankOk = true;
                phase = InQuote;
                continue;
            }
            if (ch == uchar(escape)) {
                if (pos + 1 == n)
                    continue;
                ++pos;
                ch = uchar(line[pos]);
            }
            word.push_back(char(ch));
            continue;
        }
        // InQuote
        if (ch == uchar(quote)) {
            phase = InWord;
            continue;
        }
        if (ch == uchar(escape)) {
            if (pos + 1 == n) {
                phase = InWord;
                continue;
            }
            ++pos;
            ch = uchar(line[pos]);
        }
        word.push_back(char(ch));
    }
    return {};
}

/// splitCommand: the keyword, the leading `--flags` and the rest. The keyword ends at the first ASCII
/// blank only (BuildKit's regexp), while the trimming around it is Unicode-aware (strings.TrimSpace).
SplitResult splitCommand(QByteArrayView line, char escape)
{
    SplitResult r;
    const QByteArrayView trimmed = GoText::trimSpace(line);
    qsizetype i = 0;
    while (i < trimmed.size() && !GoText::isSplitSpace(QLatin1Char(trimmed[i])))
        ++i;
    r.cmd = trimmed.first(i);
    if (i < trimmed.size()) {
        while (i < trimmed.size() && GoText::isSplitSpace(QLatin1Char(trimmed[i])))
            ++i;
        r.args = GoText::trimSpace(extractBuilderFlags(trimmed.sliced(i), escape, &r.flags));
    }
    return r;
}

/// Go's unicode.IsSpace with the ASCII case inline.
inline bool isSpaceUnit(char16_t c)
{
    if (c < 0x80)
        return c == ' ' || (c >= '\t' && c <= '\r');
    return GoText::isSpace(c);
}

/// parseWords: splits on whitespace, keeping quotes and escapes in the words. Every word is a contiguous
/// piece of the input (only an escape token ending the line is dropped), so it is cut out in one go.
QStringList parseWords(const QString &rawRest, char escapeChar)
{
    // Go decodes runes here, so invalid bytes come out as U+FFFD.
    const QString rest = GoText::replaceEscapedBytes(rawRest);
    enum Phase
    {
        InSpaces,
        InWord,
        InQuote
    };
    const char16_t escape = char16_t(uchar(escapeChar));
    const char16_t *units = reinterpret_cast<const char16_t *>(rest.constData());
    QStringList words;
    Phase phase = InSpaces;
    char16_t quote = 0;
    bool blankOk = false;
    qsizetype wordStart = 0;
    qsizetype wordEnd = 0; // end of the kept part of the current word
    const qsizetype n = rest.size();
    for (qsizetype pos = 0; pos <= n; ++pos) {
        const char16_t ch = pos != n ? units[pos] : 0;
        if (phase == InSpaces) {
            if (pos == n)
                break;
            if (isSpaceUnit(ch))
                continue;
            phase = InWord;
            wordStart = wordEnd = pos;
        }
        if (pos == n) {
            if (blankOk || wordEnd > wordStart)
                words.append(rest.mid(wordStart, wordEnd - wordStart));
            break;
        }
        if (phase == InWord) {
            if (isSpaceUnit(ch)) {
                phase = InSpaces;
                if (blankOk || wordEnd > wordStart)
                    words.append(rest.mid(wordStart, wordEnd - wordStart));
                blankOk = false;
                continue;
            }
            if (ch == '\'' || ch == '"') {
                quote = ch;
                blankOk = true;
                phase = InQuote;
            }
            if (ch == escape) {
                if (pos + 1 == n)
                    continue; // an escape token at the end of the line is dropped
                ++pos; // the escape and the character after it are both kept
            }
            wordEnd = pos + 1;
            continue;
        }
        // InQuote: the escape token works inside double quotes only.
        if (ch == quote)
            phase = InWord;
        if (ch == escape && quote != '\'') {
            if (pos + 1 == n) {
                phase = InWord;
                continue;
            }
            ++pos;
        }
        wordEnd = pos + 1;
    }
    return words;
}

/// What a line parser produced: Node.Next as a flat list, plus attributes.
struct LineNode
{
    QStringList args;
    bool json = false;
    QList<Instruction> children;
    QString error;
};

/// parseNameVal (ENV, LABEL): key/value/separator triples, the separator "=" for the modern form and
/// "" for the legacy `ENV name value` form, where the value is the raw rest of the line, quotes and all.
LineNode nameValue(const QString &rest, const QString &key, char escape)
{
    LineNode node;
    const QStringList words = parseWords(rest, escape);
    if (words.isEmpty())
        return node;
    // Legacy "ENV name value" form: the first word has no '='.
    if (!words.first().contains(QLatin1Char('='))) {
        const QStringList parts = GoText::splitWhitespace(rest, 2);
        if (parts.size() < 2) {
            node.error = QStringLiteral("%1 must have two arguments").arg(key);
            return node;
        }
        node.args = {parts.at(0), parts.at(1), QString()};
        return node;
    }
    node.args.reserve(words.size() * 3);
    for (const QString &word : words) {
        const qsizetype eq = word.indexOf(QLatin1Char('='));
        if (eq < 0) {
            node.args.clear();
            node.error = QStringLiteral("Syntax error - can't find = in %1. Must be of the form: name=value")
                             .arg(GoText::quote(word));
            return node;
        }
        node.args << word.left(eq) << word.mid(eq + 1) << QStringLiteral("=");
    }
    return node;
}

/// parseStringsWhitespaceDelimited (FROM, EXPOSE, shell-form COPY/ADD/VOLUME): no quote handling at all.
QStringList whitespaceDelimited(const QString &rest)
{
    if (rest.isEmpty())
        return {};
    return GoText::splitWhitespace(rest, -1);
}

enum class JsonResult
{
    Ok,
    NotJson,
    NotStringArray
};

/// A validator for one JSON document (as encoding/json accepts it) that collects the strings of the
/// top-level array. Iterative, so deep nesting cannot overflow the stack.
class JsonArrayReader
{
public:
    explicit JsonArrayReader(const QString &text)
        : m_s(text)
    { }

    JsonResult read(QStringList *out)
    {
        skipWs();
        if (!at('['))
            return JsonResult::NotJson;
        bool allStrings = true;
        // Stack of open containers: '[' or '{'. Elements directly in the outer array are collected.
        QList<char> stack;
        ++m_i;
        stack.append('[');
        bool expectValue = true;
        bool first = true;
        while (!stack.isEmpty()) {
            if (stack.size() > 10000)
                return JsonResult::NotJson; // encoding/json's maximum nesting depth
            skipWs();
            const char top = stack.last();
            if (first) {
                first = false;
                if (at(top == '[' ? ']' : '}')) {
                    ++m_i;
                    stack.removeLast();
                    expectValue = false;
                    continue;
                }
            } else if (!expectValue) {
                if (at(',')) {
                    ++m_i;
                    expectValue = true;
                    skipWs();
                } else if (at(top == '[' ? ']' : '}')) {
                    ++m_i;
                    stack.removeLast();
                    continue;
                } else {
                    return JsonResult::NotJson;
                }
            }
            if (top == '{') {
                QString key;
                if (!readString(&key))
                    return JsonResult::NotJson;
                skipWs();
                if (!at(':'))
                    return JsonResult::NotJson;
                ++m_i;
                skipWs();
            }
            // A value.
            const bool outer = stack.size() == 1;
            expectValue = false;
            if (at('"')) {
                QString str;
                if (!readString(&str))
                    return JsonResult::NotJson;
                if (outer)
                    out->append(str);
            } else if (at('[') || at('{')) {
                if (outer)
                    allStrings = false;
                stack.append(char(m_s.at(m_i).unicode()));
                ++m_i;
                first = true;
            } else if (readLiteralOrNumber()) {
                if (outer)
                    allStrings = false;
            } else {
                return JsonResult::NotJson;
            }
        }
        skipWs();
        if (m_i != m_s.size())
            return JsonResult::NotJson;
        return allStrings ? JsonResult::Ok : JsonResult::NotStringArray;
    }

private:
    bool at(char c) const { return m_i < m_s.size() && m_s.at(m_i) == QLatin1Char(c); }
    bool atDigit() const
    {
        return m_i < m_s.size() && m_s.at(m_i).unicode() >= '0' && m_s.at(m_i).unicode() <= '9';
    }
    void skipWs()
    {
        while (m_i < m_s.size()) {
            const char16_t c = m_s.at(m_i).unicode();
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                break;
            ++m_i;
        }
    }
    static int hexValue(char16_t c)
    {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    }
    bool readHex4(char16_t *out)
    {
        if (m_i + 4 > m_s.size())
            return false;
        int v = 0;
        for (int k = 0; k < 4; ++k) {
            const int h = hexValue(m_s.at(m_i + k).unicode());
            if (h < 0)
                return false;
            v = v * 16 + h;
        }
        m_i += 4;
        *out = char16_t(v);
        return true;
    }
    bool readString(QString *out)
    {
        if (!at('"'))
            return false;
        ++m_i;
        while (m_i < m_s.size()) {
            const QChar c = m_s.at(m_i);
            if (c == QLatin1Char('"')) {
                ++m_i;
                return true;
            }
            if (c.unicode() < 0x20)
                return false;
            if (c != QLatin1Char('\\')) {
                // encoding/json replaces invalid UTF-8 with U+FFFD.
                out->append(GoText::isEscapedByte(m_s, m_i) ? QChar(0xFFFD) : c);
                ++m_i;
                continue;
            }
            ++m_i;
            if (m_i >= m_s.size())
                return false;
            const char16_t e = m_s.at(m_i).unicode();
            ++m_i;
            switch (e) {
            case '"':
            case '\\':
            case '/':
                out->append(QChar(e));
                break;
            case 'b':
                out->append(QLatin1Char('\b'));
                break;
            case 'f':
                out->append(QLatin1Char('\f'));
                break;
            case 'n':
                out->append(QLatin1Char('\n'));
                break;
            case 'r':
                out->append(QLatin1Char('\r'));
                break;
            case 't':
                out->append(QLatin1Char('\t'));
                break;
            case 'u': {
                char16_t u = 0;
                if (!readHex4(&u))
                    return false;
                // Go decodes surrogate pairs and turns lone surrogates into U+FFFD.
                if (QChar::isHighSurrogate(u)) {
                    const qsizetype save = m_i;
                    char16_t low = 0;
                    if (m_i + 1 < m_s.size() && m_s.at(m_i) == QLatin1Char('\\')
                        && m_s.at(m_i + 1) == QLatin1Char('u')) {
                        m_i += 2;
                        if (readHex4(&low) && QChar::isLowSurrogate(low)) {
                            out->append(QChar(u));
                            out->append(QChar(low));
                            break;
                        }
                    }
                    m_i = save;
                    out->append(QChar(0xFFFD));
                } else if (QChar::isLowSurrogate(u)) {
                    out->append(QChar(0xFFFD));
                } else {
                    out->append(QChar(u));
                }
                break;
            }
            default:
                return false;
            }
        }
        return false;
    }
    bool readLiteralOrNumber()
    {
        for (const char *lit : {"true", "false", "null"}) {
            const QLatin1String l(lit);
            if (QStringView(m_s).sliced(m_i).startsWith(l)) {
                m_i += l.size();
                return true;
            }
        }
        const qsizetype start = m_i;
        if (at('-'))
            ++m_i;
        if (at('0')) {
            ++m_i;
        } else if (atDigit()) {
            while (atDigit())
                ++m_i;
        } else {
            m_i = start;
            return false;
        }
        if (at('.')) {
            ++m_i;
            if (!atDigit())
                return false;
            while (atDigit())
                ++m_i;
        }
        if (at('e') || at('E')) {
            ++m_i;
            if (at('+') || at('-'))
                ++m_i;
            if (!atDigit())
                return false;
            while (atDigit())
                ++m_i;
        }
        return true;
    }

    const QString &m_s;
    qsizetype m_i = 0;
};

const QString NotStringArrayError =
    QStringLiteral("when using JSON array syntax, arrays must be comprised of strings only");

JsonResult parseJson(const QString &rest, LineNode *node)
{
    const QString trimmed = GoText::trimLeftSpace(rest);
    if (!trimmed.startsWith(QLatin1Char('[')))
        return JsonResult::NotJson;
    QStringList values;
    const JsonResult r = JsonArrayReader(trimmed).read(&values);
    if (r == JsonResult::Ok) {
        node->args = values;
        node->json = true;
    } else if (r == JsonResult::NotStringArray) {
        node->error = NotStringArrayError;
    }
    return r;
}

/// parseMaybeJSON: exec form when the rest is a JSON array of strings; any other JSON problem silently
/// falls back to one shell-form string (the jeztah-invalid-json cases), but a valid array holding a
/// non-string is a hard error.
LineNode maybeJson(const QString &rest)
{
    LineNode node;
    if (rest.isEmpty())
        return node;
    if (parseJson(rest, &node) == JsonResult::NotJson)
        node.args = {rest};
    return node;
}

LineNode maybeJsonToList(const QString &rest)
{
    LineNode node;
    if (parseJson(rest, &node) == JsonResult::NotJson)
        node.args = whitespaceDelimited(rest);
    return node;
}

/// parseHealthConfig: the type word (CMD, NONE, ...) and then the command as parseMaybeJSON sees it.
LineNode healthConfig(const QString &rest)
{
    // BuildKit scans bytes here too, each taken as a rune.
    const QByteArray bytes = GoText::toBytes(rest);
    qsizetype sep = 0;
    while (sep < bytes.size() && !GoText::isSpaceByte(uchar(bytes[sep])))
        ++sep;
    qsizetype next = sep;
    while (next < bytes.size() && GoText::isSpaceByte(uchar(bytes[next])))
        ++next;
    if (sep == 0)
        return {};
    LineNode cmd = maybeJson(GoText::fromBytes(bytes.sliced(next)));
    if (!cmd.error.isEmpty())
        return cmd;
    cmd.args.prepend(GoText::fromBytes(bytes.first(sep)));
    return cmd;
}

/// The instructions of BuildKit's dispatch table; Other for everything else.
enum class Keyword
{
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
    Other
};

struct KnownKeyword
{
    QLatin1StringView name;
    Keyword keyword;
};

constexpr KnownKeyword KnownKeywords[] = {{QLatin1StringView("add"), Keyword::Add},
    {QLatin1StringView("arg"), Keyword::Arg}, {QLatin1StringView("cmd"), Keyword::Cmd},
    {QLatin1StringView("copy"), Keyword::Copy}, {QLatin1StringView("entrypoint"), Keyword::Entrypoint},
    {QLatin1StringView("env"), Keyword::Env}, {QLatin1StringView("expose"), Keyword::Expose},
    {QLatin1StringView("from"), Keyword::From}, {QLatin1StringView("healthcheck"), Keyword::Healthcheck},
    {QLatin1StringView("label"), Keyword::Label}, {QLatin1StringView("maintainer"), Keyword::Maintainer},
    {QLatin1StringView("onbuild"), Keyword::Onbuild}, {QLatin1StringView("run"), Keyword::Run},
    {QLatin1StringView("shell"), Keyword::Shell}, {QLatin1StringView("stopsignal"), Keyword::Stopsignal},
    {QLatin1StringView("user"), Keyword::User}, {QLatin1StringView("volume"), Keyword::Volume},
    {QLatin1StringView("workdir"), Keyword::Workdir}};
constexpr int KnownKeywordCount = int(sizeof(KnownKeywords) / sizeof(KnownKeywords[0]));

/// The lower-case names as shared QStrings, so a known keyword costs no allocation.
const QString &keywordName(Keyword k)
{
    static const QString names[KnownKeywordCount] = {QStringLiteral("add"), QStringLiteral("arg"),
        QStringLiteral("cmd"), QStringLiteral("copy"), QStringLiteral("entrypoint"), QStringLiteral("env"),
        QStringLiteral("expose"), QStringLiteral("from"), QStringLiteral("healthcheck"),
        QStringLiteral("label"), QStringLiteral("maintainer"), QStringLiteral("onbuild"),
        QStringLiteral("run"), QStringLiteral("shell"), QStringLiteral("stopsignal"), QStringLiteral("user"),
        QStringLiteral("volume"), QStringLiteral("workdir")};
    return names[int(k)];
}

bool asciiEqualsLower(QByteArrayView bytes, QLatin1StringView lower)
{
    if (bytes.size() != lower.size())
        return false;
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        char c = bytes[i];
        if (c >= 'A' && c <= 'Z')
            c = char(c + ('a' - 'A'));
        if (c != lower[i].toLatin1())
            return false;
    }
    return true;
}

/// The Node.Value of a command word: strings.ToLower of it (invalid bytes as U+FFFD). The common case,
/// an ASCII spelling of a known instruction, is matched without building a string.
Keyword lowerKeyword(QByteArrayView cmd, QString *lowered)
{
    for (const KnownKeyword &known : KnownKeywords) {
        if (asciiEqualsLower(cmd, known.name)) {
            *lowered = keywordName(known.keyword);
            return known.keyword;
        }
    }
    // Unicode case mapping can still produce a known name (the Kelvin sign lowers to 'k').
    *lowered = GoText::replaceEscapedBytes(GoText::fromBytes(cmd)).toLower();
    for (const KnownKeyword &known : KnownKeywords) {
        if (*lowered == known.name) {
            *lowered = keywordName(known.keyword);
            return known.keyword;
        }
    }
    return Keyword::Other;
}

Instruction newNodeFromLine(QByteArrayView line, const Directives &d, int depth, QString *error);

LineNode subCommand(const QString &rest, const Directives &d, int depth)
{
    LineNode node;
    if (rest.isEmpty())
        return node;
    if (depth >= MaxNestingDepth) {
        node.error = QStringLiteral("instruction nested too deeply");
        return node;
    }
    const QByteArray bytes = GoText::toBytes(rest);
    Instruction child = newNodeFromLine(bytes, d, depth + 1, &node.error);
    if (node.error.isEmpty())
        node.children.append(std::move(child));
    return node;
}

/// BuildKit's dispatch table from instruction keyword to line parser.
LineNode dispatch(Keyword keyword, const QString &rest, const Directives &d, int depth)
{
    switch (keyword) {
    case Keyword::Add:
    case Keyword::Copy:
    case Keyword::Volume:
        return maybeJsonToList(rest);
    case Keyword::Cmd:
    case Keyword::Entrypoint:
    case Keyword::Run:
    case Keyword::Shell:
        return maybeJson(rest);
    case Keyword::Env:
        return nameValue(rest, QStringLiteral("ENV"), d.escapeToken);
    case Keyword::Label:
        return nameValue(rest, QStringLiteral("LABEL"), d.escapeToken);
    case Keyword::Arg: {
        LineNode node;
        node.args = parseWords(rest, d.escapeToken);
        return node;
    }
    case Keyword::Expose:
    case Keyword::From: {
        LineNode node;
        node.args = whitespaceDelimited(rest);
        return node;
    }
    case Keyword::Healthcheck:
        return healthConfig(rest);
    case Keyword::Maintainer:
    case Keyword::Stopsignal:
    case Keyword::User:
    case Keyword::Workdir: {
        LineNode node;
        if (!rest.isEmpty())
            node.args = {rest};
        return node;
    }
    case Keyword::Onbuild:
        return subCommand(rest, d, depth);
    case Keyword::Other:
        break;
    }
    // Unknown instructions keep an empty argument node (parseIgnore); validation reports them.
    LineNode node;
    node.args = {QString()};
    return node;
}

bool isAscii(QByteArrayView bytes)
{
    qsizetype i = 0;
    for (; i + 8 <= bytes.size(); i += 8) {
        quint64 word;
        std::memcpy(&word, bytes.data() + i, 8);
        if (word & 0x8080808080808080ULL)
            return false;
    }
    for (; i < bytes.size(); ++i) {
        if (uchar(bytes[i]) >= 0x80)
            return false;
    }
    return true;
}

/// FROM, EXPOSE and shell-form ADD/COPY/VOLUME: parseStringsWhitespaceDelimited (or the fallback of
/// parseMaybeJSONToList), which only splits, so ASCII arguments are split straight from the bytes.
bool splitsOnWhitespace(Keyword keyword, QByteArrayView args)
{
    switch (keyword) {
    case Keyword::From:
    case Keyword::Expose:
        return true;
    case Keyword::Add:
    case Keyword::Copy:
    case Keyword::Volume: {
        const QByteArrayView trimmed = GoText::trimLeftSpace(args);
        return trimmed.isEmpty() || trimmed.front() != '[';
    }
    default:
        return false;
    }
}

/// GoText::splitWhitespace(rest, -1) on ASCII bytes.
QStringList splitAsciiWhitespace(QByteArrayView s)
{
    QStringList out;
    if (s.isEmpty())
        return out;
    const auto blank = [](char c) {
        return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
    };
    qsizetype pieces = 1;
    for (qsizetype i = 0; i < s.size(); ++i) {
        if (blank(s[i]) && (i == 0 || !blank(s[i - 1])))
            ++pieces;
    }
    out.reserve(pieces);
    qsizetype beg = 0;
    qsizetype i = 0;
    while (i < s.size()) {
        if (!blank(s[i])) {
            ++i;
            continue;
        }
        out.append(QString::fromLatin1(s.sliced(beg, i - beg)));
        while (i < s.size() && blank(s[i]))
            ++i;
        beg = i;
    }
    out.append(QString::fromLatin1(s.sliced(beg))); // Go keeps a trailing empty piece too
    return out;
}

Instruction newNodeFromLine(QByteArrayView line, const Directives &d, int depth, QString *error)
{
    SplitResult split = splitCommand(line, d.escapeToken);
    Instruction ins;
    const Keyword keyword = lowerKeyword(split.cmd, &ins.keyword);
    ins.flags = std::move(split.flags);
    ins.original = GoText::fromBytes(line);
    if (splitsOnWhitespace(keyword, split.args) && isAscii(split.args)) {
        ins.args = splitAsciiWhitespace(split.args);
        return ins;
    }
    LineNode node = dispatch(keyword, GoText::fromBytes(split.args), d, depth);
    if (!node.error.isEmpty()) {
        *error = node.error;
        return ins;
    }
    ins.args = std::move(node.args);
    ins.json = node.json;
    ins.children = std::move(node.children);
    return ins;
}

/// Only shell-form RUN, COPY and ADD (also as an ONBUILD trigger) read heredoc bodies; `RUN ["<<EOF"]`
/// and `USER <<X` keep the text as an argument and the following lines are instructions again.
bool canContainHeredoc(const Instruction &ins)
{
    const Instruction *node = &ins;
    if (ins.keyword == QLatin1String("onbuild") && !ins.children.isEmpty())
        node = &ins.children.first();
    const QString &k = node->keyword;
    if (k != QLatin1String("add") && k != QLatin1String("copy") && k != QLatin1String("run"))
        return false;
    return !node->json;
}

/// Heredoc markers are found by lexing the whole logical line as shell words (quotes and escapes kept
/// raw), so `RUN "<<EOF"` has none, and each word is then matched against `[fd]<<[-]NAME`.
QList<HeredocWord> heredocsFromLine(const QString &line, QString *error)
{
    HeredocLexer lexer;
    lexer.rawQuotes = true;
    lexer.rawEscapes = true;
    lexer.heredocMarkersOnly = true; // words without "<<" are no heredoc markers
    QString ignored; // BuildKit ignores lexing errors here: such a line simply has no heredocs
    const QStringList words = lexer.processWords(line, &ignored);
    QList<HeredocWord> docs;
    for (const QString &word : words) {
        const HeredocWord doc = parseHeredocWord(word, error);
        if (!error->isEmpty())
            return {};
        if (doc.valid)
            docs.append(doc);
    }
    return docs;
}

/// Whether `line` contains "<<" (memchr is much faster than Qt 6.4's generic substring search).
bool hasHeredocMarker(QByteArrayView line)
{
    const char *p = line.data();
    const char *end = p + line.size();
    while (p < end && (p = static_cast<const char *>(std::memchr(p, '<', size_t(end - p)))) != nullptr) {
        if (p + 1 < end && p[1] == '<')
            return true;
        p += 2;
    }
    return false;
}

/// 1-based column of the first non-blank character, in UTF-16 units like the rest of Qt.
int leadingColumn(QByteArrayView raw)
{
    const QByteArrayView trimmed = GoText::trimLeftSpace(raw);
    const QByteArrayView blanks = raw.first(raw.size() - trimmed.size());
    for (const char c : blanks) {
        if (uchar(c) >= 0x80)
            return int(GoText::fromBytes(blanks).size()) + 1;
    }
    return int(blanks.size()) + 1; // ASCII blanks: one UTF-16 unit each
}

class Parser
{
public:
    Parser(const QByteArray &text, const QString &fileName)
        : m_scanner(text)
        , m_fileName(fileName)
    { }

    DockerfileAst run();

private:
    void addDiagnostic(Severity severity, int line, int column, const QString &message)
    {
        if (severity == Severity::Error)
            m_ast.parserAccepted = false;
        Diagnostic diag;
        diag.severity = severity;
        diag.file = m_fileName;
        diag.line = line;
        diag.column = column;
        diag.message = message;
        m_ast.diagnostics.append(diag);
    }
    /// processLine: newline trimmed, optionally left-trimmed, directives handled, comments dropped.
    QByteArrayView processLine(QByteArrayView token, bool stripLeft, bool *directiveOk, int lineNumber);
    void readHeredocs(Instruction &ins, int startLine, int column);

    LineScanner m_scanner;
    QString m_fileName;
    Directives m_directives;
    DockerfileAst m_ast;
    int m_currentLine = 0;
};

QByteArrayView Parser::processLine(QByteArrayView token, bool stripLeft, bool *directiveOk, int lineNumber)
{
    token = trimNewline(token);
    if (stripLeft)
        token = GoText::trimLeftSpace(token);
    QString error;
    *directiveOk = parseDirectiveLine(m_directives, token, &error);
    if (!error.isEmpty())
        addDiagnostic(Severity::Error, lineNumber, 1, error);
    if (isComment(token))
        return {};
    return token;
}

void Parser::readHeredocs(Instruction &ins, int startLine, int column)
{
    QString error;
    const QList<HeredocWord> words = heredocsFromLine(ins.original, &error);
    if (!error.isEmpty()) {
        addDiagnostic(Severity::Error, startLine, column, error);
        return;
    }
    for (const HeredocWord &word : words) {
        const QByteArray terminator = GoText::toBytes(word.name);
        QByteArray content;
        bool terminated = false;
        QByteArrayView raw;
        while (m_scanner.next(&raw)) {
            ++m_currentLine;
            QByteArrayView candidate = trimNewline(raw);
            if (word.chomp) {
                while (!candidate.isEmpty() && candidate.front() == '\t')
                    candidate = candidate.sliced(1);
            }
            // The terminator must be the whole line (after tab stripping for <<-); "EOF " does not end it.
            if (candidate == terminator) {
                terminated = true;
                break;
            }
            // Bodies keep their line ends as written (CRLF stays); chomping is left to the consumer.
            content.append(raw);
        }
        if (!terminated) {
            addDiagnostic(Severity::Error, startLine, column, QStringLiteral("unterminated heredoc"));
            return;
        }
        Heredoc doc;
        doc.name = word.name;
        doc.content = GoText::fromBytes(content);
        doc.expand = word.expand;
        doc.chomp = word.chomp;
        ins.heredocs.append(doc);
    }
}

DockerfileAst Parser::run()
{
    // Reserving saves moving the list as it grows: real Dockerfiles have an instruction per 30-100 bytes.
    // No cap: the pages of the reserve that stay unused are never touched, so they cost no memory, while
    // growing a 9 MB file's list (87,000 instructions) step by step had the kernel clear fresh pages each
    // time; Instruction is relocatable, so a growth that still happens is a realloc.
    m_ast.instructions.reserve(m_scanner.size() / 24 + 8);
    QStringList comments;
    QByteArrayView raw;
    bool anyInstruction = false;
    while (m_scanner.next(&raw)) {
        if (m_currentLine == 0 && raw.startsWith("\xEF\xBB\xBF"))
            raw = raw.sliced(3);
        if (isComment(raw)) {
            // BuildKit drops the first byte, not the '#': an indented comment keeps its '#'.
            const QString comment = GoText::fromBytes(GoText::trimSpace(raw.sliced(1)));
            if (comment.isEmpty())
                comments.clear();
            else
                comments.append(comment);
        }
        bool directiveOk = false;
        QByteArrayView bytes = processLine(raw, true, &directiveOk, m_currentLine + 1);
        if (directiveOk && !comments.isEmpty())
            comments.removeLast();
        ++m_currentLine;

        const int startLine = m_currentLine;
        const int column = leadingColumn(raw);
        bool isEndOfLine = true;
        bytes = trimContinuation(bytes, m_directives.escapeToken, &isEndOfLine);
        // Blank and comment lines end nothing: comments collected so far stay attached to the next
        // instruction unless an empty `#` line reset them.
        if (isEndOfLine && bytes.isEmpty())
            continue;
        // A one-line instruction is parsed in place; continuations are joined into `joined`.
        QByteArrayView buf = bytes;
        QByteArray joined;
        const bool continued = !isEndOfLine;
        if (continued)
            joined = bytes.toByteArray();

        // Continuation lines keep their leading blanks (BuildKit's deprecated-but-kept behaviour), and
        // comment or blank lines inside a continuation are skipped without ending it.
        bool hasEmptyContinuationLine = false;
        while (!isEndOfLine && m_scanner.next(&raw)) {
            bool ignored = false;
            QByteArrayView cont = processLine(raw, false, &ignored, m_currentLine + 1);
            ++m_currentLine;
            if (isComment(raw))
                continue;
            if (GoText::trimLeftSpace(trimNewline(cont)).isEmpty()) {
                hasEmptyContinuationLine = true;
                continue;
            }
            cont = trimContinuation(cont, m_directives.escapeToken, &isEndOfLine);
            joined.append(cont);
        }
        if (continued)
            buf = joined;

        if (hasEmptyContinuationLine) {
            addDiagnostic(Severity::Warning, m_currentLine, 1,
                QStringLiteral("Empty continuation line found in: %1").arg(GoText::fromBytes(buf)));
        }

        QString error;
        Instruction ins = newNodeFromLine(buf, m_directives, 0, &error);
        if (!error.isEmpty()) {
            // BuildKit stops here; we report it and go on with the next instruction.
            addDiagnostic(Severity::Error, startLine, column, error);
            comments.clear();
            anyInstruction = true;
            continue;
        }
        if (canContainHeredoc(ins) && hasHeredocMarker(buf))
            readHeredocs(ins, startLine, column);
        ins.startLine = startLine;
        ins.endLine = m_currentLine;
        ins.startColumn = column;
        ins.prevComments = std::move(comments);
        comments.clear();
        // Qt 6 allocates when a null list is iterated without const: only ONBUILD has children.
        if (!ins.children.isEmpty()) {
            for (Instruction &child : ins.children) {
                child.startLine = startLine;
                child.endLine = m_currentLine;
                child.startColumn = column;
            }
        }
        m_ast.instructions.append(std::move(ins));
        anyInstruction = true;
        comments.clear();
    }

    // BuildKit returns its AST with this scanner error; an empty file or one with only comments has no
    // AST at all.
    if (m_scanner.tooLong()) {
        addDiagnostic(Severity::Error, m_currentLine + 1, 1,
            QStringLiteral("dockerfile line greater than max allowed size of %1").arg(MaxScanTokenSize - 1));
    } else if (!anyInstruction) {
        addDiagnostic(
            Severity::Error, qMax(1, m_currentLine), 1, QStringLiteral("file with no instructions"));
    }
    m_ast.escapeToken = QLatin1Char(m_directives.escapeToken);
    m_ast.syntax = m_directives.syntax;
    m_ast.check = m_directives.check;
    return m_ast;
}

} // namespace

DockerfileAst parseDockerfileSyntax(const QByteArray &text, const QString &fileName)
{
    Parser parser(text, fileName);
    return parser.run();
}

void checkDockerfile(DockerfileAst &ast, const QString &fileName)
{
    validateDockerfile(ast, fileName);
    lintDockerfile(ast, fileName);
}

DockerfileAst parseDockerfile(const QByteArray &text, const QString &fileName)
{
    DockerfileAst ast = parseDockerfileSyntax(text, fileName);
    checkDockerfile(ast, fileName);
    return ast;
}

// Node.Dump: lower-cased keyword, flags as a Go %q slice, ONBUILD's trigger in parentheses, then every
// argument through strconv.Quote; the whole line is TrimSpace'd, which only matters for empty keywords.
namespace {

/// dumpInstruction() appended to `out`: every piece is written in place, with no string of its own (the
/// quoted pieces were a third of `stagelens dockerfile --ast`, perf).
void appendInstruction(QString &out, const Instruction &instruction)
{
    const qsizetype start = out.size();
    out.append(instruction.keyword);
    if (!instruction.flags.isEmpty()) {
        out.append(QLatin1Char(' '));
        GoText::appendQuotedList(out, instruction.flags);
    }
    for (const Instruction &child : instruction.children) {
        out.append(QLatin1String(" ("));
        appendInstruction(out, child);
        out.append(QLatin1Char(')'));
    }
    for (const QString &arg : instruction.args) {
        out.append(QLatin1Char(' '));
        GoText::appendQuoted(out, arg);
    }
    // strings.TrimSpace of what was just written.
    qsizetype end = out.size();
    while (end > start && GoText::isSpace(out.at(end - 1).unicode()))
        --end;
    out.truncate(end);
    qsizetype begin = start;
    while (begin < end && GoText::isSpace(out.at(begin).unicode()))
        ++begin;
    out.remove(start, begin - start);
}

} // namespace

QString dumpInstruction(const Instruction &instruction)
{
    QString out;
    appendInstruction(out, instruction);
    return out;
}

QString dumpAst(const DockerfileAst &ast)
{
    QString out;
    for (const Instruction &ins : ast.instructions) {
        out.append(QLatin1Char('('));
        appendInstruction(out, ins);
        out.append(QLatin1String(")\n"));
    }
    return out;
}

} // namespace Stagelens
