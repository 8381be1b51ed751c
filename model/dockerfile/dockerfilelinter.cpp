#include "model/dockerfile/dockerfilelinter.h"

#include "model/dockerfile/gotext.h"

#include <QSet>

namespace Stagelens {

namespace {

struct LintConfig
{
    bool skipAll = false;
    bool asError = false;
    QSet<QString> skip;
};

/// linter.ParseLintOptions: "skip=A,B;error=true". Invalid options leave the config unchanged.
bool parseCheck(const QString &value, LintConfig *config)
{
    const QString check = GoText::trimSpace(value.section(QLatin1Char(' '), 0, 0));
    if (check.isEmpty())
        return true;
    LintConfig parsed = *config;
    for (const QString &part : check.split(QLatin1Char(';'))) {
        const qsizetype eq = part.indexOf(QLatin1Char('='));
        if (eq < 0)
            return false;
        const QString key = GoText::trimSpace(part.left(eq));
        const QString v = GoText::trimSpace(part.mid(eq + 1));
        if (key == QLatin1String("skip")) {
            if (v == QLatin1String("all")) {
                parsed.skipAll = true;
            } else {
                for (const QString &rule : v.split(QLatin1Char(',')))
                    parsed.skip.insert(GoText::trimSpace(rule));
            }
        } else if (key == QLatin1String("error")) {
            const QString l = v.toLower();
            if (v == QLatin1String("1") || l == QLatin1String("t") || l == QLatin1String("true"))
                parsed.asError = true;
            else if (v == QLatin1String("0") || l == QLatin1String("f") || l == QLatin1String("false"))
                parsed.asError = false;
            else
                return false;
        } else if (key != QLatin1String("experimental")) {
            return false;
        }
    }
    *config = parsed;
    return true;
}

/// The value of a `check=...` comment (BuildKit parses it with its directive parser), or empty.
QString checkCommentValue(const QString &comment)
{
    const QString t = GoText::trimSpace(comment);
    if (!t.startsWith(QLatin1String("check"), Qt::CaseInsensitive))
        return {};
    qsizetype i = 5;
    if (i < t.size() && t.at(i).unicode() < 128 && t.at(i).isLetterOrNumber())
        return {}; // a longer key such as "checks"
    while (i < t.size() && t.at(i).unicode() < 128 && t.at(i).isSpace())
        ++i;
    if (i >= t.size() || t.at(i) != QLatin1Char('='))
        return {};
    return GoText::trimSpace(t.mid(i + 1));
}

/// True when one of the underscore-separated words of `key` is one of `words` (case-insensitively):
/// the regexps `(?i)(?:_|^)(?:word|...)(?:_|$)` of BuildKit's SecretsUsedInArgOrEnv rule.
bool hasWord(const QString &key, std::initializer_list<const char *> words)
{
    for (const QStringView part : QStringView(key).split(QLatin1Char('_'))) {
        for (const char *w : words) {
            if (part.compare(QLatin1String(w), Qt::CaseInsensitive) == 0)
                return true;
        }
    }
    return false;
}

/// A `# check=...` comment right above an instruction adds to the file's configuration for it.
LintConfig configFor(const Instruction &ins, const LintConfig &base)
{
    LintConfig config = base;
    for (const QString &comment : ins.prevComments) {
        const QString value = checkCommentValue(comment);
        if (!value.isEmpty()) {
            LintConfig merged = base;
            if (parseCheck(value, &merged)) {
                config = merged;
                config.skip.unite(base.skip);
                config.skipAll = config.skipAll || base.skipAll;
                config.asError = base.asError; // only the file's directive can turn warnings into errors
            }
            break;
        }
    }
    return config;
}

/// The instruction's keyword as written: a view of its text, which it outlives (twice per instruction, so no
/// copy: the casing checks were a tenth of the lint, perf).
QStringView writtenKeyword(const Instruction &ins)
{
    const QString &s = ins.original;
    qsizetype b = 0;
    qsizetype e = s.size();
    while (b < e && GoText::isSpace(s.at(b).unicode()))
        ++b;
    while (e > b && GoText::isSpace(s.at(e - 1).unicode()))
        --e;
    qsizetype i = b;
    while (i < e && !GoText::isSplitSpace(s.at(i)))
        ++i;
    return QStringView(s).sliced(b, i - b);
}

/// s == s.toLower() (`lower`) or s == s.toUpper(), without the copy for ASCII text, which keywords and stage
/// names nearly always are.
bool equalsCase(QStringView s, bool lower)
{
    const char16_t first = lower ? u'A' : u'a'; // the letters the conversion would change
    for (const QChar c : s) {
        if (c.unicode() >= 0x80) {
            const QString text = s.toString();
            return s == (lower ? text.toLower() : text.toUpper());
        }
        if (c.unicode() >= first && c.unicode() < first + 26)
            return false;
    }
    return true;
}

bool equalsLower(QStringView s)
{
    return equalsCase(s, true);
}

bool equalsUpper(QStringView s)
{
    return equalsCase(s, false);
}

bool isSelfConsistent(QStringView s)
{
    return equalsLower(s) || equalsUpper(s);
}

class Linter
{
public:
    Linter(DockerfileAst &ast, const QString &fileName)
        : m_ast(ast)
        , m_fileName(fileName)
    {
        parseCheck(ast.check, &m_base);
    }

