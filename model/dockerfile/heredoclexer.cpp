#include "model/dockerfile/heredoclexer.h"

#include "model/dockerfile/gotext.h"

#include <QChar>

namespace Stagelens {

namespace {

constexpr char32_t Eof = char32_t(-1);
constexpr char32_t EscapeToken = '\\'; // the parser always lexes heredoc words with a backslash
// ${...} nests through processStopOn/processDollar; hostile input must not exhaust the stack.
constexpr int MaxDepth = 64;

QString fromU32(const std::u32string &s)
{
    return QString::fromUcs4(s.data(), qsizetype(s.size()));
}

} // namespace

// BuildKit's wordsStruct writes into one buffer shared by every nesting level, and each level resets it
// on entry: "abc${x:-y}" loses "abc". We share it the same way to split words identically.
struct HeredocLexer::Words
{
    std::u32string &buf;
    bool markersOnly = false; ///< keep only words containing "<<" (HeredocLexer::heredocMarkersOnly)
    QStringList words;
    bool inWord = false;

    void endWord()
    {
        if (!markersOnly || buf.find(U"<<") != std::u32string::npos)
            words.append(fromU32(buf));
        buf.clear();
        inWord = false;
    }
    void addChar(char32_t ch)
    {
        const bool space = GoText::isSpace(ch);
        if (space && inWord) {
            if (!buf.empty())
                endWord();
        } else if (!space) {
            addRawChar(ch);
        }
    }
    void addRawChar(char32_t ch)
    {
        buf.push_back(ch);
        inWord = true;
    }
    void addString(const std::u32string &s)
    {
        for (char32_t ch : s)
            addChar(ch);
    }
    void addRawString(const std::u32string &s)
    {
        buf += s;
        inWord = true;
    }
    QStringList take()
    {
        if (!buf.empty())
            endWord();
        return words;
    }
};

char32_t HeredocLexer::peek() const
{
    return m_pos < qsizetype(m_text.size()) ? m_text[m_pos] : Eof;
}

char32_t HeredocLexer::next()
{
    return m_pos < qsizetype(m_text.size()) ? m_text[m_pos++] : Eof;
}

QStringList HeredocLexer::processWords(const QString &input, QString *error)
{
    const auto ucs4 = GoText::replaceEscapedBytes(input).toUcs4(); // text/scanner yields U+FFFD
    m_text.assign(ucs4.begin(), ucs4.end());
    m_pos = 0;
    m_depth = 0;
    m_currentRawEscapes = rawEscapes;
    m_error.clear();
    std::u32string result;
    QStringList words;
    if (!processStopOn(Eof, rawEscapes, &result, &words)) {
        if (error)
            *error = QStringLiteral("failed to process %1: %2").arg(GoText::quote(input), m_error);
        return {};
    }
    return words;
}

bool HeredocLexer::processStopOn(
    char32_t stopChar, bool rawEscapes, std::u32string *result, QStringList *words)
{
    if (++m_depth > MaxDepth) {
        m_error = QStringLiteral("nesting too deep");
        return false;
    }
    const bool savedRawEscapes = m_currentRawEscapes;
    m_currentRawEscapes = rawEscapes;
    m_wordsBuffer.clear();
    Words w {m_wordsBuffer, heredocMarkersOnly, {}, false};
    bool ok = true;
    bool stopped = false;
    while (peek() != Eof) {
        char32_t ch = peek();
        if (stopChar != Eof && ch == stopChar) {
            next();
            stopped = true;
            break;
        }
        if (ch == '$' || ch == '<' || ch == '\'' || ch == '"') {
            std::u32string tmp;
            if (ch == '$')
                ok = processDollar(&tmp);
            else if (ch == '<')
                tmp = processPossibleHeredoc();
            else if (ch == '\'')
                ok = processSingleQuote(&tmp);
            else
                ok = processDoubleQuote(&tmp);
            if (!ok)
                break;
            *result += tmp;
            if (ch == '$')
                w.addString(tmp);
            else
                w.addRawString(tmp);
            continue;
        }
        ch = next();
        if (ch == EscapeToken) {
            if (m_currentRawEscapes) {
                w.addRawChar(ch);
                result->push_back(ch);
            }
            ch = next();
            if (ch == Eof)
                break;
            w.addRawChar(ch);
        } else {
            w.addChar(ch);
        }
        result->push_back(ch);
    }
    m_currentRawEscapes = savedRawEscapes;
    --m_depth;
    if (!ok)
        return false;
    if (stopChar != Eof && !stopped) {
        m_error = QStringLiteral("unexpected end of statement while looking for matching %1")
                      .arg(QString::fromUcs4(&stopChar, 1));
        return false;
    }
    if (words)
        *words = w.take();
    return true;
}

bool HeredocLexer::processSingleQuote(std::u32string *out)
{
    char32_t ch = next();
    if (rawQuotes)
        out->push_back(ch);
    for (;;) {
        ch = next();
        if (ch == Eof) {
            m_error = QStringLiteral("unexpected end of statement while looking for matching single-quote");
            return false;
        }
        if (ch == '\'') {
            if (rawQuotes)
                out->push_back(ch);
            return true;
        }
        out->push_back(ch);
    }
}

bool HeredocLexer::processDoubleQuote(std::u32string *out)
{
    char32_t ch = next();
    if (rawQuotes)
        out->push_back(ch);
    for (;;) {
        const char32_t p = peek();
        if (p == Eof) {
            m_error = QStringLiteral("unexpected end of statement while looking for matching double-quote");
            return false;
        }
        if (p == '"') {
            ch = next();
            if (rawQuotes)
                out->push_back(ch);
            return true;
        }
        if (p == '$') {
            std::u32string value;
            if (!processDollar(&value))
                return false;
            *out += value;
            continue;
        }
        ch = next();
        if (ch == EscapeToken) {
            if (m_currentRawEscapes)
                out->push_back(ch);
            const char32_t after = peek();
            if (after == Eof)
                continue; // a trailing escape is dropped
            if (after == '"' || after == '$' || after == EscapeToken)
                ch = next();
        }
        out->push_back(ch);
    }
}

// With no variables known, every expansion is written back as it was read, but the syntax is still
// checked: a malformed ${...} makes the whole line's lexing fail (and so yield no heredocs).
bool HeredocLexer::processDollar(std::u32string *out)
{
    next();
    if (peek() != '{') {
        const std::u32string name = processName();
        out->push_back('$');
        *out += name; // unset variables stay as written (SkipUnsetEnv)
        return true;
    }
    next();
    const char32_t first = peek();
    if (first == Eof) {
        m_error = QStringLiteral("syntax error: missing '}'");
        return false;
    }
    if (first == '{' || first == '}' || first == ':') {
        m_error = QStringLiteral("syntax error: bad substitution");
        return false;
    }
    const std::u32string name = processName();
    char32_t ch = next();
    std::u32string chs(1, ch == Eof ? char32_t(0xFFFD) : ch);
    auto unsupported = [&] {
        m_error = QStringLiteral("unsupported modifier (%1) in substitution").arg(fromU32(chs));
        return false;
    };
    switch (ch) {
    case '}':
        *out += U"${" + name + U"}";
        return true;
    case ':':
    case '+':
    case '-':
    case '?':
    case '#':
    case '%': {
        const bool nullIsUnset = ch == ':';
        if (nullIsUnset) {
            ch = next();
            chs.push_back(ch == Eof ? char32_t(0xFFFD) : ch);
        }
        const bool raw = ch == '#' || ch == '%';
        if (nullIsUnset && raw)
            return unsupported();
        std::u32string word;
        if (!processStopOn('}', raw, &word, nullptr)) {
            if (peek() == Eof)
                m_error = QStringLiteral("syntax error: missing '}'");
            return false;
        }
        *out += U"${" + name + chs + word + U"}";
        return true;
    }
    case '/': {
        if (peek() == '/')
            next();
        std::u32string pattern;
        if (!processStopOn('/', true, &pattern, nullptr)) {
            if (peek() == Eof)
                m_error = QStringLiteral("syntax error: missing '/' in ${}");
            return false;
        }
        std::u32string replacement;
        if (!processStopOn('}', true, &replacement, nullptr)) {
            if (peek() == Eof)
                m_error = QStringLiteral("syntax error: missing '}'");
            return false;
        }
        *out += U"${" + name + U"/" + pattern + U"/" + replacement + U"}";
        return true;
    }
    default:
        return unsupported();
    }
}

std::u32string HeredocLexer::processName()
{
    std::u32string name;
    while (peek() != Eof) {
        char32_t ch = peek();
        if (name.empty() && QChar::isDigit(ch)) {
            while (peek() != Eof && QChar::isDigit(peek()))
                name.push_back(next());
            return name;
        }
        if (name.empty()
            && (ch == '@' || ch == '*' || ch == '#' || ch == '?' || ch == '-' || ch == '$' || ch == '!'
                || ch == '0')) {
            name.push_back(next());
            return name;
        }
        if (!QChar::isLetter(ch) && !QChar::isDigit(ch) && ch != '_')
            break;
        name.push_back(next());
    }
    return name;
}

// `<<` and the blanks after it stay glued to the next word, so `<< EOF` is one heredoc word.
std::u32string HeredocLexer::processPossibleHeredoc()
{
    next();
    if (peek() != '<')
        return U"<";
    next();
    std::u32string result = U"<<";
    while (peek() == '\t' || peek() == '\r' || peek() == ' ')
        result.push_back(next());
    return result;
}

HeredocWord parseHeredocWord(const QString &word, QString *error)
{
    // The regexp ^(\d*)<<(-?)\s*([^<]*)$ : optional fd digits, "<<", optional "-", the name.
    HeredocWord doc;
    qsizetype i = 0;
    while (i < word.size() && word.at(i) >= QLatin1Char('0') && word.at(i) <= QLatin1Char('9'))
        ++i;
    if (!QStringView(word).sliced(i).startsWith(QLatin1String("<<")))
        return doc;
    i += 2;
    if (i < word.size() && word.at(i) == QLatin1Char('-')) {
        doc.chomp = true;
        ++i;
    }
    while (i < word.size()) {
        const char16_t c = word.at(i).unicode();
        if (c != ' ' && c != '\t' && c != '\n' && c != '\f' && c != '\r')
            break;
        ++i;
    }
    const QString rest = word.mid(i);
    if (rest.contains(QLatin1Char('<')) || rest.isEmpty())
        return doc;

    // Lex the name with and without quote removal: if the quote counts differ, part of it was quoted
    // and BuildKit does not expand variables in the body.
    HeredocLexer lexer;
    QString err;
    const QStringList words = lexer.processWords(rest, &err);
    if (!err.isEmpty()) {
        if (error)
            *error = err;
        return doc;
    }
    if (words.size() != 1)
        return doc;
    lexer.rawQuotes = true;
    const QStringList rawWords = lexer.processWords(rest, &err);
    if (!err.isEmpty()) {
        if (error)
            *error = err;
        return doc;
    }
    if (rawWords.size() != words.size()) {
        if (error)
            *error = QStringLiteral("internal lexing of heredoc produced inconsistent results: %1").arg(rest);
        return doc;
    }
    auto quoteCount = [](const QString &s) {
        return s.count(QLatin1Char('\'')) + s.count(QLatin1Char('"'));
    };
    doc.valid = true;
    doc.name = words.first();
    doc.expand = quoteCount(words.first()) == quoteCount(rawWords.first());
    return doc;
}

} // namespace Stagelens
