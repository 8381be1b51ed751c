// The project session on the real BuildKit project: the one pipeline under every front end. Its figures are
// checked against the ground truth (steps.tsv, the Dockerfile's text), its item models with Qt's tester, and
// its two modes against each other.
#include "model/graph/buildgraph.h"
#include "model/session/projectsession.h"
#include "testutils.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Stagelens;

namespace {

QString real(const QString &name)
{
    return Test::corpusPath(QStringLiteral("buildkit-real/") + name);
}

// steps.tsv: "[stage k/n]" -> BuildKit's seconds of the DONE steps of one case.
QHash<QString, double> doneSeconds(const QString &caseName)
{
    QHash<QString, double> out;
    for (const QByteArray &line : Test::readAll(real(QStringLiteral("steps.tsv"))).split('\n')) {
        const QList<QByteArray> cols = line.split('\t');
        if (cols.size() < 6 || cols.at(0) != caseName.toUtf8() || cols.at(3) != "DONE")
            continue;
        const QString name = QString::fromUtf8(cols.at(5));
        if (!name.startsWith(QLatin1Char('[')) || name.startsWith(QLatin1String("[internal]")))
            continue;
        out.insert(name.left(name.indexOf(QLatin1Char(']')) + 1), cols.at(4).chopped(1).toDouble());
    }
    return out;
}

QString keyOf(const QString &label)
{
    return label.left(label.indexOf(QLatin1Char(']')) + 1);
}

bool waitIdle(ProjectSession &session)
{
    return QTest::qWaitFor([&session]() { return !session.isBusy(); }, 20000);
}

} // namespace

