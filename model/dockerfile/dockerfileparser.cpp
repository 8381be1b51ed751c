#include "model/dockerfile/dockerfileparser.h"

#include "model/dockerfile/dockerfilelinter.h"
#include "model/dockerfile/gotext.h"
#include "model/dockerfile/heredoclexer.h"
#include "model/dockerfile/instructionvalidator.h"

#include <QSet>

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
        const qsizetype nl = m_data.indexOf('\n', m_pos);
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
    QString cmd;
    QStringList flags;
    QByteArray args;
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
    QByteArray word;
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
            if (word != "--" && (blankOk || !word.isEmpty()))
                flags->append(QString::fromLatin1(word));
            break;
        }
        if (phase == InWord) {
            if (GoText::isSpaceByte(ch)) {
                phase = InSpaces;
                if (word == "--")
                    return line.sliced(pos);
                if (blankOk || !word.isEmpty())
                    flags->append(QString::fromLatin1(word));
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
            word.append(char(ch));
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
        word.append(char(ch));
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
    r.cmd = GoText::fromBytes(trimmed.first(i));
    if (i < trimmed.size()) {
        while (i < trimmed.size() && GoText::isSplitSpace(QLatin1Char(trimmed[i])))
            ++i;
        r.args = GoText::trimSpace(extractBuilderFlags(trimmed.sliced(i), escape, &r.flags)).toByteArray();
    }
    return r;
}

/// parseWords: splits on whitespace, keeping quotes and escapes in the words.
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
    const QChar escape = QLatin1Char(escapeChar);
    QStringList words;
    Phase phase = InSpaces;
    QChar quote;
    bool blankOk = false;
    QString word;
    const qsizetype n = rest.size();
    for (qsizetype pos = 0; pos <= n; ++pos) {
        QChar ch = pos != n ? rest.at(pos) : QChar();
        if (phase == InSpaces) {
            if (pos == n)
                break;
            if (GoText::isSpace(ch.unicode()))
                continue;
            phase = InWord;
        }
        if (pos == n) {
            if (blankOk || !word.isEmpty())
                words.append(word);
            break;
        }
        if (phase == InWord) {
            if (GoText::isSpace(ch.unicode())) {
                phase = InSpaces;
                if (blankOk || !word.isEmpty())
                    words.append(word);
                word.clear();
                blankOk = false;
                continue;
            }
            if (ch == QLatin1Char('\'') || ch == QLatin1Char('"')) {
                quote = ch;
                blankOk = true;
                phase = InQuote;
            }
            if (ch == escape) {
                if (pos + 1 == n)
                    continue; // an escape token at the end of the line is dropped
                word.append(ch);
                ++pos;
                ch = rest.at(pos);
            }
            word.append(ch);
            continue;
        }
        // InQuote: the escape token works inside double quotes only.
        if (ch == quote)
            phase = InWord;
        if (ch == escape && quote != QLatin1Char('\'')) {
            if (pos + 1 == n) {
                phase = InWord;
                continue;
            }
            ++pos;
            word.append(ch);
            ch = rest.at(pos);
        }
        word.append(ch);
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
        node.children.append(child);
    return node;
}

/// BuildKit's dispatch table from instruction keyword to line parser.
LineNode dispatch(const QString &keyword, const QString &rest, const Directives &d, int depth)
{
    if (keyword == QLatin1String("add") || keyword == QLatin1String("copy")
        || keyword == QLatin1String("volume"))
        return maybeJsonToList(rest);
    if (keyword == QLatin1String("cmd") || keyword == QLatin1String("entrypoint")
        || keyword == QLatin1String("run") || keyword == QLatin1String("shell"))
        return maybeJson(rest);
    if (keyword == QLatin1String("env"))
        return nameValue(rest, QStringLiteral("ENV"), d.escapeToken);
    if (keyword == QLatin1String("label"))
        return nameValue(rest, QStringLiteral("LABEL"), d.escapeToken);
    if (keyword == QLatin1String("arg")) {
        LineNode node;
        node.args = parseWords(rest, d.escapeToken);
        return node;
    }
    if (keyword == QLatin1String("expose") || keyword == QLatin1String("from")) {
        LineNode node;
        node.args = whitespaceDelimited(rest);
        return node;
    }
    if (keyword == QLatin1String("healthcheck"))
        return healthConfig(rest);
    if (keyword == QLatin1String("maintainer") || keyword == QLatin1String("stopsignal")
        || keyword == QLatin1String("user") || keyword == QLatin1String("workdir")) {
        LineNode node;
        if (!rest.isEmpty())
            node.args = {rest};
        return node;
    }
    if (keyword == QLatin1String("onbuild"))
        return subCommand(rest, d, depth);
    // Unknown instructions keep an empty argument node (parseIgnore); validation reports them.
    LineNode node;
    node.args = {QString()};
    return node;
}

Instruction newNodeFromLine(QByteArrayView line, const Directives &d, int depth, QString *error)
{
    const SplitResult split = splitCommand(line, d.escapeToken);
    Instruction ins;
    ins.keyword = GoText::replaceEscapedBytes(split.cmd).toLower();
    ins.flags = split.flags;
    ins.original = GoText::fromBytes(line);
    LineNode node = dispatch(ins.keyword, GoText::fromBytes(split.args), d, depth);
    if (!node.error.isEmpty()) {
        *error = node.error;
        return ins;
    }
    ins.args = node.args;
    ins.json = node.json;
    ins.children = node.children;
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

/// 1-based column of the first non-blank character, in UTF-16 units like the rest of Qt.
int leadingColumn(QByteArrayView raw)
{
    const QByteArrayView trimmed = GoText::trimLeftSpace(raw);
    return int(GoText::fromBytes(raw.first(raw.size() - trimmed.size())).size()) + 1;
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
    QStringList comments;
    QByteArrayView raw;
    bool anyInstruction = false;
    while (m_scanner.next(&raw)) {
        if (m_currentLine == 0 && raw.startsWith("\xEF\xBB\xBF"))
            raw = raw.sliced(3);
        if (isComment(raw)) {
            // BuildKit drops the first byte, not the '#': an indented comment keeps its '#'.
            const QString comment = GoText::trimSpace(GoText::fromBytes(raw.sliced(1)));
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
        QByteArray buf = bytes.toByteArray();

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
            buf.append(cont);
        }

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
        if (canContainHeredoc(ins) && buf.contains("<<"))
            readHeredocs(ins, startLine, column);
        ins.startLine = startLine;
        ins.endLine = m_currentLine;
        ins.startColumn = column;
        ins.prevComments = comments;
        for (Instruction &child : ins.children) {
            child.startLine = startLine;
            child.endLine = m_currentLine;
            child.startColumn = column;
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
QString dumpInstruction(const Instruction &instruction)
{
    QString out = instruction.keyword;
    if (!instruction.flags.isEmpty()) {
        out.append(QLatin1Char(' '));
        out.append(GoText::quoteList(instruction.flags));
    }
    for (const Instruction &child : instruction.children) {
        out.append(QLatin1String(" ("));
        out.append(dumpInstruction(child));
        out.append(QLatin1Char(')'));
    }
    for (const QString &arg : instruction.args) {
        out.append(QLatin1Char(' '));
        out.append(GoText::quote(arg));
    }
    return GoText::trimSpace(out);
}

QString dumpAst(const DockerfileAst &ast)
{
    QString out;
    for (const Instruction &ins : ast.instructions) {
        out.append(QLatin1Char('('));
        out.append(dumpInstruction(ins));
        out.append(QLatin1String(")\n"));
    }
    return out;
}

} // namespace Stagelens