    void run();

private:
    void warn(const Instruction &ins, const LintConfig &config, const char *rule, const QString &message)
    {
        const QString name = QLatin1String(rule);
        if (config.skipAll || config.skip.contains(name))
            return;
        Diagnostic d;
        d.severity = config.asError ? Severity::Error : Severity::Warning;
        d.file = m_fileName;
        d.line = ins.startLine;
        d.column = ins.startColumn;
        d.message = QStringLiteral("%1: %2").arg(name, message);
        m_ast.diagnostics.append(d);
    }

    DockerfileAst &m_ast;
    QString m_fileName;
    LintConfig m_base;
};

void Linter::run()
{
    // The parser reports empty continuation lines itself; the check directive can silence them.
    if (m_base.skipAll || m_base.skip.contains(QStringLiteral("NoEmptyContinuation"))) {
        m_ast.diagnostics.removeIf([](const Diagnostic &d) {
            return d.severity == Severity::Warning
                && d.message.startsWith(QLatin1String("Empty continuation line"));
        });
    }

    auto checkSecret = [&](const Instruction &ins, const LintConfig &config, const char *instruction,
                           const QString &key) {
        if (hasWord(key,
                {"apikey", "auth", "credential", "credentials", "key", "password", "pword", "passwd",
                    "secret", "token"})
            && !hasWord(key, {"public", "file", "version"}))
            warn(ins, config, "SecretsUsedInArgOrEnv",
                QStringLiteral("Do not use ARG or ENV instructions for sensitive data (%1 %2)")
                    .arg(QLatin1String(instruction), GoText::quote(key)));
    };

    // ConsistentInstructionCasing counts the instructions of stages only (not ARGs before the first FROM).
    int lower = 0;
    int upper = 0;
    bool seenFrom = false;
    for (const Instruction &ins : std::as_const(m_ast.instructions)) {
        seenFrom = seenFrom || ins.keyword == QLatin1String("from");
        if (!seenFrom)
            continue;
        const QStringView name = writtenKeyword(ins);
        if (isSelfConsistent(name))
            (equalsLower(name) ? lower : upper)++;
    }
    const bool majorityLower = lower > upper;

    QSet<QString> stageNames;
    bool inStage = false;
    bool stageHasShell = false;
    bool workdirSet = false;
    const Instruction *lastCmd = nullptr;
    const Instruction *lastEntrypoint = nullptr;
    const Instruction *lastHealthcheck = nullptr;
    // Indexing, not range-for: warn() appends to m_ast.diagnostics, not to the instructions.
    for (qsizetype i = 0; i < m_ast.instructions.size(); ++i) {
        const Instruction &ins = m_ast.instructions.at(i);
        const LintConfig config = configFor(ins, m_base);
        const QString &k = ins.keyword;
        const QStringView name = writtenKeyword(ins);
        if (k == QLatin1String("from")) {
            inStage = true;
            stageHasShell = false;
            workdirSet = false;
            lastCmd = lastEntrypoint = lastHealthcheck = nullptr;
            if (ins.args.size() == 3) {
                const QString &as = ins.args.at(1);
                const QString &stage = ins.args.at(2);
                if (!equalsLower(stage))
                    warn(ins, config, "StageNameCasing",
                        QStringLiteral("Stage name '%1' should be lowercase").arg(stage));
                const bool fromLower = equalsLower(name);
                const bool fromUpper = equalsUpper(name);
                if ((fromLower && !equalsLower(as)) || (fromUpper && !fromLower && !equalsUpper(as)))
                    warn(ins, config, "FromAsCasing",
                        QStringLiteral("'%1' and '%2' keywords' casing do not match").arg(as, name));
                const QString lowerName = stage.toLower();
                if (lowerName == QLatin1String("context") || lowerName == QLatin1String("scratch"))
                    warn(ins, config, "ReservedStageName",
                        QStringLiteral("Stage name should not use the same name as reserved stage %1")
                            .arg(GoText::quote(lowerName)));
                if (stageNames.contains(lowerName))
                    warn(ins, config, "DuplicateStageName",
                        QStringLiteral("Duplicate stage name %1, stage names should be unique")
                            .arg(GoText::quote(lowerName)));
                stageNames.insert(lowerName);
            }
        }
        if (inStage) {
            QString correct;
            if (majorityLower && !equalsLower(name))
                correct = QStringLiteral("lowercase");
            else if (!majorityLower && !equalsUpper(name))
                correct = QStringLiteral("uppercase");
            if (!correct.isEmpty())
                warn(ins, config, "ConsistentInstructionCasing",
                    QStringLiteral("Command '%1' should match the case of the command majority (%2)")
                        .arg(name, correct));
        }
        if (k == QLatin1String("maintainer")) {
            warn(ins, config, "MaintainerDeprecated",
                QStringLiteral("Maintainer instruction is deprecated in favor of using label"));
        } else if (k == QLatin1String("env") || k == QLatin1String("label")) {
            for (qsizetype j = 0; j + 2 < ins.args.size(); j += 3) {
                if (ins.args.at(j + 2).isEmpty())
                    warn(ins, config, "LegacyKeyValueFormat",
                        QStringLiteral(
                            "\"%1 key=value\" should be used instead of legacy \"%1 key value\" format")
                            .arg(name));
                if (k == QLatin1String("env"))
                    checkSecret(ins, config, "ENV", ins.args.at(j));
            }
        } else if (k == QLatin1String("arg")) {
            for (const QString &arg : ins.args)
                checkSecret(ins, config, "ARG", arg.section(QLatin1Char('='), 0, 0));
        } else if (k == QLatin1String("shell")) {
            stageHasShell = true;
        } else if (k == QLatin1String("cmd") || k == QLatin1String("entrypoint")
            || k == QLatin1String("healthcheck")) {
            const Instruction *&last = k == QLatin1String("cmd") ? lastCmd
                : k == QLatin1String("entrypoint")               ? lastEntrypoint
                                                                 : lastHealthcheck;
            if (last) {
                // BuildKit points at the earlier instruction: that is the one that gets ignored.
                warn(*last, configFor(*last, m_base), "MultipleInstructionsDisallowed",
                    QStringLiteral(
                        "Multiple %1 instructions should not be used in the same stage because only the "
                        "last one will be used")
                        .arg(name));
            }
            last = &ins;
            if (k != QLatin1String("healthcheck") && !ins.json && !stageHasShell)
                warn(ins, config, "JSONArgsRecommended",
                    QStringLiteral("JSON arguments recommended for %1 to prevent unintended behavior related "
                                   "to OS signals")
                        .arg(name));
        } else if (k == QLatin1String("workdir") && ins.args.size() == 1) {
            const QString &path = ins.args.first();
            const bool absolute = path.startsWith(QLatin1Char('/')) || path.startsWith(QLatin1Char('\\'))
                || (path.size() >= 3 && path.at(0).unicode() < 128 && path.at(0).isLetter()
                    && path.at(1) == QLatin1Char(':')
                    && (path.at(2) == QLatin1Char('\\') || path.at(2) == QLatin1Char('/')));
            // A value from a variable is only known after expansion; BuildKit checks the expanded path.
            if (!workdirSet && !absolute && !path.startsWith(QLatin1Char('$')))
                warn(ins, config, "WorkdirRelativePath",
                    QStringLiteral(
                        "Relative workdir %1 can have unexpected results if the base image changes")
                        .arg(GoText::quote(path)));
            workdirSet = true;
        } else if (k == QLatin1String("expose")) {
            for (const QString &port : ins.args) {
                if (port.contains(QLatin1Char('$')))
                    continue;
                const QString proto = port.section(QLatin1Char('/'), 1);
                if (proto != proto.toLower())
                    warn(ins, config, "ExposeProtoCasing",
                        QStringLiteral("Defined protocol '%1' in EXPOSE instruction should be lowercase")
                            .arg(port));
                if (port.section(QLatin1Char('/'), 0, 0).contains(QLatin1Char(':')))
                    warn(ins, config, "ExposeInvalidFormat",
                        QStringLiteral(
                            "EXPOSE instruction should not define an IP address or host-port mapping, found "
                            "'%1'")
                            .arg(port));
            }
        }
    }
}

} // namespace

void lintDockerfile(DockerfileAst &ast, const QString &fileName)
{
    Linter(ast, fileName).run();
}

} // namespace Stagelens
