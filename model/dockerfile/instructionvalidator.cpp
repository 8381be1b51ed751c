#include "model/dockerfile/instructionvalidator.h"

#include "model/dockerfile/gotext.h"
#include "model/dockerfile/heredoclexer.h"

#include <QRegularExpression>

#include <cmath>

namespace Stagelens {

namespace {

enum class FlagType
{
    Bool,
    String,
    Strings
};

struct FlagSpec
{
    QString name;
    FlagType type;
};

/// BuildKit's BFlags: the flags an instruction declares and the values parsed for them.
class Flags
{
public:
    explicit Flags(const QStringList &args)
        : m_args(args)
    { }
    void add(const QString &name, FlagType type, const QString &defaultValue = QString())
    {
        if (m_args.isEmpty())
            return; // nothing to parse: skip the bookkeeping, this runs for every instruction
        m_specs.append({name, type});
        m_values.append(type == FlagType::Bool ? QStringLiteral("false") : defaultValue);
        m_lists.append(QStringList());
        m_used.append(false);
    }
    /// BFlags.Parse: the first problem, or an empty string.
    QString parse()
    {
        for (const QString &a : m_args) {
            if (a == QLatin1String("--"))
                return {}; // POSIX end of options
            if (!a.startsWith(QLatin1String("--")))
                return QStringLiteral("arg should start with -- : %1").arg(a);
            const qsizetype eq = a.indexOf(QLatin1Char('='));
            const QString flagName = eq < 0 ? a : a.left(eq);
            const QString value = eq < 0 ? QString() : a.mid(eq + 1);
            const bool hasValue = eq >= 0;
            const QString arg = flagName.mid(2);
            const int index = indexOf(arg);
            if (index < 0) {
                QString message = QStringLiteral("unknown flag: %1").arg(flagName);
                QStringList names;
                for (const FlagSpec &spec : m_specs)
                    names.append(spec.name);
                const QString match = GoText::suggest(arg, names, true);
                if (!match.isEmpty())
                    message += QStringLiteral(" (did you mean %1?)").arg(match);
                return message;
            }
            const FlagSpec &spec = m_specs.at(index);
            if (m_used.at(index) && spec.type != FlagType::Strings)
                return QStringLiteral("duplicate flag specified: %1").arg(flagName);
            m_used[index] = true;
            switch (spec.type) {
            case FlagType::Bool: {
                if (hasValue && value.isEmpty())
                    return QStringLiteral("missing a value on flag: %1").arg(flagName);
                const QString lower = value.toLower();
                if (lower == QLatin1String("true") || lower.isEmpty())
                    m_values[index] = QStringLiteral("true");
                else if (lower == QLatin1String("false"))
                    m_values[index] = QStringLiteral("false");
                else
                    return QStringLiteral("expecting boolean value for flag %1, not: %2")
                        .arg(flagName, value);
                break;
            }
            case FlagType::String:
                if (!hasValue)
                    return QStringLiteral("missing a value on flag: %1").arg(flagName);
                m_values[index] = value;
                break;
            case FlagType::Strings:
                if (!hasValue)
                    return QStringLiteral("missing a value on flag: %1").arg(flagName);
                m_lists[index].append(value);
                break;
            }
        }
        return {};
    }
    QString value(const QString &name) const
    {
        const int i = indexOf(name);
        return i < 0 ? QString() : m_values.at(i);
    }
    QStringList values(const QString &name) const
    {
        const int i = indexOf(name);
        return i < 0 ? QStringList() : m_lists.at(i);
    }

private:
    int indexOf(const QString &name) const
    {
        for (qsizetype i = 0; i < m_specs.size(); ++i) {
            if (m_specs.at(i).name == name)
                return int(i);
        }
        return -1;
    }

