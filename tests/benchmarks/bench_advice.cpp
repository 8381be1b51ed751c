// What the advice engine costs (#22's advice budget): `bench_advice RECORD` takes the Dockerfile a build
// record carries (its provenance), with the record's target and build args, writes it to a scratch folder
// (the context), opens that folder and the record as `stagelens advise` does (ProjectSession, synchronous),
// then times adviseOn on its input (every rule, every proposal checked by the what-if engine on the rewritten
// graph; median of 15) against parsing and interpreting the same Dockerfile once (buildGraph, median of 15),
// the work every view repeats on an edit. Prints key=value pairs for run.sh.
#include "model/advice/advice.h"
#include "model/session/projectsession.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace Stagelens;

namespace {

template<typename F>
double medianMs(int rounds, F &&work)
{
    std::vector<double> times;
    for (int i = 0; i < rounds; ++i) {
        QElapsedTimer timer;
        timer.start();
        work();
        times.push_back(double(timer.nsecsElapsed()) / 1e6);
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 2) {
        std::fprintf(stderr, "usage: bench_advice RECORD\n");
        return 2;
    }
    // The record's own Dockerfile, target and build args: its step times match every step.
    ProjectSession reader;
    reader.addLog(args.at(1));
    const BuildRun *run = reader.selectedRun();
    const QByteArray text = reader.dockerfileText();
    if (!run || !run->record || text.isEmpty()) {
        std::fprintf(stderr, "bench_advice: %s carries no Dockerfile\n", qPrintable(args.at(1)));
        return 1;
    }
    BuildOptions options;
    options.target = run->record->target;
    for (auto it = run->record->buildArgs.cbegin(); it != run->record->buildArgs.cend(); ++it)
        options.buildArgs.insert(it.key(), it.value());
    QTemporaryDir scratch;
    const QString dockerfile = scratch.filePath(QStringLiteral("Dockerfile"));
    QFile file(dockerfile);
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size())
        return 1;
    file.close();
    ProjectSession session;
    session.openDockerfile(dockerfile, scratch.path(), options);
    session.addLog(args.at(1));
    const AdviceInput input = session.adviceInput();

    AdviceResult result;
    const double adviseMs = medianMs(15, [&]() { result = adviseOn(input); });
    qsizetype stages = 0;
    const double parseMs =
        medianMs(15, [&]() { stages = buildGraph(text, dockerfile, options).stages.size(); });
    std::printf("advise_ms=%.2f\nparse_ms=%.3f\nadvice=%lld\nnotes=%lld\ndropped=%lld\nstages=%lld\ntimed_"
                "steps=%lld\n",
        adviseMs, parseMs, qlonglong(result.advice.size()), qlonglong(result.notes.size()),
        qlonglong(result.dropped.size()), qlonglong(stages), qlonglong(input.stepSeconds.size()));
    return 0;
}
