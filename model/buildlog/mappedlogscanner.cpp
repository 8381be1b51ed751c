#include "mappedlogscanner.h"

#include <algorithm>
#include <pthread.h>
#include <sys/mman.h>
#include <system_error>

namespace Stagelens {

MappedLogScanner::MappedLogScanner(int fd, qint64 fileSize, qint64 windowBytes, qint64 maxLine)
    : m_fd(fd)
    , m_fileSize(fileSize)
    , m_windowBytes(windowBytes)
    , m_blockBytes(std::max<qint64>(4096, windowBytes / 8))
    , m_maxLine(maxLine)
    , m_windowCount(fileSize > 0 ? (fileSize + windowBytes - 1) / windowBytes : 0)
{
    if (m_windowCount < 2)
        return; // nothing to read ahead
    try {
        m_helper = std::thread([this] {
            // Named for perf, gdb and hotspot, which show the scanning apart from the parsing.
            pthread_setname_np(pthread_self(), "stagelens-scan");
            helperLoop();
        });
    } catch (const std::system_error &) {
        // No thread to be had: the reading thread maps and scans every window itself.
    }
}

MappedLogScanner::~MappedLogScanner()
{
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_changed.notify_all();
    if (m_helper.joinable())
        m_helper.join();
    for (Window &window : m_windows) {
        if (window.data)
            ::munmap(window.data, size_t(window.length));
    }
}

void MappedLogScanner::helperLoop()
{
    std::unique_lock<std::mutex> lock(m_mutex);
    while (!m_stop && m_reading < m_windowCount) {
        // The block the reading thread will want first, then the next window to map.
        if (scanSomeBlock(m_reading, &m_helperJson, lock))
            continue;
        bool mapped = false;
        for (qint64 index = m_reading; index < std::min(m_windowCount, m_reading + Slots); ++index) {
            Window &window = m_windows[index % Slots];
            if (window.index == index)
                continue;
            if (window.mapping == Mapping::Empty || window.mapping == Mapping::Released) {
                map(&window, index, lock);
                mapped = true;
            }
            break; // the slot still holds a window being read
        }
        if (!mapped)
            m_changed.wait(lock);
    }
}

void MappedLogScanner::map(Window *window, qint64 index, std::unique_lock<std::mutex> &lock)
{
    // The slot is this thread's while it maps: no other thread touches a window in Mapping.
    void *old = window->data;
    const qint64 oldLength = window->length;
    window->index = index;
    window->mapping = Mapping::Mapping;
    window->data = nullptr;
    const qint64 at = index * m_windowBytes;
    const qint64 length = std::min(m_windowBytes, m_fileSize - at);
    lock.unlock();
    if (old)
        ::munmap(old, size_t(oldLength));
    // Populated at once: no page fault per page on either thread.
    void *data = ::mmap(nullptr, size_t(length), PROT_READ, MAP_PRIVATE | MAP_POPULATE, m_fd, off_t(at));
    lock.lock();
    if (data == MAP_FAILED) {
        window->mapping = Mapping::Failed;
    } else {
        window->data = data;
        window->length = length;
        // The blocks' line lists keep their capacity from window to window.
        window->blocks.resize(size_t((length + m_blockBytes - 1) / m_blockBytes));
        for (size_t i = 0; i < window->blocks.size(); ++i) {
            BlockState &slot = window->blocks[i];
            slot.begin = qsizetype(qint64(i) * m_blockBytes);
            slot.end = qsizetype(std::min(length, qint64(i + 1) * m_blockBytes));
            slot.progress = State::Free;
        }
        window->mapping = Mapping::Mapped;
    }
    m_changed.notify_all();
}

bool MappedLogScanner::scanSomeBlock(qint64 first, RawJsonReader *json, std::unique_lock<std::mutex> &lock)
{
    for (qint64 index = first; index < std::min(m_windowCount, first + Slots); ++index) {
        Window &window = m_windows[index % Slots];
        if (window.index != index || window.mapping != Mapping::Mapped)
            continue;
        for (BlockState &slot : window.blocks) {
            if (slot.progress == State::Free) {
                scan(&window, &slot, json, lock);
                return true;
            }
        }
    }
    return false;
}

void MappedLogScanner::scan(
    Window *window, BlockState *block, RawJsonReader *json, std::unique_lock<std::mutex> &lock)
{
    // A claimed block is this thread's; its window stays mapped until the reading thread has read it.
    block->progress = State::Claimed;
    const char *data = static_cast<const char *>(window->data) + block->begin;
    lock.unlock();
    scanBlock(data, block->end - block->begin, m_maxLine, &block->scanned, json);
    lock.lock();
    block->progress = State::Done;
    m_changed.notify_all();
}

bool MappedLogScanner::next(Block *block)
{
    std::unique_lock<std::mutex> lock(m_mutex);
    if (m_handedLast) {
        // The last block of the window before was read: its slot may take a window ahead.
        m_windows[(m_reading - 1) % Slots].mapping = Mapping::Released;
        m_handedLast = false;
        m_changed.notify_all();
    }
    for (;;) {
        if (m_reading >= m_windowCount)
            return false;
        Window &window = m_windows[m_reading % Slots];
        if (window.index != m_reading) {
            // The helper has not got here (or there is none): map it here.
            if (window.mapping == Mapping::Empty || window.mapping == Mapping::Released)
                map(&window, m_reading, lock);
            else
                m_changed.wait(lock);
            continue;
        }
        if (window.mapping == Mapping::Failed)
            return false;
        if (window.mapping == Mapping::Mapping) {
            m_changed.wait(lock);
            continue;
        }
        BlockState &slot = window.blocks[m_block];
        if (slot.progress == State::Free) {
            scan(&window, &slot, &m_readerJson, lock);
            continue;
        }
        if (slot.progress == State::Claimed) {
            // The helper scans it: scan another block meanwhile rather than wait.
            if (!scanSomeBlock(m_reading, &m_readerJson, lock))
                m_changed.wait(lock);
            continue;
        }
        block->data = static_cast<const char *>(window.data) + slot.begin;
        block->size = slot.end - slot.begin;
        block->offset = m_reading * m_windowBytes + slot.begin;
        block->scanned = &slot.scanned;
        m_position = block->offset + block->size;
        if (++m_block == window.blocks.size()) {
            m_block = 0;
            ++m_reading;
            m_handedLast = true;
        }
        return true;
    }
}

} // namespace Stagelens
