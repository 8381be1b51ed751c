#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringList>

// Small re-implementations of the Go standard library behaviour that BuildKit's parser relies on
// (unicode.IsSpace, strings.TrimSpace, strconv.Quote, regexp.Split on `[\t\v\f\r ]+`). Being exact
// here is what makes our AST dump identical to BuildKit's.
namespace Stagelens::GoText {

/// Go's unicode.IsSpace.
bool isSpace(char32_t c);
/// Go's unicode.IsSpace applied to a single byte taken as a rune (BuildKit does this in a few loops).
inline bool isSpaceByte(uchar b)
{
    return b == ' ' || (b >= '\t' && b <= '\r') || b == 0x85 || b == 0xA0;
}
/// True for the bytes of BuildKit's `[\t\v\f\r ]` whitespace regexp.
inline bool isSplitSpace(QChar c)
{
    const char16_t u = c.unicode();
    return u == ' ' || u == '\t' || u == '\v' || u == '\f' || u == '\r';
}

/// Go strings are bytes and keep invalid UTF-8 as it is; strconv.Quote then prints it as \xNN. To carry
/// such bytes through QString we use the "surrogateescape" scheme: an invalid byte b becomes the lone
/// surrogate U+DC00+b, and toBytes() turns it back.
QString fromBytes(QByteArrayView bytes);
QByteArray toBytes(const QString &s);
/// True when s[i] is such an escaped byte (a lone low surrogate in U+DC80..U+DCFF).
bool isEscapedByte(const QString &s, qsizetype i);
/// What Go's rune decoding does to invalid bytes: each escaped byte becomes U+FFFD.
QString replaceEscapedBytes(const QString &s);

/// Decodes one UTF-8 sequence like utf8.DecodeRune: invalid input gives U+FFFD with width 1.
char32_t decodeRune(const char *p, qsizetype n, int *width);

QByteArrayView trimLeftSpace(QByteArrayView s);
QByteArrayView trimRightSpace(QByteArrayView s);
inline QByteArrayView trimSpace(QByteArrayView s)
{
    return trimRightSpace(trimLeftSpace(s));
}
QString trimSpace(const QString &s);
QString trimLeftSpace(const QString &s);

/// regexp.MustCompile(`[\t\v\f\r ]+`).Split(s, n), with n < 0 meaning "all".
QStringList splitWhitespace(const QString &s, int n);

/// strconv.Quote.
QString quote(const QString &s);
/// strconv.Quote appended to `out` (no string of its own: the AST dump quotes every argument).
void appendQuoted(QString &out, const QString &s);
/// fmt's %q of a []string: ["a" "b"].
QString quoteList(const QStringList &list);
void appendQuotedList(QString &out, const QStringList &list);

/// Levenshtein distance (agext/levenshtein with default costs), for "did you mean" suggestions.
int levenshtein(const QString &a, const QString &b);
/// util/suggest.Search: the closest option within distance 2, or an empty string.
QString suggest(const QString &value, const QStringList &options, bool caseSensitive);

} // namespace Stagelens::GoText