class TestProjectSession : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void costsComeFromTheNewestRunOfEachStep()
    {
        ProjectSession session;
        QVERIFY(session.openProject(real(QStringLiteral("project"))));
        session.addLog(real(QStringLiteral("00-cold.log")));
        session.addLog(real(QStringLiteral("02-edit-src.log")));
        QCOMPARE(session.buildCount(), 2);
        QCOMPARE(session.selectedBuild(), 1); // the newest log's last build

        const QHash<QString, double> cold = doneSeconds(QStringLiteral("00-cold"));
        const QHash<QString, double> edit = doneSeconds(QStringLiteral("02-edit-src"));
        QVERIFY(!edit.isEmpty() && edit.size() < cold.size()); // the edit re-ran some steps only
        int checked = 0;
        for (const StepRef &ref : session.graph().neededVertices()) {
            const QString key = keyOf(session.graph().step(ref)->label);
            if (session.graph().step(ref)->kind == InstructionKind::From)
                continue; // BuildKit prints one FROM vertex for the stages that share it
            const double expected = edit.contains(key) ? edit.value(key) : cold.value(key, -1);
            QVERIFY2(expected >= 0, qPrintable(key));
            QVERIFY2(session.stepCosts().contains(ref), qPrintable(key));
            QCOMPARE(session.stepCosts().value(ref), expected);
            ++checked;
        }
        QVERIFY(checked >= 10);

        // The older build alone: only its own times.
        session.selectBuild(0);
        for (auto it = session.stepCosts().cbegin(); it != session.stepCosts().cend(); ++it) {
            const QString key = keyOf(session.graph().step(it.key())->label);
            if (session.graph().step(it.key())->kind != InstructionKind::From)
                QCOMPARE(it.value(), cold.value(key));
        }
    }

    // Changing the target or a build arg rebuilds the graph; the logs' problems stay listed (they were lost).
    void targetChangeKeepsLogProblems()
    {
        ProjectSession session;
        QAbstractItemModelTester tester(
            session.diagnostics(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(session.openProject(real(QStringLiteral("project"))));
        // A real CI log whose reader reports a problem of its own.
        session.addLog(Test::corpusPath(QStringLiteral("logs/buildx-1619-gha-timestamps-error-context.log")));
        auto logProblems = [&session]() {
            int n = 0;
            for (const Problem &p : session.diagnostics()->problems())
                n += p.source == ProblemSource::Log ? 1 : 0;
            return n;
        };
        const int before = logProblems();
        QVERIFY(before > 0);
        QCOMPARE(session.diagnostics()->rowCount(), int(session.diagnostics()->problems().size()));
        session.setTarget(QStringLiteral("builder"));
        QCOMPARE(session.graph().target, QStringLiteral("builder"));
        QCOMPARE(logProblems(), before);
        session.setBuildArg(QStringLiteral("VERSION"), QStringLiteral("2.0"));
        QCOMPARE(logProblems(), before);
        // A missing file is listed too, and survives the next change.
        QVERIFY(!session.open(QStringLiteral("/nonexistent/stagelens-test")));
        session.setTarget(QString());
        QCOMPARE(logProblems(), before);
        bool listed = false;
        for (const Problem &p : session.diagnostics()->problems())
            listed = listed || p.diagnostic.message.contains(QLatin1String("/nonexistent/stagelens-test"));
        QVERIFY(listed);
    }

    // Every ARG of the Dockerfile with its default as written; an edited value is a build arg and a question.
    void buildArgsShowDefaultsAndAskWhatIf()
    {
        ProjectSession session;
        QAbstractItemModelTester tester(
            session.buildArgs(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(session.openProject(real(QStringLiteral("project"))));
        // The expectation comes from the file's text, not from the graph.
        QHash<QString, QString> declared;
        const QRegularExpression arg(
            QStringLiteral("^ARG ([A-Z_]+)(?:=(\\S*))?$"), QRegularExpression::MultilineOption);
        for (const QRegularExpressionMatch &m :
            arg.globalMatch(QString::fromUtf8(Test::readAll(real(QStringLiteral("project/Dockerfile")))))) {
            if (!declared.contains(m.captured(1)) || !m.captured(2).isEmpty())
                declared.insert(m.captured(1), m.captured(2));
        }
        const BuildArgsModel *model = session.buildArgs();
        QCOMPARE(model->rowCount(), int(declared.size()));
        for (int row = 0; row < model->rowCount(); ++row) {
            const QString name = model->index(row, BuildArgsModel::NameColumn).data().toString();
            QVERIFY2(declared.contains(name), qPrintable(name));
            if (!declared.value(name).isEmpty())
                QCOMPARE(
                    model->index(row, BuildArgsModel::DefaultColumn).data().toString(), declared.value(name));
        }
        QCOMPARE(declared.value(QStringLiteral("BASE")), QStringLiteral("localbase:1"));

        session.addLog(real(QStringLiteral("00-cold.log")));
        int versionRow = -1;
        for (int row = 0; row < model->rowCount(); ++row) {
            if (model->index(row, 0).data().toString() == QLatin1String("VERSION"))
                versionRow = row;
        }
        QVERIFY(versionRow >= 0);
        QVERIFY(session.buildArgs()->setData(
            session.buildArgs()->index(versionRow, BuildArgsModel::ValueColumn), QStringLiteral("2.0")));
        QCOMPARE(session.options().buildArgs.value(QStringLiteral("VERSION")), QStringLiteral("2.0"));
        QCOMPARE(session.changes().args, QStringList {QStringLiteral("VERSION")});
        // 07-build-arg-changed: BuildKit re-ran the builder's RUN, whose label now carries the new value.
        const StepVerdict *run = nullptr;
        for (const StepVerdict &v : session.whatIf().steps) {
            if (v.label.startsWith(QLatin1String("[builder 3/3] RUN")))
                run = &v;
        }
        QVERIFY(run);
        QCOMPARE(run->verdict, Verdict::Rerun);
        QVERIFY2(run->label.contains(QLatin1String("\"2.0\"")), qPrintable(run->label));
        QVERIFY(run->seconds); // the cost of a step whose label changed still comes from the log
        QVERIFY(session.whatIfSentence().contains(QLatin1String("ARG VERSION")));
    }

    // The window's mode and the CLI's give the same answer: the one pipeline, run two ways.
    void asynchronousAgreesWithSynchronous()
    {
        WhatIfChanges changes;
        changes.paths.append({QStringLiteral("src/main.c"), ChangeKind::Content});
        changes.lines.append(47);
        QByteArray answers[2];
        for (int m = 0; m < 2; ++m) {
            ProjectSession session(
                m == 0 ? ProjectSession::Mode::Synchronous : ProjectSession::Mode::Asynchronous);
            QSignalSpy idle(&session, &ProjectSession::idle);
            session.openProject(real(QStringLiteral("project")));
            session.addLog(real(QStringLiteral("00-cold.log")));
            session.setChanges(changes);
            if (m == 1) {
                QVERIFY(session.isBusy()); // the scan and the read run on workers
                QVERIFY(waitIdle(session));
                QVERIFY(idle.count() > 0);
            }
            QVERIFY(session.whatIf().timed);
            QVERIFY(session.whatIf().count(Verdict::Rerun) > 0);
            answers[m] = QJsonDocument(toJson(session.whatIf())).toJson();
        }
        QCOMPARE(answers[1], answers[0]);
    }

    // Reopening while the last folder is still being scanned: only the newest scan lands.
    void newestContextScanWins()
    {
        QTemporaryDir dir;
        // A folder big enough that its walk is still running when the next one starts.
        for (int d = 0; d < 40; ++d) {
            QDir(dir.path()).mkpath(QStringLiteral("big/d%1").arg(d));
            for (int f = 0; f < 100; ++f) {
                QFile file(dir.filePath(QStringLiteral("big/d%1/f%2").arg(d).arg(f)));
                QVERIFY(file.open(QIODevice::WriteOnly));
            }
        }
        QFile dockerfile(dir.filePath(QStringLiteral("big/Dockerfile")));
        QVERIFY(dockerfile.open(QIODevice::WriteOnly));
        dockerfile.write("FROM alpine\nCOPY . /x\n");
        dockerfile.close();

        ProjectSession session(ProjectSession::Mode::Asynchronous);
        QSignalSpy contexts(&session, &ProjectSession::contextChanged);
        session.openProject(dir.filePath(QStringLiteral("big")));
        session.openProject(real(QStringLiteral("project")));
        QVERIFY(waitIdle(session));
        QVERIFY(session.context());
        QCOMPARE(
            session.context()->rootPath(), QFileInfo(real(QStringLiteral("project"))).absoluteFilePath());
        // Stay a while: a late result of the first walk must not replace the second.
        QTest::qWait(200);
        QCOMPARE(
            session.context()->rootPath(), QFileInfo(real(QStringLiteral("project"))).absoluteFilePath());
    }

    // A Dockerfile past AsyncGraphBytes gets its graph built on a worker: right after opening, the session
    // has no graph (not the last file's) and says it is building one; what lands is the synchronous graph,
    // and a target asked for meanwhile wins over the one the first job was built for.
    void largeDockerfileGraphOnAWorker()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QByteArray text;
        for (int i = 0; text.size() <= ProjectSession::AsyncGraphBytes; ++i)
            text += "FROM alpine:3.20 AS s" + QByteArray::number(i) + "\nRUN echo " + QByteArray::number(i)
                + " > /n\nCOPY --from=s" + QByteArray::number(i / 2) + " /n /m\n";
        QFile file(dir.filePath(QStringLiteral("Dockerfile")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(text);
        file.close();
        const auto graphText = [](const BuildGraph &graph) {
            QByteArray json;
            appendJsonText(&json, graph);
            return json;
        };
        ProjectSession expected;
        QVERIFY(expected.openDockerfile(file.fileName()));
        QVERIFY(expected.graph().stages.size() > 100);
        expected.setTarget(QStringLiteral("s7"));
        const QByteArray expectedText = graphText(expected.graph());

        ProjectSession session(ProjectSession::Mode::Asynchronous);
        QVERIFY(session.openProject(real(QStringLiteral("project"))));
        QVERIFY(waitIdle(session));
        QVERIFY(!session.graph().stages.isEmpty());
        QSignalSpy graphs(&session, &ProjectSession::graphChanged);
        QVERIFY(session.openDockerfile(file.fileName()));
        QVERIFY(session.isBuildingGraph());
        QVERIFY(session.isBusy());
        QVERIFY(session.graph().stages.isEmpty());
        session.setTarget(QStringLiteral("s7"));
        QVERIFY(waitIdle(session));
        QVERIFY(!session.isBuildingGraph());
        QCOMPARE(session.graph().target, QStringLiteral("s7"));
        QCOMPARE(graphText(session.graph()), expectedText);
        // Stay a while: the first job's graph (the last stage as target) must not land after the second.
        QTest::qWait(300);
        QCOMPARE(session.graph().target, QStringLiteral("s7"));
        QVERIFY(graphs.size() >= 2); // emptied, then the graph
    }

    // Every real log with the Dockerfile it was built from fits it (the project's first Dockerfile gives way
    // to the one the log names, "load build definition from Dockerfile.fail"); no warning, times on the
    // steps.
    void realLogsFitTheirDockerfile_data()
    {
        QTest::addColumn<QString>("log");
        const QDir dir(real(QString()));
        for (const QString &name : dir.entryList({QStringLiteral("*.log")}, QDir::Files, QDir::Name))
            QTest::addRow("%s", qPrintable(name)) << name;
    }
    void realLogsFitTheirDockerfile()
    {
        QFETCH(QString, log);
        // Which Dockerfile BuildKit read, from the log's own text (independent of the code under test).
        const QRegularExpression definition(QStringLiteral("load build definition from ([A-Za-z.]+)"));
        const QRegularExpressionMatch named = definition.match(QString::fromUtf8(Test::readAll(real(log))));
        ProjectSession session;
        QVERIFY(session.openProject(real(QStringLiteral("project"))));
        session.addLog(real(log));
        if (named.hasMatch())
            QCOMPARE(QFileInfo(session.dockerfilePath()).fileName(), named.captured(1));
        for (const Diagnostic &d : session.matchDiagnostics())
            QFAIL(qPrintable(d.toString()));
        if (session.analysis().stepVertices == 0)
            return; // the rawjson-unsupported case: no step of the build was printed
        int timed = 0;
        for (const QList<StepTiming> &stage : session.analysis().steps) {
            for (const StepTiming &t : stage)
                timed += t.vertex >= 0 ? 1 : 0;
        }
        QVERIFY(timed > 0);
    }

    // A log of another project: warned about, and none of its times land on this Dockerfile's steps.
    void mismatchedLogAttachesNoTimes_data()
    {
        QTest::addColumn<QString>("dockerfile");
        QTest::addColumn<QString>("log");
        QTest::addRow("spring backend + gradle CI log")
            << QStringLiteral(
                   "dockerfiles/docker__awesome-compose__spring-postgres__backend__Dockerfile/Dockerfile")
            << QStringLiteral("logs/jesuuslopeez-2526_DAW_u2_springboot-gha-full-job-git-context-push.log");
        QTest::addRow("buildkit-real + Jenkins log")
            << QStringLiteral("buildkit-real/project/Dockerfile")
            << QStringLiteral(
                   "logs/happemil-docker-jenkins-git-flask-fastapi-jenkins-console-two-builds.log");
        QTest::addRow("moby/buildkit + long multistage log")
            << QStringLiteral("dockerfiles/moby__buildkit__Dockerfile/Dockerfile")
            << QStringLiteral("logs/LFDT-Paladin-paladin-desktop-linux-long-multistage.log");
    }
    void mismatchedLogAttachesNoTimes()
    {
        QFETCH(QString, dockerfile);
        QFETCH(QString, log);
        ProjectSession session;
        QVERIFY(session.openDockerfile(Test::corpusPath(dockerfile)));
        session.addLog(Test::corpusPath(log));
        QCOMPARE(session.matchDiagnostics().size(), 1);
        QCOMPARE(session.matchDiagnostics().first().code, QStringLiteral("log-dockerfile-mismatch"));
        QCOMPARE(session.matchDiagnostics().first().severity, Severity::Warning);
        for (const QList<StepTiming> &stage : session.analysis().steps) {
            for (const StepTiming &t : stage) {
                QCOMPARE(t.vertex, -1);
                QVERIFY(!t.seconds);
            }
        }
        QVERIFY(session.stepCosts().isEmpty());
        bool listed = false;
        for (const Problem &p : session.diagnostics()->problems())
            listed = listed || p.diagnostic.code == QLatin1String("log-dockerfile-mismatch");
        QVERIFY(listed);
    }

    void synchronousModeIsNeverBusy()
    {
        ProjectSession session;
        session.openProject(real(QStringLiteral("project")));
        QVERIFY(!session.isBusy());
        QVERIFY(session.context());
        QVERIFY(session.engine());
        session.addLog(real(QStringLiteral("00-cold.log")));
        QVERIFY(!session.isBusy());
        QVERIFY(session.selectedRun());
        QVERIFY(session.analysis().stepVertices > 0);
    }

    // Every front end reads a Dockerfile through the session: at most the cap, an empty file as empty text,
    // a missing one as null with the reason.
    void dockerfileTextIsBounded()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto write = [&dir](const QString &name, const QByteArray &bytes) {
            QFile f(dir.filePath(name));
            return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size() ? f.fileName() : QString();
        };
        bool cut = true;
        QString error;
        const QString exact = write(QStringLiteral("exact"), QByteArray("FROM a\n"));
        QCOMPARE(ProjectSession::readDockerfileText(exact, &cut, &error, 7), QByteArray("FROM a\n"));
        QVERIFY(!cut);
        const QString longer = write(QStringLiteral("longer"), QByteArray("FROM a\nRUN b\n"));
        QCOMPARE(ProjectSession::readDockerfileText(longer, &cut, &error, 7), QByteArray("FROM a\n"));
        QVERIFY(cut);
        const QString empty = write(QStringLiteral("empty"), QByteArray());
        const QByteArray none = ProjectSession::readDockerfileText(empty, &cut, &error);
        QVERIFY(!none.isNull() && none.isEmpty() && !cut);
        QVERIFY(error.isEmpty());
        QVERIFY(ProjectSession::readDockerfileText(dir.filePath(QStringLiteral("missing")), &cut, &error)
                    .isNull());
        QVERIFY2(error.contains(QLatin1String("missing")), qPrintable(error));

        // The graph of text read in part says so, as the window and `stagelens dockerfile` show it.
        const BuildGraph graph =
            ProjectSession::graphOf(QByteArray("FROM a\n"), longer, BuildOptions(), true);
        QCOMPARE(graph.stages.size(), 1);
        QVERIFY(std::any_of(graph.diagnostics.cbegin(), graph.diagnostics.cend(), [](const Diagnostic &d) {
            return d.severity == Severity::Warning
                && d.message.startsWith(QLatin1String("only the first 64 MiB"));
        }));
    }
};

QTEST_GUILESS_MAIN(TestProjectSession)
#include "tst_projectsession.moc"
