#pragma once

// Helpers shared by the hostile-input suites: deterministic junk, peak-memory measurement and a
// description of a bound for failure messages.

#include <QByteArray>
#include <QFile>
#include <QRandomGenerator>
#include <QString>

namespace Stagelens::Test {

/// Deterministic pseudo-random bytes (a fixed seed, so a failure can be reproduced).
inline QByteArray junkBytes(qsizetype size, quint32 seed = 4711)
{
    QRandomGenerator generator(seed);
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = char(generator.bounded(256));
    return bytes;
}

/// A field of /proc/self/status in bytes ("VmRSS", "VmHWM"); 0 when unavailable.
inline qint64 procStatusBytes(const char *key)
{
    QFile file(QStringLiteral("/proc/self/status"));
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray prefix = QByteArray(key) + ':';
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').value(0).toLongLong() * 1024;
    }
    return 0;
}

/// Measures how far the resident set grows above its level at construction. Writing "5" to clear_refs
/// resets the kernel's peak (VmHWM) to the current RSS, so the peak seen later belongs to the measured code.
class PeakMemory
{
public:
    PeakMemory()
    {
        QFile clear(QStringLiteral("/proc/self/clear_refs"));
        if (clear.open(QIODevice::WriteOnly))
            clear.write("5");
        m_base = procStatusBytes("VmRSS");
    }
    qint64 growth() const { return qMax<qint64>(0, procStatusBytes("VmHWM") - m_base); }

private:
    qint64 m_base = 0;
};

/// The memory budget of a run over `inputBytes` of input: `perByte` bytes per input byte plus a fixed
/// allowance. Sanitizer builds keep freed memory in quarantine (256 MB by default), so they get more.
inline qint64 memoryBudget(qint64 inputBytes, qint64 perByte)
{
    qint64 fixed = 64ll << 20;
#if defined(__SANITIZE_ADDRESS__)
    fixed += 512ll << 20;
    perByte *= 3;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    fixed += 512ll << 20;
    perByte *= 3;
#endif
#endif
    return fixed + inputBytes * perByte;
}

inline QByteArray describeMemory(qint64 growth, qint64 budget)
{
    return QStringLiteral("peak memory grew by %1 MB, budget %2 MB")
        .arg(growth / 1048576.0, 0, 'f', 1)
        .arg(budget / 1048576.0, 0, 'f', 1)
        .toUtf8();
}

} // namespace Stagelens::Test
