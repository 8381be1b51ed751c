#include "model/dockerfile/gotext.h"

#include <QChar>

#include <algorithm>
#include <cstring>
#include <vector>

namespace Stagelens::GoText {

bool isSpace(char32_t c)
{
    if (c <= 0xFF)
        return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 || c == 0xA0;
    return c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F
        || c == 0x205F || c == 0x3000;
}

char32_t decodeRune(const char *p, qsizetype n, int *width)
{
    *width = 1;
    if (n <= 0)
        return 0xFFFD;
    const auto b0 = uchar(p[0]);
    if (b0 < 0x80)
        return b0;
    int len = 0;
    char32_t c = 0;
    char32_t min = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
        c = b0 & 0x1F;
        min = 0x80;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        c = b0 & 0x0F;
        min = 0x800;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        c = b0 & 0x07;
        min = 0x10000;
    } else {
        return 0xFFFD;
    }
    if (n < len)
        return 0xFFFD;
    for (int i = 1; i < len; ++i) {
        const auto b = uchar(p[i]);
        if ((b & 0xC0) != 0x80)
            return 0xFFFD;
        c = (c << 6) | (b & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are invalid in Go as well.
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0xFFFD;
    *width = len;
    return c;
}

QString fromBytes(QByteArrayView bytes)
{
    // Fast paths: plain ASCII, then valid UTF-8 (by far the common cases) go through Qt's codecs.
    // The ASCII scan looks at 8 bytes at a time.
    qsizetype firstHigh = 0;
    const qsizetype n = bytes.size();
    while (firstHigh + 8 <= n) {
        quint64 word;
        std::memcpy(&word, bytes.data() + firstHigh, 8);
        if (word & 0x8080808080808080ULL)
            break;
        firstHigh += 8;
    }
    while (firstHigh < n && uchar(bytes[firstHigh]) < 0x80)
        ++firstHigh;
    if (firstHigh == bytes.size())
        return QString::fromLatin1(bytes);
    bool valid = true;
    for (qsizetype k = firstHigh; k < bytes.size();) {
        if (uchar(bytes[k]) < 0x80) {
            ++k;
            continue;
        }
        int w = 1;
        if (decodeRune(bytes.data() + k, bytes.size() - k, &w) == 0xFFFD && w == 1) {
            valid = false;
            break;
        }
        k += w;
    }
    if (valid)
        return QString::fromUtf8(bytes);
    QString out;
    out.reserve(bytes.size());
    qsizetype i = 0;
    while (i < bytes.size()) {
        const auto b = uchar(bytes[i]);
        if (b < 0x80) {
            out.append(QLatin1Char(char(b)));
            ++i;
            continue;
        }
        int w = 1;
        const char32_t c = decodeRune(bytes.data() + i, bytes.size() - i, &w);
        if (c == 0xFFFD && w == 1) {
            out.append(QChar(char16_t(0xDC00 + b)));
        } else if (c >= 0x10000) {
            out.append(QChar::highSurrogate(c));
            out.append(QChar::lowSurrogate(c));
        } else {
            out.append(QChar(char16_t(c)));
        }
        i += w;
    }
    return out;
}

bool isEscapedByte(const QString &s, qsizetype i)
{
    const char16_t u = s.at(i).unicode();
    return u >= 0xDC80 && u <= 0xDCFF && (i == 0 || !s.at(i - 1).isHighSurrogate());
}

QByteArray toBytes(const QString &s)
{
    bool plain = true;
    for (const QChar c : s) {
        if (c.isSurrogate()) {
            plain = false;
            break;
        }
    }
    if (plain)
        return s.toUtf8();
    QByteArray out;
    out.reserve(s.size());
    for (qsizetype i = 0; i < s.size(); ++i) {
        const char16_t u = s.at(i).unicode();
        if (u < 0x80) {
            out.append(char(u));
            continue;
        }
        if (isEscapedByte(s, i)) {
            out.append(char(u - 0xDC00));
            continue;
        }
        char32_t c = u;
        if (QChar::isHighSurrogate(u) && i + 1 < s.size() && s.at(i + 1).isLowSurrogate()) {
            c = QChar::surrogateToUcs4(u, s.at(i + 1).unicode());
            ++i;
        } else if (QChar::isSurrogate(u)) {
            c = 0xFFFD;
        }
        if (c < 0x800) {
            out.append(char(0xC0 | (c >> 6)));
        } else if (c < 0x10000) {
            out.append(char(0xE0 | (c >> 12)));
            out.append(char(0x80 | ((c >> 6) & 0x3F)));
        } else {
            out.append(char(0xF0 | (c >> 18)));
            out.append(char(0x80 | ((c >> 12) & 0x3F)));
            out.append(char(0x80 | ((c >> 6) & 0x3F)));
        }
        out.append(char(0x80 | (c & 0x3F)));
    }
    return out;
}

QString replaceEscapedBytes(const QString &s)
{
    // Escaped bytes are U+DC80..U+DCFF: most strings have no unit at or above U+D800 at all.
    const char16_t *units = reinterpret_cast<const char16_t *>(s.constData());
    bool any = false;
    for (qsizetype i = 0; i < s.size() && !any; ++i)
        any = units[i] >= 0xD800 && isEscapedByte(s, i);
    if (!any)
        return s;
    QString out = s;
    for (qsizetype i = 0; i < out.size(); ++i) {
        if (isEscapedByte(s, i))
            out[i] = QChar(0xFFFD);
    }
    return out;
}

QByteArrayView trimLeftSpace(QByteArrayView s)
{
    qsizetype i = 0;
    while (i < s.size()) {
        const auto b = uchar(s[i]);
        if (b < 0x80) {
            if (!isSpaceByte(b))
                break;
            ++i;
            continue;
        }
        int w = 1;
        const char32_t c = decodeRune(s.data() + i, s.size() - i, &w);
        if (!isSpace(c) || (c == 0xFFFD && w == 1))
            break;
        i += w;
    }
    return s.sliced(i);
}

QByteArrayView trimRightSpace(QByteArrayView s)
{
    qsizetype end = s.size();
    while (end > 0) {
        // Find the start of the last rune: at most 4 bytes back, skipping continuation bytes.
        qsizetype start = end - 1;
        while (start > 0 && end - start < 4 && (uchar(s[start]) & 0xC0) == 0x80)
            --start;
        int w = 1;
        char32_t c = decodeRune(s.data() + start, end - start, &w);
        if (start + w != end) {
            c = 0xFFFD; // the last byte is not the end of a valid sequence
            start = end - 1;
        }
        if (!isSpace(c))
            break;
        end = start;
    }
    return s.first(end);
}

QString trimSpace(const QString &s)
{
    qsizetype b = 0;
    qsizetype e = s.size();
    while (b < e && isSpace(s.at(b).unicode()))
        ++b;
    while (e > b && isSpace(s.at(e - 1).unicode()))
        --e;
    return (b == 0 && e == s.size()) ? s : s.mid(b, e - b);
}

QString trimLeftSpace(const QString &s)
{
    qsizetype b = 0;
    while (b < s.size() && isSpace(s.at(b).unicode()))
        ++b;
    return b == 0 ? s : s.mid(b);
}

// Go's Regexp.Split keeps empty leading/trailing pieces; with n > 0 the last piece holds the rest.
QStringList splitWhitespace(const QString &s, int n)
{
    QStringList out;
    if (n == 0)
        return out;
    if (s.isEmpty())
        return {QString()};
    // Count the pieces first so the list is allocated once.
    qsizetype pieces = 1;
    for (qsizetype k = 0; k < s.size();) {
        if (!isSplitSpace(s.at(k))) {
            ++k;
            continue;
        }
        ++pieces;
        while (k < s.size() && isSplitSpace(s.at(k)))
            ++k;
    }
    out.reserve(n > 0 ? std::min<qsizetype>(pieces, n) : pieces);
    qsizetype beg = 0;
    qsizetype end = 0;
    qsizetype i = 0;
    int matches = 0;
    while (i < s.size()) {
        if (!isSplitSpace(s.at(i))) {
            ++i;
            continue;
        }
        qsizetype j = i;
        while (j < s.size() && isSplitSpace(s.at(j)))
            ++j;
        // Go's FindAllStringIndex(s, n) returns at most n matches, and Split stops at n-1 pieces.
        if (n > 0 && (matches == n || out.size() == n - 1))
            break;
        ++matches;
        end = i;
        out.append(s.mid(beg, end - beg));
        beg = j;
        i = j;
    }
    if (end != s.size())
        out.append(s.mid(beg));
    return out;
}

namespace {

bool isPrint(char32_t c)
{
    if (c < 0x20 || c == 0x7F)
        return false;
    if (c < 0x7F)
        return true;
    if (c <= 0xFF)
        return c >= 0xA1 && c != 0xAD;
    switch (QChar::category(c)) {
    case QChar::Mark_NonSpacing:
    case QChar::Mark_SpacingCombining:
    case QChar::Mark_Enclosing:
    case QChar::Number_DecimalDigit:
    case QChar::Number_Letter:
    case QChar::Number_Other:
    case QChar::Punctuation_Connector:
    case QChar::Punctuation_Dash:
    case QChar::Punctuation_Open:
    case QChar::Punctuation_Close:
    case QChar::Punctuation_InitialQuote:
    case QChar::Punctuation_FinalQuote:
    case QChar::Punctuation_Other:
    case QChar::Symbol_Math:
    case QChar::Symbol_Currency:
    case QChar::Symbol_Modifier:
    case QChar::Symbol_Other:
    case QChar::Letter_Uppercase:
    case QChar::Letter_Lowercase:
    case QChar::Letter_Titlecase:
    case QChar::Letter_Modifier:
    case QChar::Letter_Other:
        return true;
    default:
        return false;
    }
}

void appendHex(QString &out, char32_t c, int digits)
{
    static const char hex[] = "0123456789abcdef";
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
        out.append(QLatin1Char(hex[(c >> shift) & 0xF]));
}

} // namespace

// strconv.Quote: printable runes stay, \a\b\f\n\r\t\v get short escapes, other control bytes \xNN,
// other non-printables \uNNNN or \UNNNNNNNN. Invalid bytes (escaped above) print as \xNN.
QString quote(const QString &s)
{
    QString out;
    out.reserve(s.size() + 2);
    appendQuoted(out, s);
    return out;
}

void appendQuoted(QString &out, const QString &s)
{
    out.append(QLatin1Char('"'));
    const QChar *data = s.constData();
    const qsizetype n = s.size();
    qsizetype i = 0;
    while (i < n) {
        // Printable ASCII other than '"' and '\\' is most of any Dockerfile: copied a run at a time.
        qsizetype run = i;
        while (run < n) {
            const char16_t u = data[run].unicode();
            if (u < 0x20 || u >= 0x7F || u == '"' || u == '\\')
                break;
            ++run;
        }
        if (run > i) {
            out.append(data + i, run - i);
            i = run;
            continue;
        }
        if (isEscapedByte(s, i)) {
            out.append(QLatin1String("\\x"));
            appendHex(out, s.at(i).unicode() - 0xDC00, 2);
            ++i;
            continue;
        }
        char32_t c = data[i].unicode();
        qsizetype width = 1;
        if (QChar::isHighSurrogate(c) && i + 1 < n && data[i + 1].isLowSurrogate()) {
            c = QChar::surrogateToUcs4(char16_t(c), data[i + 1].unicode());
            width = 2;
        } else if (QChar::isSurrogate(c)) {
            c = 0xFFFD;
        }
        i += width;
        if (c == '"' || c == '\\') {
            out.append(QLatin1Char('\\'));
            out.append(QChar(char16_t(c)));
            continue;
        }
        if (isPrint(c)) {
            if (QChar::requiresSurrogates(c)) {
                out.append(QChar(QChar::highSurrogate(c)));
                out.append(QChar(QChar::lowSurrogate(c)));
            } else {
                out.append(QChar(char16_t(c)));
            }
            continue;
        }
        switch (c) {
        case '\a':
            out.append(QLatin1String("\\a"));
            continue;
        case '\b':
            out.append(QLatin1String("\\b"));
            continue;
        case '\f':
            out.append(QLatin1String("\\f"));
            continue;
        case '\n':
            out.append(QLatin1String("\\n"));
            continue;
        case '\r':
            out.append(QLatin1String("\\r"));
            continue;
        case '\t':
            out.append(QLatin1String("\\t"));
            continue;
        case '\v':
            out.append(QLatin1String("\\v"));
            continue;
        default:
            break;
        }
        if (c < ' ' || c == 0x7F) {
            out.append(QLatin1String("\\x"));
            appendHex(out, c, 2);
        } else if (c < 0x10000) {
            out.append(QLatin1String("\\u"));
            appendHex(out, c, 4);
        } else {
            out.append(QLatin1String("\\U"));
            appendHex(out, c, 8);
        }
    }
    out.append(QLatin1Char('"'));
}

QString quoteList(const QStringList &list)
{
    QString out;
    appendQuotedList(out, list);
    return out;
}

void appendQuotedList(QString &out, const QStringList &list)
{
    out.append(QLatin1Char('['));
    for (qsizetype i = 0; i < list.size(); ++i) {
        if (i > 0)
            out.append(QLatin1Char(' '));
        appendQuoted(out, list.at(i));
    }
    out.append(QLatin1Char(']'));
}

int levenshtein(const QString &a, const QString &b)
{
    const auto s = a.toUcs4();
    const auto t = b.toUcs4();
    std::vector<int> prev(t.size() + 1);
    std::vector<int> cur(t.size() + 1);
    for (qsizetype j = 0; j <= t.size(); ++j)
        prev[j] = int(j);
    for (qsizetype i = 1; i <= s.size(); ++i) {
        cur[0] = int(i);
        for (qsizetype j = 1; j <= t.size(); ++j) {
            const int subst = prev[j - 1] + (s[i - 1] == t[j - 1] ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
        }
        std::swap(prev, cur);
    }
    return prev[t.size()];
}

// Go iterates a map here, so BuildKit's pick among equally close options is random; ours is the first.
QString suggest(const QString &value, const QStringList &options, bool caseSensitive)
{
    const QString val = caseSensitive ? value : value.toLower();
    QString match;
    int minDist = 3;
    for (const QString &option : options) {
        const QString opt = caseSensitive ? option : option.toLower();
        if (val == opt)
            return {}; // an exact match means the error is about something else
        // Long hostile names would make the distance expensive; they cannot be within 2 edits anyway.
        if (qAbs(opt.size() - val.size()) >= minDist)
            continue;
        const int dist = levenshtein(val, opt);
        if (dist < minDist) {
            match = opt;
            if (!caseSensitive) {
                if (value == value.toLower())
                    match = opt.toLower();
                else if (value == value.toUpper())
                    match = opt.toUpper();
            }
            minDist = dist;
        }
    }
    return match;
}

} // namespace Stagelens::GoText
