#pragma once

// A regular log file read through populated windows of a mapping, cut into scanned blocks (linescanner.h)
// by two threads: a helper maps the windows ahead and scans their blocks, and the reading thread scans the
// blocks the helper has not reached whenever it would otherwise wait. Scanning is the larger half of the
// work on a plain log, so a helper that scanned whole windows alone kept the reading thread idle half the
// time (docs/benchmarks.md, performance round 2, sixth pass). Linux only (mmap).

#include "linescanner.h"

#include <QtGlobal>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace Stagelens {

class MappedLogScanner
{
public:
    /// One block of the file, in file order: its bytes, its file offset and its scanned lines. Valid until
    /// the next call of next().
    struct Block
    {
        const char *data = nullptr;
        qsizetype size = 0;
        qint64 offset = 0;
        const ScannedBlock *scanned = nullptr;
    };

    /// `fd` stays open and unread meanwhile. Windows of `windowBytes` (a multiple of the page size), blocks
    /// of an eighth of that (at least a page). Starts the helper thread; without one, the reading thread
    /// does all the work.
    MappedLogScanner(int fd, qint64 fileSize, qint64 windowBytes, qint64 maxLine);
    ~MappedLogScanner();
    MappedLogScanner(const MappedLogScanner &) = delete;
    MappedLogScanner &operator=(const MappedLogScanner &) = delete;

    /// The next block; false at the end of the file or when a window could not be mapped.
    bool next(Block *block);
    /// File offset just past the last block handed out (where a buffered reading goes on).
    qint64 position() const { return m_position; }

private:
    enum class State
    {
        Free,
        Claimed,
        Done
    };
    /// One block of a window and how far its scanning is.
    struct BlockState
    {
        qsizetype begin = 0; ///< in the window
        qsizetype end = 0;
        State progress = State::Free;
        ScannedBlock scanned;
    };
    enum class Mapping
    {
        Empty,
        Mapping,
        Mapped,
        Failed,
        Released
    };
    struct Window
    {
        qint64 index = -1; ///< which window of the file the slot holds
        Mapping mapping = Mapping::Empty;
        void *data = nullptr;
        qint64 length = 0;
        std::vector<BlockState> blocks;
    };
    static constexpr int Slots = 3; // windows mapped at once: the one read and two ahead

    void helperLoop();
    /// Under the lock: takes the slot `window` (free, or holding a window read and released) for window
    /// `index` and maps it, unlocked meanwhile.
    void map(Window *window, qint64 index, std::unique_lock<std::mutex> &lock);
    /// Under the lock: scans a free block of a mapped window from `first` on; false when there was none.
    /// `json`: the calling thread's.
    bool scanSomeBlock(qint64 first, RawJsonReader *json, std::unique_lock<std::mutex> &lock);
    void scan(Window *window, BlockState *block, RawJsonReader *json, std::unique_lock<std::mutex> &lock);

    const int m_fd;
    const qint64 m_fileSize;
    const qint64 m_windowBytes;
    const qint64 m_blockBytes;
    const qint64 m_maxLine;
    const qint64 m_windowCount;

    std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_stop = false;
    Window m_windows[Slots];
    qint64 m_reading = 0; ///< the window the reading thread is in
    size_t m_block = 0; ///< its next block
    bool m_handedLast = false; ///< the last block handed out ended window m_reading - 1
    qint64 m_position = 0;
    RawJsonReader m_helperJson; ///< rawjson lines are read while scanning, by each thread with its own
    RawJsonReader m_readerJson;
    std::thread m_helper;
};

} // namespace Stagelens
