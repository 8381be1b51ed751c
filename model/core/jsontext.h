// JSON text written directly, byte for byte as QJsonDocument::toJson(Indented) writes it, for documents too
// big to build as QJsonObject first (a 1 GB log's builds, a 9 MB Dockerfile's graph).
#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace Stagelens {

// The rules of Qt 6.4's JSON writer (qjsonwriter.cpp), used by QJsonDocument::toJson(Indented): four
// spaces per level, "key": value, members in key order, "[\n" + indent + "]" for an empty array, strings
// as UTF-8 with only '"', '\\', control characters and lone surrogates escaped, integral numbers up to 2^53
// as integers, other numbers in the shortest form that reads back ('g'). tst_buildlogreader and
// tst_graphexport compare the two.
class JsonText
{
public:
    /// `drain`, when set, is called with `out` whenever more than DrainBytes are pending.
    explicit JsonText(QByteArray *out, const std::function<void(QByteArray *)> *drain = nullptr);
    ~JsonText();
    JsonText(const JsonText &) = delete;
    JsonText &operator=(const JsonText &) = delete;

    /// Hands what is pending to the drain, when there is enough of it.
    void maybeDrain();

    void indent(int level);
    /// Starts an object whose members are at `level`.
    void beginObject(int level);
    void endObject();
    /// `key` must be passed in the order QJsonObject sorts keys (UTF-16 order).
    void key(const char *key);
    /// A key that is not a literal (merged members); same ordering rule as key().
    void key(const QString &key);
    int level() const { return m_level.back(); }

    void string(QStringView text);
    void latin1(const char *text)
    {
        put('"');
        put(text);
        put('"');
    }
    void optionalString(const QString &text)
    {
        if (text.isEmpty())
            null();
        else
            string(text);
    }
    void null() { put("null"); }
    void raw(const char *text) { put(text); }
    /// Text formatted elsewhere (a helper thread's share), placed here. With a drain it goes straight out
    /// after what is pending, without another copy through the buffer.
    void splice(QByteArray &&text);
    void boolean(bool value) { put(value ? "true" : "false"); }
    void integer(qint64 value);
    void number(double value);
    /// Rounded to milliseconds, as optionalNumber() does for the QJsonObject form.
    void seconds(double value);
    /// A k/n counter: absent (0) is null.
    void positiveOrNull(int value)
    {
        if (value > 0)
            integer(value);
        else
            null();
    }
    void optionalSeconds(const std::optional<double> &value)
    {
        if (value)
            seconds(*value);
        else
            null();
    }
    /// A list of strings as the value of a member at the current level.
    void stringList(const QStringList &list);
    /// Any value, nested `level` deep, as Qt's writer would write it.
    void value(const QJsonValue &value, int level);

private:
    static constexpr size_t DrainBytes = 1 << 20;

    // The text goes through a std::string: its appends are inline, QByteArray's are calls.
    void put(char c) { m_buffer.push_back(c); }
    void put(const char *text) { m_buffer.append(text); }
    void put(const char *text, qsizetype n) { m_buffer.append(text, size_t(n)); }
    void put(const QByteArray &bytes) { m_buffer.append(bytes.constData(), size_t(bytes.size())); }

    QByteArray *m_out;
    const std::function<void(QByteArray *)> *m_drain;
    std::string m_buffer;
    std::vector<int> m_level; // member level of each open object
    std::vector<bool> m_first; // no member written yet
};

} // namespace Stagelens
