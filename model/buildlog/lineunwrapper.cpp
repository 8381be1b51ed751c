#include "lineunwrapper.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#ifdef __SSE2__
#include <immintrin.h>
#endif

namespace Stagelens {

namespace {

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// Position of `needle` in `haystack` at or after `from`, or -1. Looks for the byte needle[anchor] with
// memchr (vectorised in the C library, unlike Qt 6.4's byte-array search) and compares the rest around
// it: fast when that byte is rare in log text ('_' of "section_", ']' of a GitHub line link).
qsizetype findAnchored(QByteArrayView haystack, QByteArrayView needle, qsizetype anchor, qsizetype from = 0)
{
    const char *data = haystack.data();
    const qsizetype size = haystack.size();
    const qsizetype length = needle.size();
    qsizetype pos = from + anchor;
    while (pos < size) {
        const void *hit = std::memchr(data + pos, needle[anchor], size_t(size - pos));
        if (!hit)
            return -1;
        const qsizetype at = static_cast<const char *>(hit) - data;
        const qsizetype start = at - anchor;
        if (start + length <= size && data[start] == needle[0]
            && std::memcmp(data + start, needle.data(), size_t(length)) == 0)
            return start;
        pos = at + 1;
    }
    return -1;
}

constexpr QByteArrayView SectionMarker("section_");
constexpr qsizetype SectionAnchor = 7; // the '_'
constexpr QByteArrayView GitHubLinkMarker("](https://github.com/");
constexpr qsizetype GitHubLinkAnchor = 0; // the ']'

bool hasByte(QByteArrayView text, char c)
{
    return !text.isEmpty() && std::memchr(text.data(), c, size_t(text.size())) != nullptr;
}

int digits(QByteArrayView s, qsizetype pos, int count, bool *ok)
{
    int value = 0;
    for (int i = 0; i < count; ++i) {
        if (pos + i >= s.size() || !isDigit(s[pos + i])) {
            *ok = false;
            return 0;
        }
        value = value * 10 + (s[pos + i] - '0');
    }
    return value;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t daysFromCivil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = unsigned(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + std::int64_t(doe) - 719468;
}

// "2026-Feb-28 01:28:25.792055": the whole line, as Coolify's UI interleaves it with the output.
bool isCoolifyTimestampLine(QByteArrayView s)
{
    if (s.size() < 20 || s.size() > 32)
        return false;
    bool ok = true;
    digits(s, 0, 4, &ok);
    digits(s, 12, 2, &ok);
    digits(s, 15, 2, &ok);
    digits(s, 18, 2, &ok);
    return ok && s[4] == '-' && s[8] == '-' && s[11] == ' ' && s[14] == ':' && s[17] == ':';
}

// GitHub's web UI injects "[396](https://github.com/.../jobs/1#step:4:412)" line links into copied text,
// even in the middle of a digest.
QByteArray removeGitHubLineLinks(const QByteArray &text)
{
    const QByteArrayView marker = GitHubLinkMarker;
    if (findAnchored(text, marker, GitHubLinkAnchor) < 0)
        return text;
    QByteArray out;
    out.reserve(text.size());
    qsizetype pos = 0;
    while (pos < text.size()) {
        const qsizetype m = findAnchored(text, marker, GitHubLinkAnchor, pos);
        if (m < 0) {
            out.append(text.constData() + pos, text.size() - pos);
            break;
        }
        qsizetype open = m - 1;
        while (open >= pos && isDigit(text[open]))
            --open;
        const qsizetype close = text.indexOf(')', m);
        if (close < 0) {
            // No closing parenthesis anywhere after: no more links (and no quadratic rescans).
            out.append(text.constData() + pos, text.size() - pos);
            break;
        }
        if (open < pos || text[open] != '[' || open == m - 1) {
            out.append(text.constData() + pos, m + marker.size() - pos);
            pos = m + marker.size();
            continue;
        }
        out.append(text.constData() + pos, open - pos);
        pos = close + 1;
    }
    return out;
}

// GitLab writes "section_start:1703241818:name\r\e[0K" (and section_end) before or inside a line.
QByteArray removeGitLabSections(const QByteArray &text, bool *found)
{
    // One pass: copy the text between markers. Each search resumes after the previous marker, so the
    // work stays linear even for a hostile line full of markers.
    QByteArray out;
    out.reserve(text.size());
    qsizetype pos = 0;
    while (pos < text.size()) {
        const qsizetype at = findAnchored(text, SectionMarker, SectionAnchor, pos);
        if (at < 0)
            break;
        const QByteArrayView rest = viewMid(text, at);
        if (!rest.startsWith("section_start:") && !rest.startsWith("section_end:")) {
            out.append(text.constData() + pos, at + 8 - pos);
            pos = at + 8;
            continue;
        }
        out.append(text.constData() + pos, at - pos);
        *found = true;
        qsizetype end = text.indexOf('\r', at);
        if (end < 0)
            return out; // a marker cut off at the end of the line
        ++end;
        if (viewMid(text, end, 4) == QByteArrayView("\x1b[0K"))
            end += 4;
        pos = end;
    }
    out.append(text.constData() + pos, text.size() - pos);
    return out;
}

} // namespace

qsizetype parseIsoTimestamp(QByteArrayView s, double *epoch, int *fractionDigits)
{
    if (s.size() < 20)
        return 0;
    bool ok = true;
    const int year = digits(s, 0, 4, &ok);
    const int month = digits(s, 5, 2, &ok);
    const int day = digits(s, 8, 2, &ok);
    const int hour = digits(s, 11, 2, &ok);
    const int minute = digits(s, 14, 2, &ok);
    const int second = digits(s, 17, 2, &ok);
    if (!ok || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
        return 0;
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
        return 0;
    qsizetype pos = 19;
    double fraction = 0;
    int fracDigits = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        double scale = 0.1;
        while (pos < s.size() && isDigit(s[pos]) && fracDigits < 12) {
            fraction += (s[pos] - '0') * scale;
            scale /= 10;
            ++pos;
            ++fracDigits;
        }
    }
    int offsetSeconds = 0;
    if (pos < s.size() && s[pos] == 'Z') {
        ++pos;
    } else if (pos + 5 < s.size() + 0 && (s[pos] == '+' || s[pos] == '-') && s[pos + 3] == ':') {
        const int oh = digits(s, pos + 1, 2, &ok);
        const int om = digits(s, pos + 4, 2, &ok);
        if (!ok)
            return 0;
        offsetSeconds = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
        pos += 6;
    } else {
        return 0;
    }
    const std::int64_t days = daysFromCivil(year, unsigned(month), unsigned(day));
    *epoch = double(days * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds) + fraction;
    if (fractionDigits)
        *fractionDigits = fracDigits;
    return pos;
}

QByteArray stripAnsi(QByteArrayView text)
{
    if (!hasByte(text, '\x1b'))
        return text.toByteArray();
    QByteArray out;
    out.reserve(text.size());
    const qsizetype n = text.size();
    qsizetype i = 0;
    while (i < n) {
        const char c = text[i];
        if (c != '\x1b') {
            out.append(c);
            ++i;
            continue;
        }
        if (i + 1 >= n)
            break;
        const char kind = text[i + 1];
        if (kind == '[') {
            // CSI: parameters and intermediates, then one final byte in 0x40..0x7e.
            qsizetype j = i + 2;
            while (j < n && !(text[j] >= 0x40 && text[j] <= 0x7e))
                ++j;
            i = j + 1;
        } else if (kind == ']' || kind == '_' || kind == 'P' || kind == '^') {
            // OSC/APC/DCS/PM: up to BEL or ESC backslash.
            qsizetype j = i + 2;
            while (j < n && text[j] != '\x07' && !(text[j] == '\x1b' && j + 1 < n && text[j + 1] == '\\'))
                ++j;
            i = (j < n && text[j] == '\x07') ? j + 1 : j + 2;
        } else {
            i += 2;
        }
    }
    return out;
}

namespace {

#if defined(__SSE2__) && defined(__GNUC__) && defined(__x86_64__)
#define STAGELENS_AVX2_CLEAN_LINE
// isCleanLine's window, 32 positions at a time, on CPUs with AVX2 (chosen at run time; the build
// targets baseline x86-64).
__attribute__((target("avx2"))) bool isCleanLineAvx2(const unsigned char *bytes, qsizetype n)
{
    const __m256i below = _mm256_set1_epi8(0x1f);
    const __m256i s = _mm256_set1_epi8('s');
    const __m256i e = _mm256_set1_epi8('e');
    const __m256i letterN = _mm256_set1_epi8('n');
    const __m256i underscore = _mm256_set1_epi8('_');
    const __m256i close = _mm256_set1_epi8(']');
    const __m256i open = _mm256_set1_epi8('(');
    __m256i found = _mm256_setzero_si256();
    qsizetype i = 0;
    for (bool last = false; !last; i += 32) {
        if (i + 39 > n) {
            if (i + 7 >= n)
                break;
            i = n - 39; // the last positions, overlapping the ones already seen
            last = true;
        }
        const unsigned char *at = bytes + i;
        const __m256i a0 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(at));
        const __m256i a1 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(at + 1));
        const __m256i a6 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(at + 6));
        const __m256i a7 = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(at + 7));
        const __m256i section =
            _mm256_and_si256(_mm256_and_si256(_mm256_cmpeq_epi8(a0, s), _mm256_cmpeq_epi8(a1, e)),
                _mm256_and_si256(_mm256_cmpeq_epi8(a6, letterN), _mm256_cmpeq_epi8(a7, underscore)));
        const __m256i link =
            _mm256_or_si256(_mm256_and_si256(_mm256_cmpeq_epi8(a0, close), _mm256_cmpeq_epi8(a1, open)),
                _mm256_and_si256(_mm256_cmpeq_epi8(a6, close), _mm256_cmpeq_epi8(a7, open)));
        const __m256i control = _mm256_or_si256(_mm256_cmpeq_epi8(_mm256_min_epu8(a0, below), a0),
            _mm256_cmpeq_epi8(_mm256_min_epu8(a7, below), a7));
        found = _mm256_or_si256(found, _mm256_or_si256(control, _mm256_or_si256(section, link)));
    }
    return _mm256_movemask_epi8(found) == 0;
}

