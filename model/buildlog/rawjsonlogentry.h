#pragma once

// One entry of a rawjson "logs" array, as both its readers take it (RawJsonReader counts its lines,
// RawJsonLogParser::extractLogs decodes it): the vertex digest and the base64 data, views into simdjson's
// buffer that end with the next line. A template over simdjson's object type, so this header needs no
// simdjson include.

#include <string_view>

namespace Stagelens {

template<typename Object>
void readRawJsonLogEntry(Object &entry, std::string_view *vertex, std::string_view *data)
{
    for (auto field : entry) {
        std::string_view key;
        if (field.unescaped_key().get(key))
            break;
        std::string_view value;
        if (key == "vertex" && !field.value().get_string().get(value))
            *vertex = value;
        else if (key == "data" && !field.value().get_string().get(value))
            *data = value;
    }
}

} // namespace Stagelens