    QStringList m_args;
    QList<FlagSpec> m_specs;
    QStringList m_values;
    QList<QStringList> m_lists;
    QList<bool> m_used;
};

QString atLeastOne(const QString &cmd)
{
    return QStringLiteral("%1 requires at least one argument").arg(cmd);
}
QString exactlyOne(const QString &cmd)
{
    return QStringLiteral("%1 requires exactly one argument").arg(cmd);
}
QString noDestination(const QString &cmd)
{
    return QStringLiteral(
        "%1 requires at least two arguments, but only one was provided. Destination could not "
        "be determined")
        .arg(cmd);
}

/// The keyword as written (Node.Value keeps its case; our keyword is lower-cased).
QString writtenKeyword(const Instruction &ins)
{
    const QString trimmed = GoText::trimSpace(ins.original);
    qsizetype i = 0;
    while (i < trimmed.size() && !GoText::isSplitSpace(trimmed.at(i)))
        ++i;
    return trimmed.left(i);
}

/// ^[a-z][a-z0-9-_.]*$
bool isValidStageName(const QString &name)
{
    if (name.isEmpty() || name.at(0) < QLatin1Char('a') || name.at(0) > QLatin1Char('z'))
        return false;
    for (const QChar c : name) {
        const char16_t u = c.unicode();
        if (!((u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' || u == '_' || u == '.'))
            return false;
    }
    return true;
}

/// nodeArgs: the values along Node.Next, with an ONBUILD trigger flattened in.
QStringList nodeArgs(const Instruction &ins)
{
    QStringList out = ins.args;
    for (const Instruction &child : ins.children) {
        out.append(writtenKeyword(child));
        out.append(nodeArgs(child));
    }
    return out;
}

/// parseKvps for ENV/LABEL triples.
QString kvps(const QStringList &args, const QString &cmd)
{
    if (args.isEmpty())
        return atLeastOne(cmd);
    if (args.size() % 3 != 0)
        return QStringLiteral("Bad input to %1, too many arguments").arg(cmd);
    for (qsizetype j = 0; j < args.size(); j += 3) {
        if (args.at(j).isEmpty())
            return QStringLiteral("%1 names can not be blank").arg(cmd);
    }
    return {};
}

QString sourcesAndDest(const QStringList &args, const QString &cmd)
{
    QString ignored;
    if (parseHeredocWord(args.last(), &ignored).valid)
        return QStringLiteral("%1 cannot accept a heredoc as a destination").arg(cmd);
    return {};
}

/// time.ParseDuration; returns false with Go's message on error.
// HEALTHCHECK intervals go through Go's time.ParseDuration, so "5" (no unit) and "1d" are errors.
bool parseDuration(const QString &s, double *nanoseconds, QString *error)
{
    const QString quoted = GoText::quote(s);
    const QString invalid = QStringLiteral("time: invalid duration %1").arg(quoted);
    QStringView v(s);
    bool negative = false;
    if (!v.isEmpty() && (v.front() == QLatin1Char('-') || v.front() == QLatin1Char('+'))) {
        negative = v.front() == QLatin1Char('-');
        v = v.sliced(1);
    }
    if (v == QLatin1String("0")) {
        *nanoseconds = 0;
        return true;
    }
    if (v.isEmpty()) {
        *error = invalid;
        return false;
    }
    double total = 0;
    while (!v.isEmpty()) {
        qsizetype i = 0;
        double number = 0;
        bool digits = false;
        while (i < v.size() && v.at(i).isDigit() && v.at(i).unicode() < 128) {
            number = number * 10 + (v.at(i).unicode() - '0');
            digits = true;
            ++i;
        }
        if (i < v.size() && v.at(i) == QLatin1Char('.')) {
            ++i;
            double scale = 0.1;
            while (i < v.size() && v.at(i).unicode() >= '0' && v.at(i).unicode() <= '9') {
                number += (v.at(i).unicode() - '0') * scale;
                scale /= 10;
                digits = true;
                ++i;
            }
        }
        if (!digits) {
            *error = invalid;
            return false;
        }
        qsizetype u = i;
        while (u < v.size() && v.at(u) != QLatin1Char('.')
            && !(v.at(u).unicode() >= '0' && v.at(u).unicode() <= '9'))
            ++u;
        if (u == i) {
            *error = QStringLiteral("time: missing unit in duration %1").arg(quoted);
            return false;
        }
        const QStringView unit = v.sliced(i, u - i);
        double scale = 0;
        if (unit == QLatin1String("ns"))
            scale = 1;
        else if (unit == QLatin1String("us") || unit == u"\u00b5s" || unit == u"\u03bcs")
            scale = 1e3;
        else if (unit == QLatin1String("ms"))
            scale = 1e6;
        else if (unit == QLatin1String("s"))
            scale = 1e9;
        else if (unit == QLatin1String("m"))
            scale = 60e9;
        else if (unit == QLatin1String("h"))
            scale = 3600e9;
        if (scale == 0) {
            *error = QStringLiteral("time: unknown unit %1 in duration %2")
                         .arg(GoText::quote(unit.toString()), quoted);
            return false;
        }
        total += number * scale;
        if (total > 9.3e18) {
            *error = invalid;
            return false;
        }
        v = v.sliced(u);
    }
    *nanoseconds = negative ? -total : total;
    return true;
}

QString optInterval(const Flags &flags, const QString &name)
{
    const QString s = flags.value(name);
    if (s.isEmpty())
        return {};
    double ns = 0;
    QString error;
    if (!parseDuration(s, &ns, &error))
        return error;
    if (ns != 0 && ns < 1e6)
        return QStringLiteral("Interval %1 cannot be less than 1ms").arg(GoText::quote(name));
    return {};
}

/// strconv.ParseInt(s, 10, 32) / ParseUint(s, base, 32): the error text, or empty.
QString parseInt32(const QString &s, int base, bool isUnsigned, qint64 *out, const char *fn)
{
    const QString prefix =
        QStringLiteral("strconv.%1: parsing %2: ").arg(QLatin1String(fn), GoText::quote(s));
    QStringView v(s);
    bool negative = false;
    if (!isUnsigned && !v.isEmpty() && (v.front() == QLatin1Char('-') || v.front() == QLatin1Char('+'))) {
        negative = v.front() == QLatin1Char('-');
        v = v.sliced(1);
    }
    if (v.isEmpty())
        return prefix + QStringLiteral("invalid syntax");
    qint64 value = 0;
    bool overflow = false;
    for (const QChar c : v) {
        const int d = (c.unicode() >= '0' && c.unicode() <= '9') ? c.unicode() - '0' : 99;
        if (d >= base)
            return prefix + QStringLiteral("invalid syntax");
        if (!overflow)
            value = value * base + d;
        if (value > 0xFFFFFFFFLL)
            overflow = true;
    }
    const qint64 limit = isUnsigned ? 0xFFFFFFFFLL : (negative ? 0x80000000LL : 0x7FFFFFFFLL);
    if (overflow || value > limit)
        return prefix + QStringLiteral("value out of range");
    *out = negative ? -value : value;
    return {};
}

bool parseGoBool(const QString &s, bool *out)
{
    static const QStringList yes = {QStringLiteral("1"), QStringLiteral("t"), QStringLiteral("T"),
        QStringLiteral("TRUE"), QStringLiteral("true"), QStringLiteral("True")};
    static const QStringList no = {QStringLiteral("0"), QStringLiteral("f"), QStringLiteral("F"),
        QStringLiteral("FALSE"), QStringLiteral("false"), QStringLiteral("False")};
    if (yes.contains(s)) {
        *out = true;
        return true;
    }
    if (no.contains(s)) {
        *out = false;
        return true;
    }
    return false;
}

/// Splits one CSV record (go-csvvalue); false when a quote is malformed.
// --mount values are one CSV record: quoting lets a path contain a comma.
bool csvFields(const QString &s, QStringList *fields, QString *error)
{
    qsizetype i = 0;
    const qsizetype n = s.size();
    for (;;) {
        QString field;
        if (i < n && s.at(i) == QLatin1Char('"')) {
            ++i;
            for (;;) {
                if (i >= n) {
                    *error = QStringLiteral("extraneous or missing \" in quoted-field");
                    return false;
                }
                if (s.at(i) == QLatin1Char('"')) {
                    if (i + 1 < n && s.at(i + 1) == QLatin1Char('"')) {
                        field.append(QLatin1Char('"'));
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                field.append(s.at(i++));
            }
            if (i < n && s.at(i) != QLatin1Char(',')) {
                *error = QStringLiteral("extraneous or missing \" in quoted-field");
                return false;
            }
        } else {
            while (i < n && s.at(i) != QLatin1Char(',')) {
                if (s.at(i) == QLatin1Char('"')) {
                    *error = QStringLiteral("bare \" in non-quoted-field");
                    return false;
                }
                field.append(s.at(i++));
            }
        }
        fields->append(field);
        if (i >= n)
            return true;
        ++i; // the comma
    }
}

/// parseMount as BuildKit runs it with the build's variables expanded. We have no values, so options
/// whose value uses a variable are skipped rather than guessed.
QString validateMount(const QString &spec, bool expanded)
{
    QStringList fields;
    QString csvError;
    if (!csvFields(spec, &fields, &csvError))
        return QStringLiteral("failed to parse csv mounts: %1").arg(csvError);
    if (!expanded) {
        // At parse time BuildKit only rejects variables in from=; the rest waits for expansion.
        for (const QString &field : std::as_const(fields)) {
            const qsizetype eq = field.indexOf(QLatin1Char('='));
            if (eq < 0 || field.left(eq).toLower() != QLatin1String("from"))
                continue;
            const qsizetype dollar = field.indexOf(QLatin1Char('$'), eq + 1);
            if (dollar != -1 && dollar != field.size() - 1)
                return QStringLiteral(
                    "'from' doesn't support variable expansion, define alias stage instead");
        }
        return {};
    }
    static const QStringList mountTypes = {QStringLiteral("bind"), QStringLiteral("cache"),
        QStringLiteral("tmpfs"), QStringLiteral("secret"), QStringLiteral("ssh")};
    static const QStringList shareModes = {
        QStringLiteral("shared"), QStringLiteral("private"), QStringLiteral("locked")};
    static const QStringList allKeys = {
        QStringLiteral("type"),
        QStringLiteral("from"),
        QStringLiteral("source"),
        QStringLiteral("target"),
        QStringLiteral("readonly"),
        QStringLiteral("id"),
        QStringLiteral("sharing"),
        QStringLiteral("required"),
        QStringLiteral("size"),
        QStringLiteral("mode"),
        QStringLiteral("uid"),
        QStringLiteral("gid"),
        QStringLiteral("src"),
        QStringLiteral("dst"),
        QStringLiteral("destination"),
        QStringLiteral("ro"),
        QStringLiteral("rw"),
        QStringLiteral("readwrite"),
        QStringLiteral("env"),
    };
    QString type = QStringLiteral("bind");
    QString from, source, target, id, sharing;
    bool hasMode = false, hasUid = false, hasGid = false;
    for (const QString &field : fields) {
        const qsizetype eq = field.indexOf(QLatin1Char('='));
        const QString key = (eq < 0 ? field : field.left(eq)).toLower();
        const QString value = eq < 0 ? QString() : field.mid(eq + 1);
        if (eq < 0) {
            if (key == QLatin1String("readonly") || key == QLatin1String("ro")
                || key == QLatin1String("readwrite") || key == QLatin1String("rw"))
                continue;
            if (key == QLatin1String("required")) {
                if (type == QLatin1String("secret") || type == QLatin1String("ssh"))
                    continue;
                return QStringLiteral("unexpected key '%1' for mount type '%2'").arg(key, type);
            }
            return QStringLiteral("invalid field '%1' must be a key=value pair").arg(field);
        }
        if (key == QLatin1String("from")) {
            const qsizetype dollar = value.indexOf(QLatin1Char('$'));
            if (dollar != -1 && dollar != value.size() - 1)
                return QStringLiteral("'%1' doesn't support variable expansion, define alias stage instead")
                    .arg(key);
        } else if (value.contains(QLatin1Char('$'))) {
            continue; // needs the build's variables
        }
        auto suggestWrap = [](const QString &message, const QString &val, const QStringList &options) {
            const QString match = GoText::suggest(val, options, true);
            return match.isEmpty() ? message : QStringLiteral("%1 (did you mean %2?)").arg(message, match);
        };
        bool b = false;
        qint64 number = 0;
        if (key == QLatin1String("type")) {
            if (!mountTypes.contains(value.toLower()))
                return suggestWrap(
                    QStringLiteral("unsupported mount type %1").arg(GoText::quote(value)), value, mountTypes);
            type = value.toLower();
        } else if (key == QLatin1String("from")) {
            from = value;
        } else if (key == QLatin1String("source") || key == QLatin1String("src")) {
            source = value;
        } else if (key == QLatin1String("target") || key == QLatin1String("dst")
            || key == QLatin1String("destination")) {
            target = value;
        } else if (key == QLatin1String("readonly") || key == QLatin1String("ro")
            || key == QLatin1String("readwrite") || key == QLatin1String("rw")) {
            if (!parseGoBool(value, &b))
                return QStringLiteral("invalid value for %1: %2").arg(key, value);
        } else if (key == QLatin1String("required")) {
            if (type != QLatin1String("secret") && type != QLatin1String("ssh"))
                return QStringLiteral("unexpected key '%1' for mount type '%2'").arg(key, type);
            if (!parseGoBool(value, &b))
                return QStringLiteral("invalid value for %1: %2").arg(key, value);
        } else if (key == QLatin1String("size")) {
            if (type != QLatin1String("tmpfs"))
                return QStringLiteral("unexpected key '%1' for mount type '%2'").arg(key, type);
            // Rare enough to build per use; a shared static would be matched from several threads.
            const QRegularExpression ram(QStringLiteral("^(\\d+(\\.\\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$"));
            if (!ram.match(value).hasMatch())
                return QStringLiteral("invalid value for %1: %2").arg(key, value);
        } else if (key == QLatin1String("id")) {
            id = value;
        } else if (key == QLatin1String("sharing")) {
            if (!shareModes.contains(value.toLower()))
                return suggestWrap(QStringLiteral("unsupported sharing value %1").arg(GoText::quote(value)),
                    value, shareModes);
            sharing = value.toLower();
        } else if (key == QLatin1String("mode")) {
            if (!parseInt32(value, 8, true, &number, "ParseUint").isEmpty())
                return QStringLiteral("invalid value %1 for mode").arg(value);
            hasMode = true;
        } else if (key == QLatin1String("uid") || key == QLatin1String("gid")) {
            if (!parseInt32(value, 10, true, &number, "ParseUint").isEmpty())
                return QStringLiteral("invalid value %1 for %2").arg(value, key);
            (key == QLatin1String("uid") ? hasUid : hasGid) = true;
        } else if (key != QLatin1String("env")) {
            return suggestWrap(QStringLiteral("unexpected key '%1' in '%2'").arg(key, field), key, allKeys);
        }
    }
    const bool fileInfoAllowed =
        type == QLatin1String("secret") || type == QLatin1String("ssh") || type == QLatin1String("cache");
    if (!fileInfoAllowed) {
        if (hasMode)
            return QStringLiteral("mode not allowed for %1 type mounts").arg(GoText::quote(type));
        if (hasUid)
            return QStringLiteral("uid not allowed for %1 type mounts").arg(GoText::quote(type));
        if (hasGid)
            return QStringLiteral("gid not allowed for %1 type mounts").arg(GoText::quote(type));
    }
    if (type == QLatin1String("secret")) {
        if (!from.isEmpty())
            return QStringLiteral("secret mount should not have a from");
        if (!sharing.isEmpty())
            return QStringLiteral("secret mount should not define sharing");
        if (source.isEmpty() && target.isEmpty() && id.isEmpty())
            return QStringLiteral("invalid secret mount. one of source, target required");
        if (!source.isEmpty() && !id.isEmpty())
            return QStringLiteral("both source and id can't be set");
    }
    if (!sharing.isEmpty() && type != QLatin1String("cache"))
        return QStringLiteral("invalid cache sharing set for %1 mount").arg(type);
    return {};
}

QString validateRun(const Instruction &ins)
{
    if (ins.flags.isEmpty())
        return {}; // the defaults (network "default", security "sandbox") are valid
    Flags flags(ins.flags);
    // Registered by the RUN pre-hooks, in BuildKit's file order.
    flags.add(QStringLiteral("device"), FlagType::Strings);
    flags.add(QStringLiteral("mount"), FlagType::Strings);
    flags.add(QStringLiteral("network"), FlagType::String, QStringLiteral("default"));
    flags.add(QStringLiteral("security"), FlagType::String, QStringLiteral("sandbox"));
    QString error = flags.parse();
    if (!error.isEmpty())
        return error;
    for (const QString &mount : flags.values(QStringLiteral("mount"))) {
        error = validateMount(mount, false);
        if (!error.isEmpty())
            return error;
    }
    const QString network = flags.value(QStringLiteral("network"));
    // Checked at parse time, before any variable expansion: "--network=$NET" is rejected too.
    if (network != QLatin1String("default") && network != QLatin1String("none")
        && network != QLatin1String("host"))
        return QStringLiteral("invalid network mode %1").arg(GoText::quote(network));
    const QString security = flags.value(QStringLiteral("security"));
    if (security != QLatin1String("sandbox") && security != QLatin1String("insecure"))
        return QStringLiteral("security %1 is not valid").arg(GoText::quote(security));
    return {};
}

QString validateHealthcheck(const Instruction &ins, const QStringList &args)
{
    if (args.isEmpty())
        return atLeastOne(QStringLiteral("HEALTHCHECK"));
    const QString typ = args.first().toUpper();
    if (typ == QLatin1String("NONE")) {
        if (args.size() != 1)
            return QStringLiteral("HEALTHCHECK NONE takes no arguments");
        return {};
    }
    Flags flags(ins.flags);
    flags.add(QStringLiteral("interval"), FlagType::String);
    flags.add(QStringLiteral("timeout"), FlagType::String);
    flags.add(QStringLiteral("start-period"), FlagType::String);
    flags.add(QStringLiteral("start-interval"), FlagType::String);
    flags.add(QStringLiteral("retries"), FlagType::String);
    QString error = flags.parse();
    if (!error.isEmpty())
        return error;
    if (typ != QLatin1String("CMD"))
        return QStringLiteral("Unknown type %1 in HEALTHCHECK (try CMD)").arg(GoText::quote(typ));
    // handleJSONArgs: the shell form joins into one string, so only an empty JSON array is "missing".
    if (args.size() == 1)
        return QStringLiteral("Missing command after HEALTHCHECK CMD");
    for (const char *name : {"interval", "timeout", "start-period", "start-interval"}) {
        error = optInterval(flags, QLatin1String(name));
        if (!error.isEmpty())
            return error;
    }
    const QString retries = flags.value(QStringLiteral("retries"));
    if (!retries.isEmpty()) {
        qint64 n = 0;
        error = parseInt32(retries, 10, false, &n, "ParseInt");
        if (!error.isEmpty())
            return error;
        if (n < 0)
            return QStringLiteral("--retries cannot be negative (%1)").arg(n);
    }
    return {};
}

/// command.Commands in upper case: the candidates for "did you mean".
QStringList instructionNames()
{
    return {QStringLiteral("ADD"), QStringLiteral("ARG"), QStringLiteral("CMD"), QStringLiteral("COPY"),
        QStringLiteral("ENTRYPOINT"), QStringLiteral("ENV"), QStringLiteral("EXPOSE"), QStringLiteral("FROM"),
        QStringLiteral("HEALTHCHECK"), QStringLiteral("LABEL"), QStringLiteral("MAINTAINER"),
        QStringLiteral("ONBUILD"), QStringLiteral("RUN"), QStringLiteral("SHELL"),
        QStringLiteral("STOPSIGNAL"), QStringLiteral("USER"), QStringLiteral("VOLUME"),
        QStringLiteral("WORKDIR")};
}

} // namespace

// The order of checks per instruction follows parse.go, since only the first problem is reported: e.g.
// COPY counts its arguments before it looks at flags, FROM checks the stage name before --platform.
QString validateInstruction(const Instruction &ins)
{
    const QString &k = ins.keyword;
    const QStringList args = nodeArgs(ins);
    Flags flags(ins.flags);
    if (k == QLatin1String("env") || k == QLatin1String("label")) {
        const QString error = flags.parse();
        if (!error.isEmpty())
            return error;
        return kvps(args, k.toUpper());
    }
    if (k == QLatin1String("maintainer") || k == QLatin1String("workdir") || k == QLatin1String("user")) {
        if (args.size() != 1)
            return exactlyOne(k.toUpper());
        return flags.parse();
    }
    if (k == QLatin1String("add") || k == QLatin1String("copy")) {
        const QString cmd = k.toUpper();
        if (args.size() < 2)
            return noDestination(cmd);
        flags.add(QStringLiteral("chown"), FlagType::String);
        if (k == QLatin1String("copy"))
            flags.add(QStringLiteral("from"), FlagType::String);
        flags.add(QStringLiteral("chmod"), FlagType::String);
        flags.add(QStringLiteral("link"), FlagType::Bool);
        if (k == QLatin1String("add")) {
            flags.add(QStringLiteral("keep-git-dir"), FlagType::Bool);
            flags.add(QStringLiteral("checksum"), FlagType::String);
            flags.add(QStringLiteral("unpack"), FlagType::Bool);
        }
        flags.add(QStringLiteral("exclude"), FlagType::Strings);
        if (k == QLatin1String("copy"))
            flags.add(QStringLiteral("parents"), FlagType::Bool);
        const QString error = flags.parse();
        if (!error.isEmpty())
            return error;
        return sourcesAndDest(args, cmd);
    }
    if (k == QLatin1String("from")) {
        if (args.size() == 3 && args.at(1).compare(QLatin1String("as"), Qt::CaseInsensitive) == 0) {
            if (!isValidStageName(args.at(2).toLower()))
                return QStringLiteral(
                    "invalid name for build stage: %1, name can't start with a number or contain "
                    "symbols")
                    .arg(GoText::quote(args.at(2)));
        } else if (args.size() != 1) {
            return QStringLiteral("FROM requires either one or three arguments");
        }
        flags.add(QStringLiteral("platform"), FlagType::String);
        return flags.parse();
    }
    if (k == QLatin1String("onbuild")) {
        if (args.isEmpty())
            return atLeastOne(QStringLiteral("ONBUILD"));
        const QString error = flags.parse();
        if (!error.isEmpty())
            return error;
        const QString trigger = GoText::trimSpace(args.first()).toUpper();
        if (trigger == QLatin1String("ONBUILD"))
            return QStringLiteral("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
        if (trigger == QLatin1String("MAINTAINER") || trigger == QLatin1String("FROM"))
            return QStringLiteral("%1 isn't allowed as an ONBUILD trigger").arg(trigger);
        return {};
    }
    if (k == QLatin1String("run"))
        return validateRun(ins);
    if (k == QLatin1String("cmd") || k == QLatin1String("entrypoint"))
        return flags.parse();
    if (k == QLatin1String("healthcheck"))
        return validateHealthcheck(ins, args);
    if (k == QLatin1String("expose") || k == QLatin1String("volume")) {
        if (args.isEmpty())
            return atLeastOne(k.toUpper());
        const QString error = flags.parse();
        if (!error.isEmpty())
            return error;
        if (k == QLatin1String("volume")) {
            for (const QString &v : args) {
                if (GoText::trimSpace(v).isEmpty())
                    return QStringLiteral("VOLUME specified can not be an empty string");
            }
        }
        return {};
    }
    if (k == QLatin1String("stopsignal")) {
        if (args.size() != 1)
            return exactlyOne(QStringLiteral("STOPSIGNAL"));
        return {}; // BuildKit does not parse STOPSIGNAL's flags
    }
    if (k == QLatin1String("arg")) {
        if (args.isEmpty())
            return atLeastOne(QStringLiteral("ARG"));
        for (const QString &arg : args) {
            if (arg.startsWith(QLatin1Char('=')))
                return QStringLiteral("ARG names can not be blank");
        }
        return {}; // nor ARG's
    }
    if (k == QLatin1String("shell")) {
        const QString error = flags.parse();
        if (!error.isEmpty())
            return error;
        if (args.isEmpty())
            return atLeastOne(QStringLiteral("SHELL"));
        if (!ins.json)
            return QStringLiteral("SHELL requires the arguments to be in JSON form");
        return {};
    }
    const QString written = writtenKeyword(ins);
    QString message = QStringLiteral("unknown instruction: %1").arg(written);
    const QString match = GoText::suggest(written, instructionNames(), false);
    if (!match.isEmpty())
        message += QStringLiteral(" (did you mean %1?)").arg(match);
    return message;
}

QString validateRunMounts(const Instruction &ins)
{
    if (ins.keyword != QLatin1String("run") || ins.flags.isEmpty())
        return {};
    Flags flags(ins.flags);
    flags.add(QStringLiteral("device"), FlagType::Strings);
    flags.add(QStringLiteral("mount"), FlagType::Strings);
    flags.add(QStringLiteral("network"), FlagType::String, QStringLiteral("default"));
    flags.add(QStringLiteral("security"), FlagType::String, QStringLiteral("sandbox"));
    if (!flags.parse().isEmpty())
        return {};
    for (const QString &mount : flags.values(QStringLiteral("mount"))) {
        const QString error = validateMount(mount, true);
        if (!error.isEmpty())
            return error;
    }
    return {};
}

void validateDockerfile(DockerfileAst &ast, const QString &fileName)
{
    bool inStage = false;
    bool anyError = false;
    for (const Instruction &ins : std::as_const(ast.instructions)) {
        QString error = validateInstruction(ins);
        if (error.isEmpty()) {
            if (ins.keyword == QLatin1String("from"))
                inStage = true;
            else if (!inStage && ins.keyword != QLatin1String("arg"))
                error = QStringLiteral("no build stage in current context");
        }
        // The full --mount check runs when BuildKit converts the stage, with variables expanded.
        if (error.isEmpty())
            error = validateRunMounts(ins);
        if (error.isEmpty())
            continue;
        Diagnostic diag;
        diag.severity = Severity::Error;
        diag.file = fileName;
        diag.line = ins.startLine;
        diag.column = ins.startColumn;
        diag.message = error;
        ast.diagnostics.append(diag);
        anyError = true;
    }
    // Only ARGs (or nothing that parsed): dockerfile2llb refuses to build it.
    if (!inStage && !anyError && !ast.instructions.isEmpty()) {
        Diagnostic diag;
        diag.severity = Severity::Error;
        diag.file = fileName;
        diag.line = ast.instructions.first().startLine;
        diag.column = ast.instructions.first().startColumn;
        diag.message = QStringLiteral("dockerfile contains no stages to build");
        ast.diagnostics.append(diag);
    }
}

} // namespace Stagelens
