#pragma once

// What a rawjson line says, read without the parser's state: its vertex updates, log chunks and warnings in
// the order the line gives them, with their strings copied out of simdjson's buffer. The log reader's
// scanning threads read the lines of a mapped block this way (the JSON parse was most of the reading thread's
// work on a rawjson log, and the second core sat idle), and RawJsonLogParser applies them in file order; a
// line read without a scanner goes through the same function on the reading thread.

#include <QtGlobal>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace Stagelens {

struct RawJsonFacts
{
    /// A string of `text`.
    struct Text
    {
        quint32 offset = 0;
        quint32 length = 0;
    };
    enum class Kind : quint8
    {
        Vertex,
        Log,
        Warning
    };
    struct Event
    {
        Kind kind = Kind::Vertex;
        bool cached = false; ///< Vertex
        bool endsWithNewline = false; ///< Log: its data's last byte is '\n'
        bool hasData = false; ///< Log
        int lines = 0; ///< Log: '\n' in its data
        Text digest; ///< Vertex, Log (its "vertex" field)
        Text name, error; ///< Vertex
        Text text; ///< Warning: its base64 "short" text
        size_t digestHash = 0; ///< rawJsonDigestHash(digest)
        quint32 firstInput = 0, inputCount = 0; ///< Vertex: in `inputs`
        std::optional<double> started, completed; ///< Vertex: seconds since the epoch
    };
    /// One line's events.
    struct Line
    {
        quint32 firstEvent = 0;
        quint32 eventCount = 0;
        bool failed = false; ///< not JSON, or cut: the events before the fault still count
        bool carriageReturn = false; ///< the file's line ended with a CR, not part of the JSON (scanners)
    };

    std::string text;
    std::vector<Text> inputs;
    std::vector<Event> events;
    std::vector<Line> lines;

    void clear();
    std::string_view view(Text t) const { return std::string_view(text).substr(t.offset, t.length); }
    /// Bytes held, to bound what a block keeps.
    size_t footprint() const
    {
        return text.size() + inputs.size() * sizeof(Text) + events.size() * sizeof(Event)
            + lines.size() * sizeof(Line);
    }
};

/// The hash RawJsonLogParser's digest index uses (Qt's, with the process-wide seed).
size_t rawJsonDigestHash(std::string_view digest);

/// Reads rawjson lines, one thread at a time: each scanning thread has its own (simdjson's parser keeps
/// buffers as large as the longest line it has read).
class RawJsonReader
{
public:
    RawJsonReader();
    ~RawJsonReader();
    RawJsonReader(const RawJsonReader &) = delete;
    RawJsonReader &operator=(const RawJsonReader &) = delete;

    /// Appends the facts of one rawjson line (without its newline) to `facts` as lines.back(). `data` must
    /// be readable for `padding` bytes past `length`; with fewer than simdjson's padding the line is copied
    /// first.
    void read(const char *data, size_t length, size_t padding, RawJsonFacts *facts);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Stagelens