const bool HasAvx2 = __builtin_cpu_supports("avx2");
#endif

} // namespace

bool isCleanLine(QByteArrayView text)
{
    const auto *bytes = reinterpret_cast<const unsigned char *>(text.data());
    const qsizetype n = text.size();
#ifdef STAGELENS_AVX2_CLEAN_LINE
    if (n >= 39 && HasAvx2)
        return isCleanLineAvx2(bytes, n);
#endif
#ifdef __SSE2__
    if (n >= 23) {
        const __m128i below = _mm_set1_epi8(0x1f);
        const auto eq = [](__m128i v, char c) {
            return _mm_cmpeq_epi8(v, _mm_set1_epi8(c));
        };
        __m128i found = _mm_setzero_si128();
        // For the 16 positions j of a window: "s" at j, "e" at j+1, "n_" at j+6 ("section_"), "](" at j
        // and at j+6, and control bytes at j and j+7 (so the last window, placed at n-23, reaches n).
        auto check = [&](const unsigned char *at) {
            const __m128i a0 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(at));
            const __m128i a1 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(at + 1));
            const __m128i a6 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(at + 6));
            const __m128i a7 = _mm_loadu_si128(reinterpret_cast<const __m128i *>(at + 7));
            const __m128i section = _mm_and_si128(
                _mm_and_si128(eq(a0, 's'), eq(a1, 'e')), _mm_and_si128(eq(a6, 'n'), eq(a7, '_')));
            const __m128i link = _mm_or_si128(
                _mm_and_si128(eq(a0, ']'), eq(a1, '(')), _mm_and_si128(eq(a6, ']'), eq(a7, '(')));
            const __m128i control = _mm_or_si128(
                _mm_cmpeq_epi8(_mm_min_epu8(a0, below), a0), _mm_cmpeq_epi8(_mm_min_epu8(a7, below), a7));
            found = _mm_or_si128(found, _mm_or_si128(control, _mm_or_si128(section, link)));
        };
        qsizetype i = 0;
        for (; i + 23 <= n; i += 16)
            check(bytes + i);
        if (i + 7 < n)
            check(bytes + n - 23); // the last positions, overlapping the ones already seen
        return _mm_movemask_epi8(found) == 0;
    }
