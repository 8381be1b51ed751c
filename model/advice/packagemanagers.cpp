#include "packagemanagers.h"

#include <QRegularExpression>

namespace Stagelens {

namespace {

struct Known
{
    PackageManager manager;
    QRegularExpression pattern; ///< the install command in shell text
};

const QList<Known> &knownManagers()
{
    // Patterns match the command at a command boundary (start, after &&, ;, |, or a newline), so "npm ci"
    // inside an echo'd string still matches: harmless, the rules check the manifests exist too.
    static const QString B = QStringLiteral(R"((?:^|[;&|(\n]\s*|\bthen\s+|\bdo\s+)(?:sudo\s+)?)");
    auto re = [](const QString &body) {
        return QRegularExpression(B + body, QRegularExpression::MultilineOption);
    };
    static const QList<Known> known = {
        {{QStringLiteral("npm"), QStringLiteral("npm"),
             {QStringLiteral("package.json"), QStringLiteral("package-lock.json"),
                 QStringLiteral("npm-shrinkwrap.json")},
             {QStringLiteral("/root/.npm")}, false, true, {}},
            re(QStringLiteral(R"(npm\s+(?:ci|install|i)(?:\s|$))"))},
        {{QStringLiteral("yarn"), QStringLiteral("yarn"),
             {QStringLiteral("package.json"), QStringLiteral("yarn.lock"), QStringLiteral(".yarnrc.yml")},
             {QStringLiteral("/usr/local/share/.cache/yarn")}, false, true, {}},
            re(QStringLiteral(R"(yarn(?:\s+install)?(?:\s+--[\w-]+)*\s*(?:$|&&|;))"))},
        {{QStringLiteral("pnpm"), QStringLiteral("pnpm"),
             {QStringLiteral("package.json"), QStringLiteral("pnpm-lock.yaml"),
                 QStringLiteral("pnpm-workspace.yaml")},
             {QStringLiteral("/root/.local/share/pnpm/store")}, false, true, {}},
            re(QStringLiteral(R"(pnpm\s+(?:install|i)(?:\s|$))"))},
        {{QStringLiteral("pip"), QStringLiteral("pip"), {QStringLiteral("requirements.txt")},
             {QStringLiteral("/root/.cache/pip")}, false, true, QStringLiteral("--no-cache-dir")},
            re(QStringLiteral(R"((?:python3?\s+-m\s+)?pip3?\s+install\s+(?:[^&;|\n]*\s)?-r\s)"))},
        {{QStringLiteral("poetry"), QStringLiteral("poetry"),
             {QStringLiteral("pyproject.toml"), QStringLiteral("poetry.lock")},
             {QStringLiteral("/root/.cache/pypoetry")}, false, true, {}},
            re(QStringLiteral(R"(poetry\s+install\b[^&;|\n]*--no-root)"))},
        {{QStringLiteral("uv"), QStringLiteral("uv"),
             {QStringLiteral("pyproject.toml"), QStringLiteral("uv.lock")},
             {QStringLiteral("/root/.cache/uv")}, false, true, QStringLiteral("--no-cache")},
            re(QStringLiteral(R"(uv\s+sync\b[^&;|\n]*--no-install-project)"))},
        {{QStringLiteral("go"), QStringLiteral("go mod"),
             {QStringLiteral("go.mod"), QStringLiteral("go.sum")}, {QStringLiteral("/go/pkg/mod")}, false,
             true, {}},
            re(QStringLiteral(R"(go\s+mod\s+download\b)"))},
        {{QStringLiteral("cargo"), QStringLiteral("cargo"),
             {QStringLiteral("Cargo.toml"), QStringLiteral("Cargo.lock")},
             {QStringLiteral("/usr/local/cargo/registry")}, false, true, {}},
            re(QStringLiteral(R"(cargo\s+fetch\b)"))},
        {{QStringLiteral("bundler"), QStringLiteral("bundle"),
             {QStringLiteral("Gemfile"), QStringLiteral("Gemfile.lock")}, {}, false, true, {}},
            re(QStringLiteral(R"(bundle\s+install\b)"))},
        {{QStringLiteral("maven"), QStringLiteral("mvn"), {QStringLiteral("pom.xml")},
             {QStringLiteral("/root/.m2")}, false, true, {}},
            re(QStringLiteral(R"((?:mvn|\./mvnw)\s+[^&;|\n]*dependency:(?:go-offline|resolve)\b)"))},
        {{QStringLiteral("gradle"), QStringLiteral("gradle"),
             {QStringLiteral("build.gradle"), QStringLiteral("build.gradle.kts"),
                 QStringLiteral("settings.gradle"), QStringLiteral("settings.gradle.kts")},
             {QStringLiteral("/root/.gradle")}, false, true, {}},
            re(QStringLiteral(R"((?:gradle|\./gradlew)\s+[^&;|\n]*\bdependencies\b)"))},
        {{QStringLiteral("composer"), QStringLiteral("composer"),
             {QStringLiteral("composer.json"), QStringLiteral("composer.lock")}, {}, false, true, {}},
            re(QStringLiteral(R"(composer\s+install\b)"))},
        {{QStringLiteral("apt"), QStringLiteral("apt-get"), {},
             {QStringLiteral("/var/cache/apt"), QStringLiteral("/var/lib/apt")}, true, true, {}},
            re(QStringLiteral(R"(apt(?:-get)?\s+(?:-\S+\s+)*install\b)"))},
    };
    return known;
}

} // namespace

QList<PackageManager> installsIn(const QString &command)
{
    QList<PackageManager> found;
    QList<qsizetype> at;
    for (const Known &k : knownManagers()) {
        const QRegularExpressionMatch m = k.pattern.match(command);
        if (!m.hasMatch())
            continue;
        found.append(k.manager);
        at.append(m.capturedStart());
    }
    // pip install of named packages (no -r): a download without a manifest.
    static const QRegularExpression pipNamed(
        QStringLiteral(R"((?:^|[;&|\n]\s*)(?:python3?\s+-m\s+)?pip3?\s+install\s)"),
        QRegularExpression::MultilineOption);
    if (const auto m = pipNamed.match(command); m.hasMatch()
        && std::none_of(found.cbegin(), found.cend(),
            [](const PackageManager &p) { return p.id == QLatin1String("pip"); })) {
        const auto known = std::find_if(knownManagers().cbegin(), knownManagers().cend(),
            [](const Known &k) { return k.manager.id == QLatin1String("pip"); });
        PackageManager pip = known->manager;
        pip.manifests.clear();
        found.append(pip);
        at.append(m.capturedStart());
    }
    // In the order they run.
    QList<int> order(found.size());
    for (int i = 0; i < order.size(); ++i)
        order[i] = i;
    std::sort(order.begin(), order.end(), [&](int a, int b) { return at.at(a) < at.at(b); });
    QList<PackageManager> sorted;
    for (int i : order)
        sorted.append(found.at(i));
    return sorted;
}

QString runCommand(const QString &stepText)
{
    QString t = stepText.trimmed();
    if (t.startsWith(QLatin1String("RUN"), Qt::CaseInsensitive))
        t = t.mid(3).trimmed();
    // Flags come first: --mount=..., --network=..., --security=...
    while (t.startsWith(QLatin1String("--"))) {
        const qsizetype space = t.indexOf(QLatin1Char(' '));
        if (space < 0)
            return {};
        t = t.mid(space + 1).trimmed();
    }
    if (t.startsWith(QLatin1Char('['))) {
        static const QRegularExpression quoted(QStringLiteral(R"re("((?:[^"\\]|\\.)*)")re"));
        QStringList parts;
        for (auto it = quoted.globalMatch(t); it.hasNext();)
            parts.append(it.next().captured(1));
        return parts.join(QLatin1Char(' '));
    }
    return t;
}

DownloadEvidence downloadEvidence(const QString &output)
{
    DownloadEvidence evidence;
    static const QRegularExpression download(
        QStringLiteral(
            R"(^(?:Get:\d+ |Fetched \S+ \S+ in |\s*Downloading |go: downloading |\s*Downloaded |added \d+ packages|Collecting |Downloading from |Installing \S+ \(|\[\d+/\d+\] Fetching packages|Progress: resolved |\(\d+/\d+\) Installing |fetch https?://))"),
        QRegularExpression::MultilineOption);
    static const QRegularExpression fetched(
        QStringLiteral(R"(^Fetched \S+ \S+ in (?:(\d+)min )?(\d+(?:\.\d+)?)s)"),
        QRegularExpression::MultilineOption);
    for (auto it = download.globalMatch(output); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        ++evidence.downloads;
        if (evidence.lines.size() < 3) {
            const qsizetype start = m.capturedStart();
            qsizetype end = output.indexOf(QLatin1Char('\n'), start);
            if (end < 0)
                end = output.size();
            evidence.lines.append(output.mid(start, std::min<qsizetype>(end - start, 160)).trimmed());
        }
    }
    double seconds = 0;
    bool any = false;
    for (auto it = fetched.globalMatch(output); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        seconds += m.captured(1).toDouble() * 60 + m.captured(2).toDouble();
        any = true;
    }
    if (any)
        evidence.seconds = seconds;
    return evidence;
}

} // namespace Stagelens
