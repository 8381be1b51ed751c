#include "gitrevisions.h"

#include <QDir>

#include <git2.h>
#include <memory>

namespace Stagelens {

namespace {

// libgit2 counts its users; each call opens and closes its own, so threads need no shared state.
struct Libgit2
{
    Libgit2() { git_libgit2_init(); }
    ~Libgit2() { git_libgit2_shutdown(); }
};

QString lastError()
{
    const git_error *e = git_error_last();
    return e && e->message ? QString::fromUtf8(e->message) : QStringLiteral("unknown libgit2 error");
}

template<typename T, void (*Free)(T *)>
using Handle = std::unique_ptr<T, decltype([](T *p) { Free(p); })>;

bool treeOf(git_repository *repo, const QString &rev, Handle<git_tree, git_tree_free> *tree, QString *error)
{
    git_object *object = nullptr;
    if (git_revparse_single(&object, repo, rev.toUtf8().constData()) != 0) {
        *error = QStringLiteral("unknown revision %1: %2").arg(rev, lastError());
        return false;
    }
    git_object *peeled = nullptr;
    const int rc = git_object_peel(&peeled, object, GIT_OBJECT_TREE);
    git_object_free(object);
    if (rc != 0) {
        *error = QStringLiteral("revision %1 has no tree: %2").arg(rev, lastError());
        return false;
    }
    tree->reset(reinterpret_cast<git_tree *>(peeled));
    return true;
}

} // namespace

std::optional<QStringList> changedPaths(
    const QString &repository, const QString &from, const QString &to, QString *error)
{
    Libgit2 lib;
    git_repository *raw = nullptr;
    if (git_repository_open_ext(&raw, QDir(repository).absolutePath().toUtf8().constData(), 0, nullptr)
        != 0) {
        *error = QStringLiteral("%1 is not in a git repository").arg(repository);
        return std::nullopt;
    }
    Handle<git_repository, git_repository_free> repo(raw);
    Handle<git_tree, git_tree_free> a, b;
    if (!treeOf(repo.get(), from, &a, error) || !treeOf(repo.get(), to, &b, error))
        return std::nullopt;
    git_diff *rawDiff = nullptr;
    git_diff_options options = GIT_DIFF_OPTIONS_INIT;
    if (git_diff_tree_to_tree(&rawDiff, repo.get(), a.get(), b.get(), &options) != 0) {
        *error = QStringLiteral("cannot compare %1 and %2: %3").arg(from, to, lastError());
        return std::nullopt;
    }
    Handle<git_diff, git_diff_free> diff(rawDiff);
    // Renames show as one delete and one add unless detected; both names count for a COPY either way.
    git_diff_find_options find = GIT_DIFF_FIND_OPTIONS_INIT;
    find.flags = GIT_DIFF_FIND_RENAMES;
    git_diff_find_similar(diff.get(), &find);
    QStringList paths;
    const size_t n = git_diff_num_deltas(diff.get());
    for (size_t i = 0; i < n; ++i) {
        const git_diff_delta *d = git_diff_get_delta(diff.get(), i);
        if (d->old_file.path)
            paths.append(QString::fromUtf8(d->old_file.path));
        if (d->new_file.path && (!d->old_file.path || qstrcmp(d->old_file.path, d->new_file.path) != 0))
            paths.append(QString::fromUtf8(d->new_file.path));
    }
    paths.removeDuplicates();
    paths.sort();
    return paths;
}

QString repositoryRoot(const QString &folder)
{
    Libgit2 lib;
    git_buf buf = GIT_BUF_INIT;
    if (git_repository_discover(&buf, QDir(folder).absolutePath().toUtf8().constData(), 0, nullptr) != 0)
        return {};
    QString gitDir = QString::fromUtf8(buf.ptr, qsizetype(buf.size));
    git_buf_dispose(&buf);
    git_repository *raw = nullptr;
    if (git_repository_open(&raw, gitDir.toUtf8().constData()) != 0)
        return {};
    Handle<git_repository, git_repository_free> repo(raw);
    const char *workdir = git_repository_workdir(repo.get());
    return workdir ? QDir(QString::fromUtf8(workdir)).absolutePath() : QString();
}

} // namespace Stagelens