#endif
    for (qsizetype i = 0; i < n; ++i) {
        const unsigned char c = bytes[i];
        if (c < 0x20)
            return false;
        if (i + 1 < n && c == ']' && bytes[i + 1] == '(')
            return false;
        if (i + 8 <= n && c == 's' && std::memcmp(bytes + i, "section_", 8) == 0)
            return false;
    }
    return true;
}

UnwrappedView unwrapLogLineView(QByteArrayView raw, QByteArray *scratch, bool clean)
{
    UnwrappedView line;
    QByteArrayView view = raw;
    if (clean) {
        // No wrapper inside the line, nor a gh prefix (tabs): only a leading timestamp, a GitHub command
        // or a bare Buildkite marker can be there.
        if (!cleanLineMayHavePrefix(view)) {
            line.text = view;
            return line;
        }
    }
    if (view.endsWith('\r'))
        view.chop(1);

    // Buildkite: "\e_bk;t=1700000000000\a" before the text (an APC sequence carrying milliseconds).
    const qsizetype bk = hasPrefix(view, "_bk;t=") ? 0 : hasPrefix(viewMid(view, 1), "_bk;t=") ? 1 : -1;
    if (bk >= 0) {
        qsizetype j = bk + 6;
        double ms = 0;
        while (j < view.size() && isDigit(view[j]))
            ms = ms * 10 + (view[j++] - '0');
        if (j < view.size() && view[j] == '\x07') {
            line.wrapper = CiWrapper::Buildkite;
            line.timestamp = ms / 1000.0;
            view = viewMid(view, j + 1);
        }
    }

    // gh run view --log: "job<TAB>step<TAB>2024-...Z text", the second tab within the first 400 bytes.
    if (line.wrapper == CiWrapper::None && !clean && !view.isEmpty()) {
        const char *data = view.data();
        const qsizetype limit = std::min<qsizetype>(view.size(), 400);
        const char *tab1 = static_cast<const char *>(std::memchr(data, '\t', size_t(limit)));
        const char *tab2 = tab1
            ? static_cast<const char *>(std::memchr(tab1 + 1, '\t', size_t(limit - (tab1 + 1 - data))))
            : nullptr;
        double epoch = 0;
        if (tab2) {
            const qsizetype at = tab2 - data;
            const qsizetype len = parseIsoTimestamp(viewMid(view, at + 1), &epoch);
            if (len > 0) {
                line.wrapper = CiWrapper::GhCli;
                line.timestamp = epoch;
                view = viewMid(view, at + 1 + len);
                if (view.startsWith(' '))
                    view = viewMid(view, 1);
            }
        }
    }

    // A leading RFC 3339 stamp: GitHub Actions raw logs use exactly 7 fraction digits; GitLab's
    // FF_TIMESTAMPS adds a stream tag ("00O ", "01E+"); anything else is a generic stamped log.
    if (line.wrapper == CiWrapper::None && !view.isEmpty() && isDigit(view[0])) {
        double epoch = 0;
        int fracDigits = 0;
        const qsizetype len = parseIsoTimestamp(view, &epoch, &fracDigits);
        if (len > 0 && (len == view.size() || view[len] == ' ')) {
            line.timestamp = epoch;
            view = viewMid(view, len < view.size() ? len + 1 : len);
            if (view.size() >= 3 && isDigit(view[0]) && isDigit(view[1]) && (view[2] == 'O' || view[2] == 'E')
                && (view.size() == 3 || view[3] == ' ' || view[3] == '+')) {
                line.wrapper = CiWrapper::GitLab;
                view = viewMid(view, view.size() > 3 && view[3] == '+' ? 4 : 3);
                if (view.startsWith(' '))
                    view = viewMid(view, 1);
            } else {
                line.wrapper = fracDigits == 7 ? CiWrapper::GitHub : CiWrapper::Timestamped;
            }
        } else if (isCoolifyTimestampLine(view)) {
            line.timestampOnly = true;
            return line;
        }
    }

    if (hasPrefix(view, "##[")) {
        // GitHub workflow commands: group titles, commands, errors. Not build output.
        line.ciMarker = true;
        if (line.wrapper == CiWrapper::None)
            line.wrapper = CiWrapper::GitHub;
    }

    // Most lines carry nothing inside: no copy then (each removal below only drops bytes, so a line
    // without any of the three markers comes out of them unchanged).
    const bool section = !clean && findAnchored(view, SectionMarker, SectionAnchor) >= 0;
    if (clean
        || (!section && !hasByte(view, '\x1b')
            && findAnchored(view, GitHubLinkMarker, GitHubLinkAnchor) < 0)) {
        if (view.endsWith('\r'))
            view.chop(1);
        line.text = view;
        return line;
    }

    QByteArray text = view.toByteArray();
    bool gitlab = false;
    if (section) {
        text = removeGitLabSections(text, &gitlab);
        if (gitlab && line.wrapper == CiWrapper::None)
            line.wrapper = CiWrapper::GitLab;
    }
    text = stripAnsi(text);
    text = removeGitHubLineLinks(text);
    if (text.endsWith('\r'))
        text.chop(1);
    *scratch = std::move(text);
    line.text = *scratch;
    return line;
}

UnwrappedLine unwrapLogLine(QByteArrayView raw)
{
    QByteArray scratch;
    const UnwrappedView view = unwrapLogLineView(raw, &scratch);
    UnwrappedLine line;
    line.text = view.text.toByteArray();
    line.wrapper = view.wrapper;
    line.timestamp = view.timestamp;
    line.ciMarker = view.ciMarker;
    line.timestampOnly = view.timestampOnly;
    return line;
}

} // namespace Stagelens
