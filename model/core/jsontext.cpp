#include "jsontext.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QLocale>

#include <charconv>
#include <cmath>

namespace Stagelens {

JsonText::JsonText(QByteArray *out, const std::function<void(QByteArray *)> *drain)
    : m_out(out)
    , m_drain(drain)
{
    m_buffer.reserve(1 << 16);
}

JsonText::~JsonText()
{
    m_out->append(m_buffer.data(), qsizetype(m_buffer.size()));
}

void JsonText::maybeDrain()
{
    if (!m_drain || m_buffer.size() < DrainBytes)
        return;
    m_out->append(m_buffer.data(), qsizetype(m_buffer.size()));
    m_buffer.clear();
    (*m_drain)(m_out);
}

void JsonText::splice(QByteArray &&text)
{
    if (!m_drain) {
        put(text);
        return;
    }
    m_out->append(m_buffer.data(), qsizetype(m_buffer.size()));
    m_buffer.clear();
    if (m_out->isEmpty())
        *m_out = std::move(text);
    else
        m_out->append(text);
    (*m_drain)(m_out);
}

void JsonText::indent(int level)
{
    static constexpr char Spaces[] = "                                                                ";
    qsizetype n = 4 * qsizetype(level);
    for (; n > qsizetype(sizeof Spaces - 1); n -= qsizetype(sizeof Spaces - 1))
        put(Spaces, sizeof Spaces - 1);
    put(Spaces, n);
}

void JsonText::beginObject(int level)
{
    put("{\n");
    m_level.push_back(level);
    m_first.push_back(true);
}

void JsonText::endObject()
{
    const int level = m_level.back();
    if (!m_first.back())
        put('\n');
    m_level.pop_back();
    m_first.pop_back();
    indent(level - 1);
    put('}');
}

void JsonText::key(const char *key)
{
    if (!m_first.back())
        put(",\n");
    m_first.back() = false;
    indent(m_level.back());
    put('"');
    put(key);
    put("\": ");
}

void JsonText::key(const QString &key)
{
    if (!m_first.back())
        put(",\n");
    m_first.back() = false;
    indent(m_level.back());
    string(key);
    put(": ");
}

void JsonText::string(QStringView text)
{
    put('"');
    const qsizetype n = text.size();
    const char16_t *u = text.utf16();
    for (qsizetype i = 0; i < n; ++i) {
        // Runs of ASCII that needs no escape (nearly all of a log) are narrowed into the buffer at once:
        // a push_back per character was an eighth of `log --json` on a rawjson stream.
        qsizetype run = i;
        while (run < n && u[run] >= 0x20 && u[run] < 0x80 && u[run] != '"' && u[run] != '\\')
            ++run;
        if (run > i) {
            const size_t at = m_buffer.size();
            m_buffer.resize(at + size_t(run - i));
            char *to = m_buffer.data() + at;
            for (qsizetype k = i; k < run; ++k)
                *to++ = char(u[k]);
            i = run - 1;
            continue;
        }
        const char16_t c = u[i];
        if (c < 0x80) {
            put('\\');
            switch (c) {
            case '"':
                put('"');
                break;
            case '\\':
                put('\\');
                break;
            case '\b':
                put('b');
                break;
            case '\f':
                put('f');
                break;
            case '\n':
                put('n');
                break;
            case '\r':
                put('r');
                break;
            case '\t':
                put('t');
                break;
            default: {
                const char hex[] = "0123456789abcdef";
                const char escaped[] = {'u', '0', '0', hex[c >> 4], hex[c & 0xf]};
                put(escaped, 5);
            }
            }
        } else if (c < 0x800) {
            const char bytes[] = {char(0xc0 | (c >> 6)), char(0x80 | (c & 0x3f))};
            put(bytes, 2);
        } else if (QChar::isHighSurrogate(c) && i + 1 < n && QChar::isLowSurrogate(u[i + 1])) {
            const char32_t code = QChar::surrogateToUcs4(c, u[++i]);
            const char bytes[] = {char(0xf0 | (code >> 18)), char(0x80 | ((code >> 12) & 0x3f)),
                char(0x80 | ((code >> 6) & 0x3f)), char(0x80 | (code & 0x3f))};
            put(bytes, 4);
        } else if (QChar::isSurrogate(c)) {
            // A lone surrogate is escaped.
            const char hex[] = "0123456789abcdef";
            const char escaped[] = {
                '\\', 'u', hex[c >> 12], hex[(c >> 8) & 0xf], hex[(c >> 4) & 0xf], hex[c & 0xf]};
            put(escaped, 6);
        } else {
            const char bytes[] = {
                char(0xe0 | (c >> 12)), char(0x80 | ((c >> 6) & 0x3f)), char(0x80 | (c & 0x3f))};
            put(bytes, 3);
        }
    }
    put('"');
}

void JsonText::integer(qint64 value)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    put(buffer, result.ptr - buffer);
}

void JsonText::number(double value)
{
    const double magnitude = std::fabs(value);
    if (!std::isfinite(value)) {
        null();
    } else if (magnitude <= 9007199254740992.0 && value == std::trunc(value)) {
        integer(qint64(value));
    } else if (magnitude >= 1e-3 && magnitude < 1e15) {
        // Here 'g' with the shortest precision is the shortest fixed form.
        char buffer[64];
        const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
        put(buffer, result.ptr - buffer);
    } else {
        put(QByteArray::number(value, 'g', QLocale::FloatingPointShortest));
    }
}

void JsonText::seconds(double value)
{
    number(std::round(value * 1000.0) / 1000.0);
}

void JsonText::stringList(const QStringList &list)
{
    const int level = m_level.back();
    put("[\n");
    for (qsizetype i = 0; i < list.size(); ++i) {
        indent(level + 1);
        string(list.at(i));
        put(i + 1 < list.size() ? ",\n" : "\n");
    }
    indent(level);
    put(']');
}

void JsonText::value(const QJsonValue &value, int level)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        null();
        break;
    case QJsonValue::Bool:
        boolean(value.toBool());
        break;
    case QJsonValue::Double:
        number(value.toDouble());
        break;
    case QJsonValue::String:
        string(value.toString());
        break;
    case QJsonValue::Array: {
        const QJsonArray array = value.toArray();
        put("[\n");
        for (qsizetype i = 0; i < array.size(); ++i) {
            indent(level + 1);
            this->value(array.at(i), level + 1);
            put(i + 1 < array.size() ? ",\n" : "\n");
        }
        indent(level);
        put(']');
        break;
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        put("{\n");
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            indent(level + 1);
            string(it.key());
            put(": ");
            this->value(it.value(), level + 1);
            put(std::next(it) != object.constEnd() ? ",\n" : "\n");
        }
        indent(level);
        put('}');
        break;
    }
    }
}

} // namespace Stagelens
